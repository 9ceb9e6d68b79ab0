"""Attendance of workshop sessions, marked by staff on the day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from booking.db import aware
from booking.errors import AlreadyCancelled, InvalidInput, NotFound
from booking.services import audit
from booking.services.workshop_seats import ATTENDED, CONFIRMED, NO_SHOW, SCHEDULED
from booking.tables import Registration, WorkshopSession

MARKABLE = (CONFIRMED, ATTENDED, NO_SHOW)
OPENS_BEFORE = timedelta(hours=1)


async def _check_session(session_id: int, now: datetime) -> None:
    row = (
        await WorkshopSession.select(WorkshopSession.status, WorkshopSession.starts_at)
        .where(WorkshopSession.id == session_id)
        .first()
    )
    if row is None:
        raise NotFound("Cette séance n'existe pas.")
    if row["status"] != SCHEDULED:
        raise AlreadyCancelled("Cette séance a été annulée.")
    if now < aware(row["starts_at"]) - OPENS_BEFORE:
        raise InvalidInput(
            "La présence se note le jour de la séance, une heure avant le début au plus tôt.",
            field="outcome",
        )


async def mark_attendance(
    registration_id: int, outcome: str, *, staff_id: int, now: datetime
) -> None:
    if outcome not in (ATTENDED, NO_SHOW):
        raise InvalidInput("Présence inconnue : « attended » ou « no_show ».", field="outcome")
    row = (
        await Registration.select(Registration.session, Registration.status)
        .where(Registration.id == registration_id)
        .first()
    )
    if row is None:
        raise NotFound("Cette inscription n'existe pas.")
    if row["status"] not in MARKABLE:
        raise InvalidInput("Seule une inscription confirmée peut être pointée.", field="outcome")
    await _check_session(row["session"], now)
    await Registration.update({Registration.status: outcome}).where(
        (Registration.id == registration_id) & Registration.status.is_in(list(MARKABLE))
    )
    await audit.record(
        at=now,
        actor_kind="staff",
        actor_id=staff_id,
        action=f"registration.{outcome}",
        entity="registration",
        entity_id=registration_id,
    )


async def record_attendance(
    session_id: int, present: Iterable[int], *, staff_id: int, now: datetime
) -> tuple[int, int]:
    """The sign-in sheet at once: the listed confirmed rows attended, the others did not.
    Returns (attended, no-shows)."""
    await _check_session(session_id, now)
    rows = await Registration.select(Registration.id).where(
        (Registration.session == session_id) & Registration.status.is_in(list(MARKABLE))
    )
    ids = {r["id"] for r in rows}
    here = ids & set(present)
    away = ids - here
    if here:
        await Registration.update({Registration.status: ATTENDED}).where(
            Registration.id.is_in(sorted(here))
        )
    if away:
        await Registration.update({Registration.status: NO_SHOW}).where(
            Registration.id.is_in(sorted(away))
        )
    await audit.record(
        at=now,
        actor_kind="staff",
        actor_id=staff_id,
        action="session.attendance",
        entity="workshop_session",
        entity_id=session_id,
        attended=len(here),
        no_show=len(away),
    )
    return len(here), len(away)
