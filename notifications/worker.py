"""``creneau worker``: the SMS dispatcher alone, in its own process.

``settings`` is duck-typed (this package never imports the booking app): it needs
``public_base_url``, ``dispatch_interval_seconds`` and ``twilio`` (``account_sid``,
``auth_token``, ``from_number``, ``messaging_service_sid``, ``sender_id``,
``api_base_url``). ``CRENEAU_DISPATCH_LEASE_SECONDS`` (default 300) sets how long a claim
lasts before another dispatcher may take the row over.

Run the web app with ``CRENEAU_DISPATCHER=off`` and any number of workers on PostgreSQL;
on SQLite one dispatcher (in the app or a worker) is enough.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
import socket
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from notifications.delivery_status import STATUS_CALLBACK_PATH
from notifications.dispatcher import DispatchConfig, Dispatcher
from notifications.scheduler import DispatchScheduler
from notifications.sender_base import SmsSender
from notifications.senders import make_sms_sender
from notifications.transactions import (
    TransactionFactory,
    close_outbox_engine,
    immediate_transaction,
    open_outbox_engine,
)

logger = logging.getLogger(__name__)
LEASE_ENV = "CRENEAU_DISPATCH_LEASE_SECONDS"
DEFAULT_LEASE = timedelta(minutes=5)


def new_worker_id() -> str:
    """``host:pid:random`` (the pid lets an operator find the process behind a claim)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def lease_from_env(env: dict[str, str] | None = None) -> timedelta:
    raw = (os.environ if env is None else env).get(LEASE_ENV, "")
    if not raw:
        return DEFAULT_LEASE
    seconds = float(raw)
    if seconds <= 0:
        raise ValueError(f"{LEASE_ENV} must be positive")
    return timedelta(seconds=seconds)


def dispatch_config(settings: Any, *, worker_id: str | None = None) -> DispatchConfig:
    return DispatchConfig(
        worker_id=worker_id or new_worker_id(),
        status_callback=settings.public_base_url.rstrip("/") + STATUS_CALLBACK_PATH,
        lease=lease_from_env(),
        daily_cap=getattr(settings, "sms_daily_cap", 6) or None,
    )


def sender_for(settings: Any) -> SmsSender:
    tw = settings.twilio
    return make_sms_sender(
        account_sid=tw.account_sid,
        auth_token=tw.auth_token,
        from_number=tw.from_number,
        messaging_service_sid=tw.messaging_service_sid,
        sender_id=tw.sender_id,
        api_base_url=tw.api_base_url,
    )


def build_scheduler(
    settings: Any,
    sender: SmsSender,
    *,
    clock: Callable[[], datetime],
    transaction: TransactionFactory = immediate_transaction,
    first_run_in: float | None = None,
) -> DispatchScheduler:
    """A dispatcher on a timer of ``settings.dispatch_interval_seconds``; the first run comes
    after one interval unless ``first_run_in`` says otherwise."""
    interval = float(settings.dispatch_interval_seconds)
    dispatcher = Dispatcher(sender, dispatch_config(settings), clock=clock, transaction=transaction)
    return DispatchScheduler(
        dispatcher,
        interval_seconds=interval,
        first_run_in=interval if first_run_in is None else first_run_in,
    )


def _system_clock() -> datetime:
    return datetime.now(UTC)


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def run_worker(
    settings: Any, *, once: bool,
    periodic: Sequence[tuple[str, Callable[[], Awaitable[object]], float]] = (),
    clock: Callable[[], datetime] = _system_clock,
) -> None:
    """Dispatch until SIGINT/SIGTERM (or, with ``once``, until nothing is due); ``periodic``
    jobs (the booking app's maintenance) run on the same timer."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per tick otherwise
    opened = await open_outbox_engine(pool_size=12)
    sender = sender_for(settings)
    await sender.start()
    scheduler = build_scheduler(settings, sender, clock=clock, first_run_in=0.0)
    for job_id, job, seconds in periodic:
        scheduler.add_periodic(job_id, job, seconds)
    try:
        if once:
            counts = await scheduler.dispatcher.drain()
            logger.info("SMS worker done: %s", dict(counts))
            return
        scheduler.start()
        logger.info("SMS worker %s started", scheduler.dispatcher.config.worker_id)
        await _until_signalled()
    finally:
        await scheduler.stop()
        await sender.close()
        if opened:
            await close_outbox_engine()
