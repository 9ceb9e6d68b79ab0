"""The SMS outbox as staff see it: recent messages, limited to the communes they serve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from booking.db import aware
from booking.tables import Appointment, Registration
from notifications.tables import OutboxMessage

LIMIT = 100


@dataclass(frozen=True, slots=True)
class OutboxLine:
    id: int
    kind: str
    status: str
    phone: str  # E.164; the page masks it
    due_at: datetime
    timezone: str
    attempts: int
    last_error: str


async def _communes_of(messages: list[dict[str, object]]) -> dict[int, int]:
    """message id -> commune of the appointment or workshop session it is about."""
    by_kind: dict[str, set[int]] = {"appointment": set(), "registration": set()}
    for m in messages:
        if m["subject_kind"] in by_kind and m["subject_id"] is not None:
            by_kind[str(m["subject_kind"])].add(int(str(m["subject_id"])))
    places: dict[tuple[str, int], int] = {}
    for row in await Appointment.select(
        Appointment.id, Appointment.venue._.commune.as_alias("commune")
    ).where(Appointment.id.is_in(sorted(by_kind["appointment"]) or [-1])):
        places[("appointment", row["id"])] = row["commune"]
    for row in await Registration.select(
        Registration.id, Registration.session._.venue._.commune.as_alias("commune")
    ).where(Registration.id.is_in(sorted(by_kind["registration"]) or [-1])):
        places[("registration", row["id"])] = row["commune"]
    found = {}
    for m in messages:
        key = (str(m["subject_kind"]), int(str(m["subject_id"] or 0)))
        if key in places:
            found[int(str(m["id"]))] = places[key]
    return found


async def recent(
    *, communes: set[int] | None, status: str = "", limit: int = LIMIT
) -> list[OutboxLine]:
    """The latest messages (by due time); ``communes=None`` means every message (admin)."""
    query = (
        OutboxMessage.select(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.status,
            OutboxMessage.to_phone,
            OutboxMessage.due_at,
            OutboxMessage.timezone,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
            OutboxMessage.subject_kind,
            OutboxMessage.subject_id,
        )
        .order_by(OutboxMessage.due_at, ascending=False)
        .limit(limit * 5 if communes else limit)
    )
    if status:
        query = query.where(OutboxMessage.status == status)
    rows = list(await query)
    if communes is not None:
        where = await _communes_of(rows)
        rows = [r for r in rows if where.get(r["id"]) in communes]
    return [
        OutboxLine(
            id=r["id"],
            kind=r["kind"],
            status=r["status"],
            phone=r["to_phone"],
            due_at=aware(r["due_at"]),
            timezone=r["timezone"],
            attempts=r["attempts"],
            last_error=r["last_error"],
        )
        for r in rows[:limit]
    ]
