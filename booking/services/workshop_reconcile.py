"""Bring a series' future sessions in line with its edited schedule.

Days are compared in the commune's local time. A future session whose day is still planned
follows the new hours, venue and capacity; one whose day is gone is cancelled (registrants
told); a new day gets a new session. Sessions edited one by one, and cancelled ones, are
left alone and keep their day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from booking.errors import InvalidInput
from booking.services.workshop_conflicts import animator_conflicts, busy_error
from booking.services.workshop_links import WorkshopLinks
from booking.services.workshop_plan import PlannedSession, SeriesDraft
from booking.services.workshop_seats import SCHEDULED, lock_series
from booking.services.workshop_sessions import cancel_session_rows, replan_reminders
from booking.services.workshop_waitlist import promote
from booking.tables import WorkshopSession
from notifications.datetime_fr import format_day


@dataclass(frozen=True, slots=True)
class Outcome:
    created: tuple[int, ...]
    moved: tuple[int, ...]
    cancelled: tuple[int, ...]


async def reconcile(
    series_id: int,
    draft: SeriesDraft,
    planned: list[PlannedSession],
    *,
    tz: ZoneInfo,
    now: datetime,
    staff_id: int,
    links: WorkshopLinks,
    force: bool,
) -> Outcome:
    """Inside ``write_transaction()``, after the animators' rows are locked."""
    sessions = await lock_series(series_id)
    edited = {
        r["id"]
        for r in await WorkshopSession.select(WorkshopSession.id).where(
            (WorkshopSession.series == series_id) & WorkshopSession.edited.eq(True)
        )
    }
    future = [s for s in sessions.values() if s.starts_at > now]
    following = {
        s.starts_at.astimezone(tz).date(): s
        for s in future
        if s.status == SCHEDULED and s.id not in edited
    }
    kept_apart = {
        s.starts_at.astimezone(tz).date() for s in future if s.status != SCHEDULED or s.id in edited
    }
    wanted = {p.day: p for p in planned}
    gone = [s for day, s in following.items() if day not in wanted]
    new = [p for day, p in wanted.items() if day not in following and day not in kept_apart]
    kept = [(s, wanted[day]) for day, s in following.items() if day in wanted]
    moved = [
        (s, p)
        for s, p in kept
        if (s.starts_at, s.ends_at, s.venue_id) != (p.start, p.end, draft.venue_id)
    ]
    for state, _ in kept:
        if draft.capacity < state.seats_taken:
            raise InvalidInput(
                f"La séance du {format_day(state.starts_at, tz)} compte déjà "
                f"{state.seats_taken} places prises : la capacité ne peut pas descendre "
                "en dessous.",
                field="capacity",
            )
    conflicts = await animator_conflicts(
        draft.counsellor_ids,
        [(p.start, p.end) for p in new] + [(p.start, p.end) for _, p in moved],
        ignore_sessions=list(sessions),
    )
    if conflicts and not force:
        raise busy_error(conflicts, tz)
    for state in gone:
        await cancel_session_rows(
            state.id, series_id, now=now, staff_id=staff_id, links=links, reason="series edited"
        )
    moved_ids = {s.id for s, _ in moved}
    for state, plan in kept:
        await WorkshopSession.update(
            {
                WorkshopSession.starts_at: plan.start,
                WorkshopSession.ends_at: plan.end,
                WorkshopSession.venue: draft.venue_id,
                WorkshopSession.capacity: draft.capacity,
                WorkshopSession.sequence: WorkshopSession.sequence
                + (1 if state.id in moved_ids else 0),
                WorkshopSession.updated_at: now,
            }
        ).where(WorkshopSession.id == state.id)
        if state.id in moved_ids:
            await replan_reminders(state.id, now=now, links=links)
    created: list[int] = []
    for plan in sorted(new, key=lambda p: p.start):
        session = WorkshopSession(
            series=series_id,
            venue=draft.venue_id,
            starts_at=plan.start,
            ends_at=plan.end,
            capacity=draft.capacity,
            seats_taken=0,
            status=SCHEDULED,
            updated_at=now,
        )
        await session.save()
        created.append(int(session.id))
    grown = [s.id for s, _ in kept if draft.capacity > s.capacity]
    if grown:
        await promote(series_id, grown, now=now, links=links)
    return Outcome(tuple(created), tuple(sorted(moved_ids)), tuple(s.id for s in gone))
