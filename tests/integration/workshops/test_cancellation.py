"""Cancelling a session cascades to every registration; attendance on the day."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking.db import aware
from booking.errors import AlreadyCancelled, InvalidInput
from booking.services import registrations, workshops
from booking.services.registrations import RegistrationRequest
from booking.services.workshop_attendance import mark_attendance, record_attendance
from booking.tables import AuditLog, Registration, WorkshopSession
from notifications.tables import OutboxMessage
from tests.integration.workshops.conftest import LINKS, NOW, World, draft, person


async def test_cancelling_a_session_tells_every_registrant(world: World) -> None:
    saved = await workshops.create_series(
        draft(world, capacity=2, registration_mode="both"), staff_id=None, now=NOW
    )
    first, second = saved.created[:2]
    done = [
        await registrations.register(
            RegistrationRequest(series_id=saved.series_id, session_id=first, person=person(n)),
            now=NOW,
            links=LINKS,
        )
        for n in (1, 2, 3)
    ]
    whole = await registrations.register(
        RegistrationRequest(series_id=saved.series_id, person=person(4, sms_consent=False)),
        now=NOW,
        links=LINKS,
    )
    await registrations.cancel_by_resident(done[0].manage_token, now=NOW, links=LINKS)
    # Now: #2 confirmed, #3 offered, #4 (no SMS consent) waitlisted in the first session.
    told = await workshops.cancel_session(
        first, staff_id=world.staff_id, now=NOW, links=LINKS, reason="Animatrice malade"
    )
    assert told == 3
    rows = await Registration.select(
        Registration.status, Registration.cancelled_by_kind, Registration.session
    ).where(Registration.session == first)
    assert sorted((r["status"], r["cancelled_by_kind"]) for r in rows) == [
        ("cancelled", "resident"),
        ("cancelled", "staff"),
        ("cancelled", "staff"),
        ("cancelled", "staff"),
    ]
    session = await WorkshopSession.select().where(WorkshopSession.id == first).first()
    assert session["status"] == "cancelled" and session["seats_taken"] == 0
    sms = await OutboxMessage.select().where(OutboxMessage.kind == "session_cancelled")
    assert sorted(m["to_phone"] for m in sms) == ["+33600000002", "+33600000003"]
    assert all("https://rdv.example.fr/atelier/" in m["body"] for m in sms)
    pending = await OutboxMessage.count().where(
        (OutboxMessage.status == "pending")
        & (OutboxMessage.kind == "workshop_reminder")
        & OutboxMessage.subject_id.is_in([r for d in done for r in d.registration_ids])
    )
    assert pending == 0
    # The whole-parcours registration waited only because the first session was full: it
    # keeps its other sessions and is now offered their seats.
    others = await Registration.select(Registration.status).where(
        Registration.id.is_in(list(whole.registration_ids)) & (Registration.session != first)
    )
    assert [r["status"] for r in others] == ["offered"] * 3
    assert (
        await Registration.count().where(
            (Registration.session == second) & (Registration.status != "cancelled")
        )
        == 1
    )
    with pytest.raises(AlreadyCancelled):
        await workshops.cancel_session(first, staff_id=world.staff_id, now=NOW, links=LINKS)
    audit = await AuditLog.select().where(AuditLog.action == "workshop_session.cancel")
    assert audit[0]["actor_id"] == world.staff_id


async def test_attendance_is_marked_on_the_day(world: World) -> None:
    saved = await workshops.create_series(draft(world), staff_id=None, now=NOW)
    session = saved.created[0]
    done = [
        await registrations.register(
            RegistrationRequest(series_id=saved.series_id, session_id=session, person=person(n)),
            now=NOW,
            links=LINKS,
        )
        for n in (1, 2, 3)
    ]
    ids = [d.registration_ids[0] for d in done]
    with pytest.raises(InvalidInput):
        await record_attendance(session, ids[:2], staff_id=world.staff_id, now=NOW)
    start = aware(
        (
            await WorkshopSession.select(WorkshopSession.starts_at)
            .where(WorkshopSession.id == session)
            .first()
        )["starts_at"]
    )
    during = start + timedelta(minutes=20)
    assert await record_attendance(session, ids[:2], staff_id=world.staff_id, now=during) == (2, 1)
    await mark_attendance(ids[2], "attended", staff_id=world.staff_id, now=during)
    statuses = [
        r["status"]
        for r in await Registration.select(Registration.status)
        .where(Registration.id.is_in(ids))
        .order_by(Registration.id)
    ]
    assert statuses == ["attended", "attended", "attended"]
    with pytest.raises(InvalidInput):
        await mark_attendance(ids[0], "maybe", staff_id=world.staff_id, now=during)
