"""Registration: seats, party size, waiting list, whole parcours, cut-offs, SMS."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking.errors import AlreadyRegistered, CutoffPassed, InvalidInput, SessionFull
from booking.services import registrations, workshops
from booking.services.registrations import RegistrationRequest
from booking.tables import Registration, WorkshopSession
from notifications.tables import OutboxMessage
from tests.integration.workshops.conftest import LINKS, NOW, World, draft, person


async def _series(world: World, **changes: object) -> tuple[int, tuple[int, ...]]:
    saved = await workshops.create_series(draft(world, **changes), staff_id=None, now=NOW)
    return saved.series_id, saved.created


async def _seats(session_id: int) -> int:
    row = (
        await WorkshopSession.select(WorkshopSession.seats_taken)
        .where(WorkshopSession.id == session_id)
        .first()
    )
    return int(row["seats_taken"])


async def test_confirmed_registration_texts_confirmation_and_reminder(world: World) -> None:
    series_id, sessions = await _series(world)
    done = await registrations.register(
        RegistrationRequest(
            series_id=series_id, session_id=sessions[0], person=person(1), party_size=2
        ),
        now=NOW,
        links=LINKS,
    )
    assert done.status == "confirmed" and done.waitlist_position is None
    assert await _seats(sessions[0]) == 2
    sms = (
        await OutboxMessage.select()
        .where(OutboxMessage.subject_kind == "registration")
        .order_by(OutboxMessage.due_at)
    )
    assert [m["kind"] for m in sms] == ["workshop_registration", "workshop_reminder"]
    assert f"https://rdv.example.fr/a/{done.manage_token}" in sms[0]["body"]
    view = await registrations.by_token(done.manage_token, NOW)
    assert view.summary() == "confirmed" and view.rows[0].party_size == 2


async def test_full_session_waitlists_in_arrival_order(world: World) -> None:
    series_id, sessions = await _series(world, capacity=3)
    results = [
        await registrations.register(
            RegistrationRequest(
                series_id=series_id,
                session_id=sessions[0],
                person=person(n),
                party_size=2 if n == 2 else 1,
            ),
            now=NOW,
            links=LINKS,
        )
        for n in range(1, 6)
    ]
    assert [r.status for r in results] == [
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
        "waitlisted",
    ]
    assert [r.waitlist_position for r in results[2:]] == [1, 2, 3]
    assert await _seats(sessions[0]) == 3
    waiting = await OutboxMessage.count().where(
        OutboxMessage.subject_id.is_in([i for r in results[2:] for i in r.registration_ids])
    )
    assert waiting == 0  # nothing is texted while waiting


async def test_party_size_limits_and_duplicates(world: World) -> None:
    series_id, sessions = await _series(world, capacity=2)
    request = RegistrationRequest(series_id=series_id, session_id=sessions[0], person=person(1))
    with pytest.raises(InvalidInput):
        await registrations.register(
            RegistrationRequest(
                series_id=series_id, session_id=sessions[0], person=person(1), party_size=4
            ),
            now=NOW,
            links=LINKS,
        )
    with pytest.raises(SessionFull):
        await registrations.register(
            RegistrationRequest(
                series_id=series_id, session_id=sessions[0], person=person(1), party_size=3
            ),
            now=NOW,
            links=LINKS,
        )
    await registrations.register(request, now=NOW, links=LINKS)
    with pytest.raises(AlreadyRegistered):
        await registrations.register(request, now=NOW, links=LINKS)
    # The same phone with another name (a relative) is another resident.
    other = RegistrationRequest(
        series_id=series_id, session_id=sessions[0], person=person(1, first_name="Mireille")
    )
    assert (await registrations.register(other, now=NOW, links=LINKS)).status == "confirmed"


async def test_whole_parcours_is_all_or_nothing(world: World) -> None:
    series_id, sessions = await _series(world, capacity=1, registration_mode="both")
    # Someone takes the only seat of the third session.
    await registrations.register(
        RegistrationRequest(series_id=series_id, session_id=sessions[2], person=person(1)),
        now=NOW,
        links=LINKS,
    )
    whole = await registrations.register(
        RegistrationRequest(series_id=series_id, person=person(2)), now=NOW, links=LINKS
    )
    assert whole.status == "waitlisted" and len(whole.registration_ids) == 4
    assert [await _seats(s) for s in sessions] == [0, 0, 1, 0]
    other = await registrations.register(
        RegistrationRequest(series_id=series_id, person=person(3), party_size=1),
        now=NOW,
        links=LINKS,
    )
    assert other.status == "waitlisted"
    # A parcours without that clash gets every seat.
    series_2, sessions_2 = await _series(
        world,
        title="Bureautique",
        capacity=1,
        registration_mode="series",
        counsellor_ids=(world.other_counsellor_id,),
    )
    done = await registrations.register(
        RegistrationRequest(series_id=series_2, person=person(4)), now=NOW, links=LINKS
    )
    assert done.status == "confirmed"
    assert [await _seats(s) for s in sessions_2] == [1, 1, 1, 1]
    sms = await OutboxMessage.select(OutboxMessage.kind).where(
        OutboxMessage.subject_id.is_in(list(done.registration_ids))
    )
    kinds = sorted(m["kind"] for m in sms)
    assert kinds == ["workshop_registration"] + ["workshop_reminder"] * 4


async def test_registration_modes(world: World) -> None:
    series_id, sessions = await _series(world, registration_mode="series")
    with pytest.raises(InvalidInput):
        await registrations.register(
            RegistrationRequest(series_id=series_id, session_id=sessions[0], person=person(1)),
            now=NOW,
            links=LINKS,
        )
    single_id, _ = await _series(
        world, title="Sécurité", registration_mode="session", counsellor_ids=()
    )
    with pytest.raises(InvalidInput):
        await registrations.register(
            RegistrationRequest(series_id=single_id, person=person(1)), now=NOW, links=LINKS
        )


async def test_online_cutoff_and_staff_registration(world: World) -> None:
    series_id, sessions = await _series(world)
    start = (
        await WorkshopSession.select(WorkshopSession.starts_at)
        .where(WorkshopSession.id == sessions[0])
        .first()
    )["starts_at"]
    late = start - timedelta(minutes=90)  # cut-off is 120 minutes
    with pytest.raises(CutoffPassed):
        await registrations.register(
            RegistrationRequest(series_id=series_id, session_id=sessions[0], person=person(1)),
            now=late,
            links=LINKS,
        )
    by_phone = await registrations.register(
        RegistrationRequest(
            series_id=series_id,
            session_id=sessions[0],
            person=person(1),
            channel="phone",
            staff_id=world.staff_id,
        ),
        now=late,
        links=LINKS,
    )
    assert by_phone.status == "confirmed"
    row = await Registration.select().where(Registration.id == by_phone.registration_ids[0]).first()
    assert row["channel"] == "phone" and row["created_by"] == world.staff_id
    with pytest.raises(InvalidInput):
        await registrations.register(
            RegistrationRequest(
                series_id=series_id, session_id=sessions[0], person=person(2), channel="phone"
            ),
            now=NOW,
            links=LINKS,
        )
    # Whole parcours after the first session's cut-off: the remaining sessions only.
    series_2, _ = await _series(
        world, title="Emploi", registration_mode="series", counsellor_ids=()
    )
    rest = await registrations.register(
        RegistrationRequest(series_id=series_2, person=person(3)), now=late, links=LINKS
    )
    assert len(rest.registration_ids) == 3
