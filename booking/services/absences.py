"""A counsellor's absences (leave, training): one-off or repeated weekly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from booking.db import aware, write_transaction
from booking.errors import InvalidInput
from booking.services import audit
from booking.tables import Absence

MAX_LENGTH = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class AbsenceDraft:
    counsellor_id: int
    starts_at: datetime
    ends_at: datetime
    timezone: str
    reason: str = ""
    weekly_until: date | None = None  # repeat the same span every week until this day


def check(draft: AbsenceDraft) -> None:
    if draft.starts_at.tzinfo is None or draft.ends_at.tzinfo is None:
        raise InvalidInput("Les dates doivent préciser leur fuseau horaire.", field="start_day")
    if draft.ends_at <= draft.starts_at:
        raise InvalidInput("La fin de l'absence doit suivre son début.", field="end_day")
    if draft.ends_at - draft.starts_at > MAX_LENGTH:
        raise InvalidInput("Une absence dure un an au plus.", field="end_day")
    if draft.weekly_until is not None:
        if draft.ends_at - draft.starts_at > timedelta(days=7):
            raise InvalidInput(
                "Une absence répétée chaque semaine dure moins d'une semaine.", field="weekly_until"
            )
        if draft.weekly_until < draft.starts_at.date():
            raise InvalidInput(
                "La fin de la répétition doit suivre le début.", field="weekly_until"
            )


async def create(draft: AbsenceDraft, *, staff_id: int, now: datetime) -> int:
    check(draft)
    async with write_transaction():
        absence = Absence(
            counsellor=draft.counsellor_id,
            starts_at=draft.starts_at,
            ends_at=draft.ends_at,
            rrule="FREQ=WEEKLY" if draft.weekly_until else "",
            until=draft.weekly_until,
            timezone=draft.timezone,
            reason=draft.reason.strip()[:200],
            created_at=now,
        )
        await absence.save()
        await audit.record(
            at=now,
            actor_kind="staff",
            actor_id=staff_id,
            action="absence.create",
            entity="absence",
            entity_id=int(absence.id),
        )
    return int(absence.id)


async def upcoming(counsellor_id: int, now: datetime) -> list[dict[str, Any]]:
    """Absences not over yet (repeated ones until their last week)."""
    rows = (
        await Absence.select()
        .where(Absence.counsellor == counsellor_id)
        .order_by(Absence.starts_at)
    )
    today = now.date()
    return [
        r
        for r in rows
        if (r["until"] is not None and r["until"] >= today) or aware(r["ends_at"]) > now
    ]
