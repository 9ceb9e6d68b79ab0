"""Series: sessions generated in local time, holidays, preview, edits and exceptions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from booking.errors import AnimatorBusy, InvalidInput
from booking.services import registrations, workshops
from booking.services.workshop_sessions import SessionChange
from booking.tables import Registration, WorkshopSeries, WorkshopSession
from notifications.tables import OutboxMessage
from tests.integration.workshops.conftest import LINKS, NOW, World, draft, person


async def _sessions(series_id: int) -> list[dict]:
    return (
        await WorkshopSession.select()
        .where(WorkshopSession.series == series_id)
        .order_by(WorkshopSession.starts_at)
    )


async def test_sessions_follow_local_time_across_dst(world: World) -> None:
    # Thursdays 14:00-16:00 from 15 October 2026: Paris leaves summer time on 25 October.
    saved = await workshops.create_series(
        draft(world, first_day=date(2026, 10, 15), rrule="FREQ=WEEKLY;BYDAY=TH;COUNT=3"),
        staff_id=None,
        now=datetime(2026, 10, 1, tzinfo=UTC),
    )
    rows = await _sessions(saved.series_id)
    starts = [r["starts_at"].astimezone(UTC).replace(tzinfo=UTC) for r in rows]
    assert [s.hour for s in starts] == [12, 12, 13]  # 14:00 local, CEST then CET
    assert all(r["capacity"] == 12 and r["seats_taken"] == 0 for r in rows)
    assert saved.slug == "initiation-au-numerique"


async def test_public_holidays_are_skipped_and_kept_as_exceptions(world: World) -> None:
    # Wednesdays from 4 November 2026: 11 November (Armistice) is a public holiday.
    d = draft(world, first_day=date(2026, 11, 4), rrule="FREQ=WEEKLY;BYDAY=WE;COUNT=3")
    preview = await workshops.preview_series(d, now=datetime(2026, 10, 1, tzinfo=UTC))
    excluded = {p.day: p.excluded for p in preview.planned if p.excluded}
    assert excluded == {date(2026, 11, 11): "jour férié (Armistice)"}
    saved = await workshops.create_series(d, staff_id=None, now=datetime(2026, 10, 1, tzinfo=UTC))
    assert len(saved.created) == 2
    stored = (
        await WorkshopSeries.select(WorkshopSeries.exdates)
        .where(WorkshopSeries.id == saved.series_id)
        .first()
    )
    assert "2026-11-11" in str(stored["exdates"])


async def test_preview_marks_past_dates_and_refuses_unbounded_rules(world: World) -> None:
    d = draft(world, first_day=date(2026, 11, 17))
    preview = await workshops.preview_series(d, now=NOW)
    assert [p.excluded for p in preview.planned] == ["date passée", "", "", ""]
    with pytest.raises(InvalidInput) as refused:
        await workshops.preview_series(draft(world, rrule="FREQ=WEEKLY;BYDAY=TU"), now=NOW)
    assert refused.value.field == "until"


async def test_animator_busy_with_appointment_is_refused_unless_forced(world: World) -> None:
    from booking.tables import Appointment, Resident

    resident = Resident(first_name="Awa", last_name="Diallo", phone="+33600000001")
    await resident.save()
    start = datetime(2026, 12, 1, 13, 30, tzinfo=UTC)  # Tuesday 14:30 in Paris
    await Appointment(
        resident=resident.id,
        counsellor=world.counsellor_id,
        venue=world.other_venue_id,
        service=world.service_id,
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        blocked_from=start,
        blocked_until=start + timedelta(minutes=45),
        manage_token_hash="x" * 64,
        manage_token_expires_at=start,
    ).save()
    with pytest.raises(AnimatorBusy) as refused:
        await workshops.create_series(draft(world), staff_id=None, now=NOW)
    assert "Sophie Martin" in refused.value.message and "rendez-vous" in refused.value.message
    assert await WorkshopSeries.count() == 0
    preview = await workshops.preview_series(draft(world), now=NOW)
    assert [c.counsellor_id for c in preview.conflicts] == [world.counsellor_id]
    saved = await workshops.create_series(draft(world), staff_id=None, now=NOW, force=True)
    assert len(saved.created) == 4
    # Another counsellor is free.
    await workshops.create_series(
        draft(world, title="Autre", counsellor_ids=(world.other_counsellor_id,)),
        staff_id=None,
        now=NOW,
    )


async def test_session_blocks_the_animator_slots_in_every_venue(world: World) -> None:
    from booking.services.slot_search import Scope, search_slots
    from booking.tables import AvailabilityRule

    await AvailabilityRule(
        counsellor=world.counsellor_id,
        venue=world.venue_id,
        start_time=time(9),
        end_time=time(12),
        rrule="FREQ=WEEKLY;BYDAY=FR",
        first_day=date(2026, 11, 1),
    ).save()
    window = dict(
        start=datetime(2026, 11, 27, 7, tzinfo=UTC), end=datetime(2026, 11, 27, 12, tzinfo=UTC)
    )

    async def starts() -> set[datetime]:
        found = await search_slots(service_id=world.service_id, scope=Scope(), now=NOW, **window)
        return {s.start for s in found.slots}

    utc = [
        datetime(2026, 11, 27, h, m, tzinfo=UTC) for h, m in ((8, 0), (8, 45), (9, 30), (10, 15))
    ]
    assert await starts() == set(utc)  # 9:00, 9:45, 10:30, 11:15 in Paris
    # A session at the other venue, Friday 10:00-11:00 local (9:00-10:00 UTC).
    await workshops.create_series(
        draft(
            world,
            venue_id=world.other_venue_id,
            first_day=date(2026, 11, 27),
            rrule="",
            start_time=time(10),
            end_time=time(11),
        ),
        staff_id=None,
        now=NOW,
    )
    assert await starts() == {utc[0], utc[3]}


async def test_edit_series_moves_cancels_and_creates_sessions(world: World) -> None:
    saved = await workshops.create_series(draft(world), staff_id=None, now=NOW)
    first, second, *_ = saved.created
    await registrations.register(
        registrations.RegistrationRequest(
            series_id=saved.series_id, session_id=second, person=person(1)
        ),
        now=NOW,
        links=LINKS,
    )
    # Now Tuesdays 15:00-17:00, but only three dates, the second one skipped.
    edited = draft(
        world, start_time=time(15), end_time=time(17), exdates=(date(2026, 12, 1),), capacity=14
    )
    result = await workshops.update_series(
        saved.series_id, edited, staff_id=world.staff_id, now=NOW, links=LINKS
    )
    assert result.cancelled == (second,)
    assert first in result.moved and not result.created
    rows = {r["id"]: r for r in await _sessions(saved.series_id)}
    assert rows[second]["status"] == "cancelled"
    assert rows[first]["starts_at"].astimezone(UTC).hour == 14  # 15:00 in Paris
    assert rows[first]["capacity"] == 14
    told = await OutboxMessage.select().where(OutboxMessage.kind == "session_cancelled")
    assert len(told) == 1 and told[0]["to_phone"] == "+33600000001"
    # Editing back does not revive the cancelled day.
    again = await workshops.update_series(
        saved.series_id, draft(world), staff_id=world.staff_id, now=NOW, links=LINKS
    )
    assert not again.created and rows[second]["status"] == "cancelled"


async def test_single_session_edit_and_exception(world: World) -> None:
    saved = await workshops.create_series(draft(world), staff_id=None, now=NOW)
    first, second, third, _ = saved.created
    moved_to = datetime(2026, 11, 25, 9, tzinfo=UTC)
    await workshops.edit_session(
        first,
        SessionChange(
            starts_at=moved_to, ends_at=moved_to + timedelta(hours=2), venue_id=world.other_venue_id
        ),
        staff_id=world.staff_id,
        now=NOW,
        links=LINKS,
    )
    row = await WorkshopSession.select().where(WorkshopSession.id == first).first()
    assert row["edited"] and row["sequence"] == 1 and row["venue"] == world.other_venue_id
    with pytest.raises(InvalidInput):
        await workshops.edit_session(
            second, SessionChange(capacity=0), staff_id=world.staff_id, now=NOW, links=LINKS
        )
    # The edited session keeps its new day when the series is edited again.
    current = await workshops.current_draft(saved.series_id)
    assert date(2026, 11, 24) in current.exdates
    result = await workshops.update_series(
        saved.series_id,
        replace(current, capacity=10),
        staff_id=world.staff_id,
        now=NOW,
        links=LINKS,
    )
    assert not result.created and first not in result.moved
    await workshops.add_exception(
        saved.series_id, date(2026, 12, 8), staff_id=world.staff_id, now=NOW, links=LINKS
    )
    status = {r["id"]: r["status"] for r in await _sessions(saved.series_id)}
    assert status[third] == "cancelled" and status[second] == "scheduled"


async def test_capacity_cannot_drop_below_seats_taken(world: World) -> None:
    saved = await workshops.create_series(draft(world, capacity=2), staff_id=None, now=NOW)
    session = saved.created[0]
    for n in (1, 2):
        await registrations.register(
            registrations.RegistrationRequest(
                series_id=saved.series_id, session_id=session, person=person(n)
            ),
            now=NOW,
            links=LINKS,
        )
    with pytest.raises(InvalidInput) as refused:
        await workshops.edit_session(
            session, SessionChange(capacity=1), staff_id=world.staff_id, now=NOW, links=LINKS
        )
    assert refused.value.field == "capacity"
    assert await Registration.count().where(Registration.status == "confirmed") == 2
