"""Write side of the SMS outbox: what booking use cases call inside their transactions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from notifications.tables import OutboxMessage

PENDING = "pending"


@dataclass(frozen=True, slots=True)
class NewMessage:
    kind: str
    to_phone: str
    body: str
    due_at: datetime
    resident_id: int | None
    subject_kind: str
    subject_id: int | None
    event_start: datetime | None
    timezone: str


async def enqueue(messages: list[NewMessage], *, now: datetime) -> None:
    if not messages:
        return
    await OutboxMessage.insert(*[
        OutboxMessage(kind=m.kind, to_phone=m.to_phone, body=m.body, due_at=m.due_at,
                      resident_id=m.resident_id, subject_kind=m.subject_kind,
                      subject_id=m.subject_id, event_start=m.event_start, timezone=m.timezone,
                      status=PENDING, created_at=now)
        for m in messages
    ])


async def cancel_pending(*, subject_kind: str, subject_id: int, kinds: list[str] | None = None,
                         reason: str = "superseded") -> int:
    """Cancel the not-yet-claimed messages about a subject; returns how many."""
    query = OutboxMessage.update(
        {OutboxMessage.status: "cancelled", OutboxMessage.last_error: reason}
    ).where(
        (OutboxMessage.subject_kind == subject_kind)
        & (OutboxMessage.subject_id == subject_id)
        & (OutboxMessage.status == PENDING)
    )
    if kinds:
        query = query.where(OutboxMessage.kind.is_in(kinds))
    rows = await query.returning(OutboxMessage.id)
    return len(rows)
