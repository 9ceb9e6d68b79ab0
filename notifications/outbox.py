"""Write side of the SMS outbox: what booking use cases call inside their transactions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.querystring import QueryString

from notifications.tables import OutboxMessage
from notifications.transactions import outbox_engine

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


INSERT_SQL = (
    "INSERT INTO outbox_message (kind, to_phone, body, resident_id, subject_kind, subject_id, "
    "event_start, timezone, due_at, status, attempts, claimed_at, claimed_by, provider_id, "
    "provider_status, last_error, created_at, sent_at) VALUES "
)
ROW = "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, 0, NULL, '', '', '', '', {}, NULL)"


async def enqueue(messages: list[NewMessage], *, now: datetime) -> None:
    """One plain multi-row ``INSERT`` (the rows the ORM would write, without building them
    through it), in the caller's transaction."""
    if not messages:
        return
    args: list[Any] = []
    for m in messages:
        args += [m.kind, m.to_phone, m.body, m.resident_id, m.subject_kind, m.subject_id,
                 m.event_start, m.timezone, m.due_at, PENDING, now]
    sql = INSERT_SQL + ", ".join(ROW for _ in messages)
    await outbox_engine().run_querystring(QueryString(sql, *args))


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
