"""Claiming outbox rows and settling them, so that each SMS has exactly one owner.

A claim is one transaction: PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED`` (concurrent
dispatchers skip each other's rows) then ``UPDATE`` to 'claimed'; SQLite the same inside
``BEGIN IMMEDIATE`` (one writer at a time). Due rows are 'pending' with ``due_at <= now``;
a row 'claimed' for longer than the lease belongs to a dispatcher presumed dead and is
claimed again, to be reconciled before any resend.

Every later write is conditional on ``status = 'claimed' AND claimed_by = <me>``: a
dispatcher that lost its lease changes nothing.

``provider_status = 'unconfirmed'`` on a pending row means an earlier attempt may have
reached the provider (timeout, dropped connection, 5xx): the next attempt reconciles first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from notifications.tables import OutboxMessage
from notifications.transactions import TransactionFactory, is_postgres, single_write

PENDING, CLAIMED, SENT = "pending", "claimed", "sent"
DELIVERED, FAILED, SKIPPED = "delivered", "failed", "skipped"
UNCONFIRMED = "unconfirmed"

_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.to_phone,
    OutboxMessage.body,
    OutboxMessage.resident_id,
    OutboxMessage.event_start,
    OutboxMessage.timezone,
    OutboxMessage.status,
    OutboxMessage.attempts,
    OutboxMessage.provider_status,
    OutboxMessage.created_at,
)


def utc(value: datetime) -> datetime:
    """Aware UTC (SQLite may hand back naive UTC values)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    to_phone: str
    body: str
    resident_id: int | None
    event_start: datetime | None
    timezone: str
    attempts: int
    created_at: datetime
    reconcile: bool
    """Left claimed by a dead dispatcher, or an earlier attempt may have been accepted."""


def _claimed(row: dict[str, Any]) -> Claimed:
    return Claimed(
        id=int(row["id"]),
        to_phone=row["to_phone"],
        body=row["body"],
        resident_id=row["resident_id"],
        event_start=utc(row["event_start"]) if row["event_start"] is not None else None,
        timezone=row["timezone"],
        attempts=int(row["attempts"]),
        created_at=utc(row["created_at"]),
        reconcile=row["status"] == CLAIMED or row["provider_status"] == UNCONFIRMED,
    )


async def claim_due(
    *,
    now: datetime,
    worker_id: str,
    batch_size: int,
    lease: timedelta,
    transaction: TransactionFactory,
) -> list[Claimed]:
    """Claim up to ``batch_size`` due rows (oldest due first) for ``worker_id``."""
    now = utc(now)
    due = (OutboxMessage.status == PENDING) & (OutboxMessage.due_at <= now)
    abandoned = (OutboxMessage.status == CLAIMED) & (OutboxMessage.claimed_at < now - lease)
    async with transaction():
        query = (
            OutboxMessage.select(*_COLUMNS)
            .where(due | abandoned)
            .order_by(OutboxMessage.due_at)
            .limit(batch_size)
        )
        if is_postgres():
            query = query.lock_rows("UPDATE", skip_locked=True)
        rows = await query
        if rows:
            # Conditional as well: a row another dispatcher claimed meanwhile is not taken.
            taken = await (
                OutboxMessage.update(
                    {
                        OutboxMessage.status: CLAIMED,
                        OutboxMessage.claimed_at: now,
                        OutboxMessage.claimed_by: worker_id,
                    }
                )
                .where(OutboxMessage.id.is_in([row["id"] for row in rows]) & (due | abandoned))
                .returning(OutboxMessage.id)
            )
            ids = {row["id"] for row in taken}
            rows = [row for row in rows if row["id"] in ids]
    return [_claimed(row) for row in rows]


async def settle(
    message_ids: list[int],
    *,
    worker_id: str,
    values: dict[Any, Any],
    transaction: TransactionFactory,
) -> list[int]:
    """Write ``values`` on the rows this worker still holds; returns the ids written."""
    if not message_ids:
        return []
    async with single_write(transaction):
        rows = await (
            OutboxMessage.update(values)
            .where(
                OutboxMessage.id.is_in(message_ids)
                & (OutboxMessage.status == CLAIMED)
                & (OutboxMessage.claimed_by == worker_id)
            )
            .returning(OutboxMessage.id)
        )
    return [int(row["id"]) for row in rows]


def released(*, due_at: datetime | None = None, unconfirmed: bool | None = None) -> dict[Any, Any]:
    """Values putting a row back to 'pending' (optionally due later, with the
    'maybe accepted' marker set or cleared)."""
    values: dict[Any, Any] = {
        OutboxMessage.status: PENDING,
        OutboxMessage.claimed_at: None,
        OutboxMessage.claimed_by: "",
    }
    if due_at is not None:
        values[OutboxMessage.due_at] = utc(due_at)
    if unconfirmed is not None:
        values[OutboxMessage.provider_status] = UNCONFIRMED if unconfirmed else ""
    return values


async def owned_by_another(provider_id: str, message_id: int) -> bool:
    """A provider message already recorded on another outbox row is not this row's."""
    return bool(
        await OutboxMessage.exists().where(
            (OutboxMessage.provider_id == provider_id) & (OutboxMessage.id != message_id)
        )
    )


async def sent_since(phones: set[str], since: datetime) -> Counter[str]:
    """How many messages each number was sent since ``since`` (one query for the batch)."""
    counts: Counter[str] = Counter()
    if not phones:
        return counts
    rows = await OutboxMessage.select(OutboxMessage.to_phone).where(
        OutboxMessage.to_phone.is_in(sorted(phones))
        & OutboxMessage.status.is_in(["sent", "delivered"])
        & (OutboxMessage.sent_at >= since))
    counts.update(r["to_phone"] for r in rows)
    return counts
