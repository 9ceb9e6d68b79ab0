"""The SMS dispatcher: claim due outbox rows, check, send, record; retry or give up.

One ``Dispatcher`` per process; several may share a PostgreSQL database (see ``claims``).
The provider has no idempotency key, so the order is: claim, send, record the provider id.
A row whose send may have been accepted without being recorded (crash, timeout) is
reconciled with ``SmsSender.find_sent`` before any resend, searching from the row's creation
(a bound that never moves, unlike ``claimed_at`` which each reclaim rewrites).

Logs carry outbox ids and counts, never a phone number or a body.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from notifications import claims
from notifications.claims import FAILED, SENT, SKIPPED, Claimed
from notifications.dispatch_rules import DEFAULT_BACKOFF, Verdict, before_send, retry_delay
from notifications.policy import SmsPolicy
from notifications.recipients import flag_phone, sendable_residents
from notifications.sender_base import (
    PermanentSendError,
    SendError,
    SendResult,
    SmsSender,
    TransientSendError,
)
from notifications.tables import OutboxMessage
from notifications.transactions import TransactionFactory, immediate_transaction, single_write

logger = logging.getLogger(__name__)
RECONCILE_MARGIN = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    worker_id: str
    status_callback: str | None = None
    batch_size: int = 50
    concurrency: int = 8
    lease: timedelta = timedelta(minutes=5)
    """A claim older than this is presumed abandoned. Keep it well above the sender's
    timeout: a batch stops sending once half of it has passed."""
    backoff: tuple[timedelta, ...] = DEFAULT_BACKOFF
    policy: SmsPolicy = field(default_factory=SmsPolicy)
    daily_cap: int | None = 6
    """At most this many SMS to one number in 24 hours (abuse and cost guard); None: no cap."""


class Dispatcher:
    def __init__(
        self,
        sender: SmsSender,
        config: DispatchConfig,
        *,
        clock: Callable[[], datetime],
        transaction: TransactionFactory = immediate_transaction,
    ) -> None:
        self.sender, self.config, self.clock = sender, config, clock
        self.transaction = transaction
        self._stopping = False
        self._gate = asyncio.Semaphore(config.concurrency)
        self._running: asyncio.Task[Any] | None = None

    async def drain(self, *, max_batches: int | None = None) -> Counter[str]:
        """Dispatch batch after batch until nothing is due (or ``stop`` was called)."""
        total: Counter[str] = Counter()
        self._running = asyncio.current_task()
        try:
            batches = 0
            while not self._stopping and (max_batches is None or batches < max_batches):
                report = await self.dispatch_batch()
                total.update(report)
                batches += 1
                if not report["claimed"]:
                    break
        finally:
            self._running = None
        return total

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """No new batch; wait for the running one, cancel it after ``grace_seconds`` (its rows stay
        claimed and are reconciled once the lease has passed)."""
        self._stopping = True
        task = self._running
        if task is None or task is asyncio.current_task():
            return
        done, _ = await asyncio.wait({task}, timeout=grace_seconds)
        if not done:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def dispatch_batch(self) -> Counter[str]:
        """Claim one batch and settle every row of it; returns counts by outcome."""
        config = self.config
        now = self.clock()
        batch = await claims.claim_due(
            now=now,
            worker_id=config.worker_id,
            batch_size=config.batch_size,
            lease=config.lease,
            transaction=self.transaction,
        )
        report: Counter[str] = Counter(claimed=len(batch))
        if not batch:
            return report
        allowed = await sendable_residents(m.resident_id for m in batch if m.resident_id)
        deadline = now + config.lease / 2
        sent_today = await claims.sent_since({m.to_phone for m in batch}, now - timedelta(days=1))

        async def one(message: Claimed) -> None:
            if config.daily_cap is not None and sent_today[message.to_phone] >= config.daily_cap:
                await self._settle(message, _final(SKIPPED, "daily cap per recipient"))
                report["capped"] += 1
                return
            sent_today[message.to_phone] += 1
            ok = message.resident_id is None or message.resident_id in allowed
            outcome = await self._deliver(message, recipient_ok=ok, deadline=deadline)
            report[outcome] += 1

        results = await asyncio.gather(*(one(m) for m in batch), return_exceptions=True)
        for message, result in zip(batch, results, strict=True):
            if isinstance(result, Exception):  # e.g. the database went away: the lease expires
                logger.error("outbox %s left claimed: %s", message.id, type(result).__name__)
                report["error"] += 1
            elif isinstance(result, BaseException):
                raise result
        logger.info("SMS dispatch by %s: %s", config.worker_id, dict(report))
        return report

    async def _settle(self, message: Claimed, values: dict[Any, Any]) -> bool:
        written = await claims.settle(
            [message.id],
            worker_id=self.config.worker_id,
            values=values,
            transaction=self.transaction,
        )
        if not written:
            logger.warning("outbox %s: claim lost before it was settled", message.id)
        return bool(written)

    async def _release(self, message: Claimed, due_at: datetime | None = None) -> None:
        """Back to 'pending'; a row still to be reconciled keeps the marker that says so."""
        await self._settle(message, claims.released(due_at=due_at, unconfirmed=message.reconcile))

    async def _deliver(self, message: Claimed, *, recipient_ok: bool, deadline: datetime) -> str:
        now = self.clock()
        decision = before_send(
            now=now,
            event_start=message.event_start,
            tz=message.timezone,
            policy=self.config.policy,
            recipient_ok=recipient_ok,
        )
        if decision.verdict is Verdict.SKIP:
            await self._settle(message, _final(SKIPPED, decision.reason))
            return "skipped"
        if decision.verdict is Verdict.DEFER:
            await self._release(message, due_at=decision.due_at)
            return "deferred"
        if message.reconcile:
            outcome = await self._reconcile(message)
            if outcome is not None:
                return outcome
        return await self._send(message, deadline)

    async def _reconcile(self, message: Claimed) -> str | None:
        """Record the provider's copy if the message already left; None: not found, send."""
        try:
            async with self._gate:
                found = await self.sender.find_sent(
                    to=message.to_phone,
                    body=message.body,
                    since=message.created_at - RECONCILE_MARGIN,
                )
        except TransientSendError as exc:
            return await self._retry(message, exc, unconfirmed=True)
        except PermanentSendError as exc:
            await self._settle(
                message,
                _final(FAILED, f"reconciliation refused: {exc}", attempts=message.attempts + 1),
            )
            return "failed"
        if found is None or await claims.owned_by_another(found.provider_id, message.id):
            return None
        await self._settle(
            message,
            {
                OutboxMessage.status: SENT,
                OutboxMessage.provider_id: found.provider_id,
                OutboxMessage.provider_status: found.status,
                OutboxMessage.sent_at: found.date_created,
                OutboxMessage.last_error: "",
            },
        )
        return "reconciled"

    async def _send(self, message: Claimed, deadline: datetime) -> str:
        attempts = message.attempts + 1
        async with self._gate:  # at most ``concurrency`` provider requests in flight
            if self.clock() > deadline:  # the lease runs out: leave it to the next claim
                outcome: SendResult | Exception | None = None
            else:
                try:
                    outcome = await self.sender.send(
                        to=message.to_phone,
                        body=message.body,
                        status_callback=self.config.status_callback,
                    )
                except Exception as exc:
                    outcome = exc
        if outcome is None:
            await self._release(message)
            return "released"
        if isinstance(outcome, TransientSendError):
            return await self._retry(message, outcome, unconfirmed=outcome.maybe_accepted)
        if isinstance(outcome, PermanentSendError):
            await self._settle(message, _final(FAILED, str(outcome), attempts=attempts))
            if outcome.flag_phone is not None:
                async with single_write(self.transaction):
                    await flag_phone(message.to_phone, outcome.flag_phone)
            return "failed"
        if isinstance(outcome, Exception):  # a bug or an unforeseen client error: it may have left
            logger.error("outbox %s: unexpected send error %s", message.id, type(outcome).__name__)
            return await self._retry(message, outcome, unconfirmed=True)
        await self._settle(
            message,
            {
                OutboxMessage.status: SENT,
                OutboxMessage.provider_id: outcome.provider_id,
                OutboxMessage.provider_status: outcome.status,
                OutboxMessage.sent_at: self.clock(),
                OutboxMessage.attempts: attempts,
                OutboxMessage.last_error: "",
            },
        )
        return "sent"

    async def _retry(self, message: Claimed, exc: Exception, *, unconfirmed: bool) -> str:
        attempts = message.attempts + 1
        hint = exc.retry_after if isinstance(exc, TransientSendError) else None
        delay = retry_delay(attempts, self.config.backoff, retry_after=hint)
        # SendError texts carry no phone number nor body; other exceptions may: name only.
        error = (str(exc) if isinstance(exc, SendError) else "")[:300] or type(exc).__name__
        if delay is None:
            values = _final(
                FAILED, f"gave up after {attempts} attempts: {error}", attempts=attempts
            )
            if unconfirmed:
                values[OutboxMessage.provider_status] = claims.UNCONFIRMED
            await self._settle(message, values)
            return "failed"
        values = claims.released(due_at=self.clock() + delay, unconfirmed=unconfirmed)
        values[OutboxMessage.attempts] = attempts
        values[OutboxMessage.last_error] = error
        await self._settle(message, values)
        return "retry"


def _final(status: str, reason: str, *, attempts: int | None = None) -> dict[Any, Any]:
    values: dict[Any, Any] = {OutboxMessage.status: status, OutboxMessage.last_error: reason[:300]}
    if attempts is not None:
        values[OutboxMessage.attempts] = attempts
    return values
