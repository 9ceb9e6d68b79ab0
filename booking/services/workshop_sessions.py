"""One session at a time: edit (time, place, capacity), cancel (every registrant is told),
or skip a day of the series (an exception date)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from booking.db import aware, json_dates, write_transaction
from booking.errors import AlreadyCancelled, InvalidInput
from booking.services import audit, workshop_notify
from booking.services.workshop_conflicts import animator_conflicts, busy_error, lock_counsellors
from booking.services.workshop_links import WorkshopLinks
from booking.services.workshop_plan import MAX_CAPACITY
from booking.services.workshop_scope import animators_of, series_of_session, venue_zone
from booking.services.workshop_seats import (
    ACTIVE,
    CANCELLED,
    CONFIRMED,
    SCHEDULED,
    lock_series,
)
from booking.services.workshop_waitlist import promote
from booking.tables import Registration, WorkshopSeries, WorkshopSession
from notifications.templates import MessageKind


@dataclass(frozen=True, slots=True)
class SessionChange:
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    capacity: int | None = None
    venue_id: int | None = None


async def cancel_session_rows(
    session_id: int,
    series_id: int,
    *,
    now: datetime,
    staff_id: int | None,
    links: WorkshopLinks,
    reason: str = "",
) -> int:
    """Cancel a session and every registration in it, and text each registrant.
    Inside ``write_transaction()`` after ``lock_series``. Returns how many were told."""
    done = (
        await WorkshopSession.update(
            {
                WorkshopSession.status: CANCELLED,
                WorkshopSession.cancelled_at: now,
                WorkshopSession.seats_taken: 0,
                WorkshopSession.updated_at: now,
                WorkshopSession.sequence: WorkshopSession.sequence + 1,
            }
        )
        .where((WorkshopSession.id == session_id) & (WorkshopSession.status == SCHEDULED))
        .returning(WorkshopSession.id)
    )
    if not done:
        raise AlreadyCancelled("Cette séance est déjà annulée.")
    rows = await Registration.select(Registration.id, Registration.resident).where(
        (Registration.session == session_id) & Registration.status.is_in(list(ACTIVE))
    )
    ids = [r["id"] for r in rows]
    if ids:
        await Registration.update(
            {
                Registration.status: CANCELLED,
                Registration.cancelled_at: now,
                Registration.cancelled_by_kind: "staff",
                Registration.offer_expires_at: None,
            }
        ).where(Registration.id.is_in(ids))
        await workshop_notify.drop_pending(ids, reason="session cancelled")
        facts = (await workshop_notify.session_facts([session_id]))[session_id]
        people = await workshop_notify.recipients(r["resident"] for r in rows)
        for row in rows:
            await workshop_notify.session_cancelled(
                row["id"], facts, people[row["resident"]], link=links.series(series_id), now=now
            )
    # A whole-parcours registration waiting only because of this session may now fit.
    await promote(series_id, await _other_sessions(series_id, session_id), now=now, links=links)
    await audit.record(
        at=now,
        actor_kind="staff" if staff_id else "system",
        actor_id=staff_id,
        action="workshop_session.cancel",
        entity="workshop_session",
        entity_id=session_id,
        registrations=len(ids),
        reason=reason[:300],
    )
    return len(ids)


async def _other_sessions(series_id: int, session_id: int) -> list[int]:
    rows = await WorkshopSession.select(WorkshopSession.id).where(
        (WorkshopSession.series == series_id)
        & (WorkshopSession.status == SCHEDULED)
        & (WorkshopSession.id != session_id)
    )
    return [r["id"] for r in rows]


async def cancel_session(
    session_id: int, *, staff_id: int, now: datetime, links: WorkshopLinks, reason: str = ""
) -> int:
    series_id = await series_of_session(session_id)
    async with write_transaction():
        state = (await lock_series(series_id))[session_id]
        if state.ends_at <= now:
            raise InvalidInput("Cette séance est terminée : elle ne peut plus être annulée.")
        return await cancel_session_rows(
            session_id, series_id, now=now, staff_id=staff_id, links=links, reason=reason
        )


async def replan_reminders(session_id: int, *, now: datetime, links: WorkshopLinks) -> None:
    """After a session moved: its confirmed registrants' reminders follow the new time."""
    rows = await Registration.select(
        Registration.id, Registration.resident, Registration.group_key, Registration.channel
    ).where((Registration.session == session_id) & (Registration.status == CONFIRMED))
    await workshop_notify.drop_pending(
        [r["id"] for r in rows], reason="session moved", kinds=[MessageKind.WORKSHOP_REMINDER.value]
    )
    facts = (await workshop_notify.session_facts([session_id]))[session_id]
    people = await workshop_notify.recipients(r["resident"] for r in rows)
    for row in rows:
        await workshop_notify.registration_confirmed(
            [(row["id"], facts)],
            people[row["resident"]],
            channel=row["channel"],
            now=now,
            link=links.manage(row["group_key"]),
            confirm=False,
        )


async def edit_session(
    session_id: int,
    change: SessionChange,
    *,
    staff_id: int,
    now: datetime,
    links: WorkshopLinks,
    force: bool = False,
) -> None:
    series_id = await series_of_session(session_id)
    series = (
        await WorkshopSeries.select(WorkshopSeries.convention)
        .where(WorkshopSeries.id == series_id)
        .first()
    )
    assert series is not None
    for moment in (change.starts_at, change.ends_at):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput("L'heure doit préciser son fuseau horaire.", field="starts_at")
    if change.capacity is not None and not 1 <= change.capacity <= MAX_CAPACITY:
        raise InvalidInput(f"Nombre de places : entre 1 et {MAX_CAPACITY}.", field="capacity")
    current = (
        await WorkshopSession.select(WorkshopSession.venue)
        .where(WorkshopSession.id == session_id)
        .first()
    )
    assert current is not None
    tz, _ = await venue_zone(series["convention"], change.venue_id or current["venue"])
    animators = await animators_of(series_id)
    async with write_transaction():
        await lock_counsellors(animators)
        state = (await lock_series(series_id))[session_id]
        if state.status != SCHEDULED:
            raise AlreadyCancelled("Cette séance est annulée.")
        if state.ends_at <= now:
            raise InvalidInput("Cette séance est terminée.")
        start = aware(change.starts_at) if change.starts_at else state.starts_at
        end = aware(change.ends_at) if change.ends_at else state.ends_at
        venue = change.venue_id or state.venue_id
        capacity = change.capacity or state.capacity
        if end <= start:
            raise InvalidInput("La fin doit suivre le début.", field="ends_at")
        moved = (start, end, venue) != (state.starts_at, state.ends_at, state.venue_id)
        if moved and start <= now:
            raise InvalidInput("La nouvelle date est déjà passée.", field="starts_at")
        if capacity < state.seats_taken:
            raise InvalidInput(
                f"{state.seats_taken} places sont déjà prises : la capacité ne "
                "peut pas descendre en dessous.",
                field="capacity",
            )
        if moved:
            conflicts = await animator_conflicts(
                animators, [(start, end)], ignore_sessions=[session_id]
            )
            if conflicts and not force:
                raise busy_error(conflicts, tz)
        await WorkshopSession.update(
            {
                WorkshopSession.starts_at: start,
                WorkshopSession.ends_at: end,
                WorkshopSession.venue: venue,
                WorkshopSession.capacity: capacity,
                WorkshopSession.edited: True if moved else WorkshopSession.edited,
                WorkshopSession.sequence: WorkshopSession.sequence + (1 if moved else 0),
                WorkshopSession.updated_at: now,
            }
        ).where(WorkshopSession.id == session_id)
        if moved:
            await keep_day_free(series_id, state.starts_at, start, tz, now)
            await replan_reminders(session_id, now=now, links=links)
        if capacity > state.capacity:
            await promote(series_id, [session_id], now=now, links=links)
        await audit.record(
            at=now,
            actor_kind="staff",
            actor_id=staff_id,
            action="workshop_session.edit",
            entity="workshop_session",
            entity_id=session_id,
            moved=moved,
            capacity=capacity,
        )


async def keep_day_free(
    series_id: int, old: datetime, new: datetime, tz: ZoneInfo, now: datetime
) -> None:
    """A session moved to another day: its former day becomes an exception of the series,
    so that editing the series later does not bring a session back on it."""
    day = old.astimezone(tz).date()
    if day == new.astimezone(tz).date():
        return
    row = (
        await WorkshopSeries.select(WorkshopSeries.exdates)
        .where(WorkshopSeries.id == series_id)
        .first()
    )
    assert row is not None
    exdates = sorted(set(json_dates(row["exdates"])) | {day})
    await WorkshopSeries.update(
        {WorkshopSeries.exdates: [d.isoformat() for d in exdates], WorkshopSeries.updated_at: now}
    ).where(WorkshopSeries.id == series_id)
