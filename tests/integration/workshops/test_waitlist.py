"""Waiting list: promotion, offers confirmed or expired, cut-offs, whole-parcours groups."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from booking.db import aware
from booking.errors import CutoffPassed, OfferExpired
from booking.services import registrations, workshops
from booking.services.registrations import Registered, RegistrationRequest
from booking.tables import Registration, WorkshopSession
from notifications.tables import OutboxMessage
from tests.integration.workshops.conftest import LINKS, NOW, World, draft, person


async def _setup(world: World, capacity: int = 2, **changes: object) -> tuple[int, list[int]]:
    saved = await workshops.create_series(
        draft(world, capacity=capacity, **changes), staff_id=None, now=NOW
    )
    return saved.series_id, list(saved.created)


async def _register(
    series_id: int, session_id: int | None, n: int, party: int = 1, now: datetime = NOW
) -> Registered:
    return await registrations.register(
        RegistrationRequest(
            series_id=series_id, session_id=session_id, person=person(n), party_size=party
        ),
        now=now,
        links=LINKS,
    )


async def _statuses(*done: Registered) -> list[str]:
    out = []
    for d in done:
        rows = await Registration.select(Registration.status).where(
            Registration.id.is_in(list(d.registration_ids))
        )
        out.append("/".join(sorted({r["status"] for r in rows})))
    return out


async def _start(session_id: int) -> datetime:
    row = (
        await WorkshopSession.select(WorkshopSession.starts_at, WorkshopSession.seats_taken)
        .where(WorkshopSession.id == session_id)
        .first()
    )
    return aware(row["starts_at"])


async def test_cancellation_offers_the_seat_and_the_offer_is_confirmed(world: World) -> None:
    series_id, sessions = await _setup(world)
    a, _b, c, d = [await _register(series_id, sessions[0], n) for n in range(1, 5)]
    later = NOW + timedelta(minutes=5)
    assert await registrations.cancel_by_resident(a.manage_token, now=later, links=LINKS) == 1
    assert await _statuses(a, c, d) == ["cancelled", "offered", "waitlisted"]
    offered = await Registration.select().where(Registration.id == c.registration_ids[0]).first()
    assert aware(offered["offer_expires_at"]) == later + timedelta(minutes=60)
    sms = await OutboxMessage.select().where(OutboxMessage.kind == "waitlist_offer")
    assert len(sms) == 1 and sms[0]["to_phone"] == "+33600000003"
    assert LINKS.manage(await _group(c)) in sms[0]["body"]
    seats = (
        await WorkshopSession.select(WorkshopSession.seats_taken)
        .where(WorkshopSession.id == sessions[0])
        .first()
    )
    assert seats["seats_taken"] == 2  # the offer holds the freed seat
    view = await registrations.by_token(c.manage_token, later)
    assert view.offer_open(later) == later + timedelta(minutes=60)
    assert (
        await registrations.confirm_offer(
            c.manage_token, now=later + timedelta(minutes=30), links=LINKS
        )
        == 1
    )
    assert await _statuses(c) == ["confirmed"]
    confirmed = await OutboxMessage.count().where(
        (OutboxMessage.kind == "workshop_registration")
        & (OutboxMessage.subject_id == c.registration_ids[0])
    )
    assert confirmed == 1
    # Confirming twice is harmless.
    assert await registrations.confirm_offer(c.manage_token, now=later, links=LINKS) == 0


async def _group(done: Registered) -> str:
    row = (
        await Registration.select(Registration.group_key)
        .where(Registration.id == done.registration_ids[0])
        .first()
    )
    return str(row["group_key"])


async def test_an_expired_offer_passes_to_the_next(world: World) -> None:
    series_id, sessions = await _setup(world, capacity=1)
    a, b, c = [await _register(series_id, sessions[0], n) for n in range(1, 4)]
    await registrations.cancel_by_resident(a.manage_token, now=NOW, links=LINKS)
    assert await registrations.expire_offers(NOW + timedelta(minutes=59), LINKS) == 0
    assert await registrations.expire_offers(NOW + timedelta(minutes=60), LINKS) == 1
    assert await _statuses(b, c) == ["expired", "offered"]
    with pytest.raises(OfferExpired):
        await registrations.confirm_offer(
            b.manage_token, now=NOW + timedelta(minutes=61), links=LINKS
        )
    # Before the job runs, a late confirmation is refused all the same.
    with pytest.raises(OfferExpired):
        await registrations.confirm_offer(
            c.manage_token, now=NOW + timedelta(minutes=125), links=LINKS
        )
    offers = (
        await OutboxMessage.select(OutboxMessage.to_phone)
        .where(OutboxMessage.kind == "waitlist_offer")
        .order_by(OutboxMessage.id)
    )
    assert [o["to_phone"] for o in offers] == ["+33600000002", "+33600000003"]


async def test_the_next_that_fits_is_promoted(world: World) -> None:
    series_id, sessions = await _setup(world, capacity=2)
    a, _b = [await _register(series_id, sessions[0], n) for n in (1, 2)]
    pair = await _register(series_id, sessions[0], 3, party=2)
    single = await _register(series_id, sessions[0], 4)
    await registrations.cancel_by_resident(a.manage_token, now=NOW, links=LINKS)
    assert await _statuses(pair, single) == ["waitlisted", "offered"]


async def test_no_promotion_inside_the_cutoff_or_after_the_start(world: World) -> None:
    series_id, sessions = await _setup(world, capacity=1)
    a, b = [await _register(series_id, sessions[0], n) for n in (1, 2)]
    start = await _start(sessions[0])
    await registrations.cancel_by_resident(
        a.manage_token, now=start - timedelta(minutes=119), links=LINKS
    )
    assert await _statuses(a, b) == ["cancelled", "waitlisted"]
    assert await OutboxMessage.count().where(OutboxMessage.kind == "waitlist_offer") == 0
    # After the start nothing can be cancelled online any more.
    series_2, sessions_2 = await _setup(world, capacity=1, title="Emploi", counsellor_ids=())
    c, _d = [await _register(series_2, sessions_2[0], n) for n in (3, 4)]
    started = await _start(sessions_2[0]) + timedelta(minutes=1)
    with pytest.raises(CutoffPassed):
        await registrations.cancel_by_resident(c.manage_token, now=started, links=LINKS)


async def test_offer_ends_at_the_session_start_at_the_latest(world: World) -> None:
    series_id, sessions = await _setup(world, capacity=1, offer_minutes=1440)
    a, b = [await _register(series_id, sessions[0], n) for n in (1, 2)]
    start = await _start(sessions[0])
    moment = start - timedelta(hours=5)
    await registrations.cancel_by_resident(a.manage_token, now=moment, links=LINKS)
    row = await Registration.select().where(Registration.id == b.registration_ids[0]).first()
    assert row["status"] == "offered" and aware(row["offer_expires_at"]) == start


async def test_parcours_groups_are_promoted_whole_or_not_at_all(world: World) -> None:
    series_id, sessions = await _setup(
        world,
        capacity=1,
        registration_mode="both",
        rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=2",
        first_day=date(2026, 11, 24),
    )
    whole_a = await _register(series_id, None, 1)
    whole_b = await _register(series_id, None, 2)
    second_only = await _register(series_id, sessions[1], 3)
    assert await _statuses(whole_a, whole_b, second_only) == [
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]
    # Staff cancels A's first session only: B needs both sessions, so it is not offered.
    first_row = (
        await Registration.select(Registration.id)
        .where(
            (Registration.id.is_in(list(whole_a.registration_ids)))
            & (Registration.session == sessions[0])
        )
        .first()
    )["id"]
    await registrations.cancel_by_staff(first_row, staff_id=world.staff_id, now=NOW, links=LINKS)
    assert await _statuses(whole_b, second_only) == ["waitlisted", "waitlisted"]
    # A gives up the rest: B (first in line) is offered both seats, the later one waits.
    await registrations.cancel_by_resident(whole_a.manage_token, now=NOW, links=LINKS)
    assert await _statuses(whole_b, second_only) == ["offered", "waitlisted"]
    offers = await OutboxMessage.count().where(OutboxMessage.kind == "waitlist_offer")
    assert offers == 1  # one SMS for the whole parcours


async def test_the_periodic_job_offers_seats_a_past_session_was_blocking(world: World) -> None:
    series_id, sessions = await _setup(
        world, capacity=1, registration_mode="both", rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=3"
    )
    await _register(series_id, sessions[0], 1)  # takes the first session's only seat
    whole = await _register(series_id, None, 2)
    assert await _statuses(whole) == ["waitlisted"]
    assert await registrations.expire_offers(NOW, LINKS) == 0
    assert await _statuses(whole) == ["waitlisted"]
    # Once the first session has taken place, the rest of the parcours is offered.
    after_first = await _start(sessions[0]) + timedelta(hours=3)
    await registrations.expire_offers(after_first, LINKS)
    rows = await Registration.select(Registration.session, Registration.status).where(
        Registration.id.is_in(list(whole.registration_ids))
    )
    assert {r["session"]: r["status"] for r in rows} == {
        sessions[0]: "waitlisted",
        sessions[1]: "offered",
        sessions[2]: "offered",
    }
