"""The dispatcher on its APScheduler timer: started with the app, and ``creneau worker``."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from booking.app import create_app
from booking.settings import Settings
from notifications.senders import ConsoleSender
from notifications.worker import lease_from_env, run_worker
from tests.integration.notifications.helpers import add_message, daytime_zone, row
from tests.support.clock import FrozenClock
from tests.support.lifespan import running_lifespan


async def wait_for_status(message_id: int, status: str, seconds: float = 10.0) -> str:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        current = (await row(message_id))["status"]
        if current == status or asyncio.get_running_loop().time() > deadline:
            return current
        await asyncio.sleep(0.05)


async def test_the_app_runs_the_dispatcher_on_its_timer(
    settings: Settings, day_clock: FrozenClock
) -> None:
    timed = replace(settings, dispatcher_enabled=True, dispatch_interval_seconds=0.2)
    app = create_app(timed, sms_sender=ConsoleSender(), clock=day_clock)
    async with running_lifespan(app):
        message_id = await add_message(day_clock())
        assert await wait_for_status(message_id, "sent") == "sent"
        later_id = await add_message(day_clock(), body="Un autre")  # the timer keeps running
        assert await wait_for_status(later_id, "sent") == "sent"
    assert (await row(message_id))["claimed_by"].count(":") == 2  # host:pid:random


async def test_the_app_leaves_the_outbox_alone_when_the_dispatcher_is_off(
    settings: Settings, day_clock: FrozenClock
) -> None:
    off = replace(settings, dispatcher_enabled=False, dispatch_interval_seconds=0.1)
    app = create_app(off, sms_sender=ConsoleSender(), clock=day_clock)
    async with running_lifespan(app):
        message_id = await add_message(day_clock())
        await asyncio.sleep(0.5)
    assert (await row(message_id))["status"] == "pending"


async def test_worker_once_drains_what_is_due_and_exits(settings: Settings) -> None:
    now = datetime.now(UTC)
    zone = daytime_zone(now)
    assert 12 <= now.astimezone(ZoneInfo(zone)).hour <= 13
    due = [
        await add_message(
            now - timedelta(minutes=1), body=f"Message {i}", timezone=zone, event_start=None,
            to_phone=f"+33612345{i:03d}",  # one each: the daily cap per recipient holds
        )
        for i in range(120)
    ]
    not_due = await add_message(now + timedelta(hours=1), timezone=zone, event_start=None)
    assert not settings.twilio.enabled  # the console sender
    await asyncio.wait_for(run_worker(settings, once=True), timeout=30)
    rows = [await row(i) for i in due]
    assert {r["status"] for r in rows} == {"sent"}
    assert {r["claimed_by"].split(":")[1] for r in rows} == {str(os.getpid())}
    assert (await row(not_due))["status"] == "pending"


def test_lease_comes_from_the_environment() -> None:
    assert lease_from_env({}) == timedelta(minutes=5)
    assert lease_from_env({"CRENEAU_DISPATCH_LEASE_SECONDS": "2.5"}) == timedelta(seconds=2.5)
    import pytest

    with pytest.raises(ValueError, match="positive"):
        lease_from_env({"CRENEAU_DISPATCH_LEASE_SECONDS": "0"})


async def test_run_soon_does_not_wait_for_the_next_tick(day_clock: FrozenClock) -> None:
    from notifications.dispatcher import DispatchConfig, Dispatcher
    from notifications.scheduler import DispatchScheduler

    dispatcher = Dispatcher(ConsoleSender(), DispatchConfig(worker_id="w"), clock=day_clock)
    scheduler = DispatchScheduler(dispatcher, interval_seconds=3600, first_run_in=3600)
    scheduler.start()
    try:
        message_id = await add_message(day_clock())
        await asyncio.sleep(0.3)
        assert (await row(message_id))["status"] == "pending"
        scheduler.run_soon()
        assert await wait_for_status(message_id, "sent") == "sent"
    finally:
        await scheduler.stop()
    assert not scheduler.running


async def test_the_app_runs_maintenance_on_the_same_timer(
    settings: Settings, day_clock: FrozenClock
) -> None:
    """The retention job runs with the app (and is recorded in the audit log)."""
    from booking.tables import AuditLog

    timed = replace(settings, dispatcher_enabled=True, dispatch_interval_seconds=60)
    app = create_app(timed, sms_sender=ConsoleSender(), clock=day_clock)
    async with running_lifespan(app):
        deadline = asyncio.get_running_loop().time() + 10
        while not await AuditLog.exists().where(AuditLog.action == "retention.run"):
            assert asyncio.get_running_loop().time() < deadline, "retention never ran"
            await asyncio.sleep(0.1)
