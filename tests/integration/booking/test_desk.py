"""The phone desk: staff find a resident, see the next slots, book; roles and scopes hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from booking.demo import DEMO_PASSWORD
from booking.tables import Appointment, AvailabilityRule, ConventionCounsellor
from tests.integration.booking.helpers import booking_body, parse, staff_headers
from tests.support.clock import FrozenClock
from tests.support.fixtures import sign_in

PLEUDIHEN_AGENT = "accueil.pleudihen@creneau.demo"


async def staff(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await sign_in(client, email, DEMO_PASSWORD)
    assert response.status_code in (302, 303), response.text
    return staff_headers(client)


async def staff_slots(client: httpx.AsyncClient, service: int, **params: Any) -> list[dict]:
    response = await client.get("/api/staff/slots", params={"service_id": service, **params})
    assert response.status_code == 200, response.text
    return list(response.json()["slots"])


async def test_agent_books_by_phone_at_their_commune(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    service = demo["service"]["rance/suivi-telephone"]  # staff-only service
    pleudihen = demo["commune"]["22197"]
    headers = await staff(client, PLEUDIHEN_AGENT)
    public = await client.get("/api/public/slots", params={"service_id": service})
    assert public.status_code == 404  # not bookable online
    slots = await staff_slots(client, service, commune_id=pleudihen, limit=3)
    assert {s["commune"] for s in slots} == {"Pleudihen-sur-Rance"}
    body = {**booking_body(slots[0], service), "channel": "phone"}
    booked = await client.post("/api/staff/appointments", json=body, headers=headers)
    assert booked.status_code == 201, booked.text
    row = await Appointment.objects().first()
    assert row is not None and row.channel == "phone" and row.created_by is not None

    found = await client.get("/api/staff/residents", params={"phone": "+33 6 12 34 56 78"})
    assert [r["last_name"] for r in found.json()] == ["Le Bihan"]


async def test_staff_writes_need_the_csrf_header(client: httpx.AsyncClient,
                                                 demo: dict[str, Any]) -> None:
    service = demo["service"]["rance/demarches"]
    await staff(client, "admin@creneau.demo")
    slots = await staff_slots(client, service, limit=1)
    response = await client.post("/api/staff/appointments",
                                 json={**booking_body(slots[0], service), "channel": "phone"})
    assert response.status_code == 403
    assert await Appointment.count() == 0


@pytest.mark.parametrize(("email", "venue", "allowed"), [
    ("admin@creneau.demo", "mairie-pleudihen", True),
    ("coordination.rance@creneau.demo", "mairie-pleudihen", True),
    ("conseillere.rance@creneau.demo", "mairie-pleudihen", True),
    (PLEUDIHEN_AGENT, "mairie-pleudihen", True),
    (PLEUDIHEN_AGENT, "epn-vicomte", False),
    ("accueil.gerzat@creneau.demo", "mairie-pleudihen", False),
    ("conseiller.gerzat@creneau.demo", "mairie-pleudihen", False),
])
async def test_booking_scope_per_role(client: httpx.AsyncClient, demo: dict[str, Any],
                                      email: str, venue: str, allowed: bool) -> None:
    service = demo["service"]["rance/demarches"]
    admin = await staff(client, "admin@creneau.demo")
    slots = await staff_slots(client, service, venue_id=demo["venue"][venue], limit=1)
    await client.post("/staff/logout", headers=admin,
                      data={"_csrf_token": ""})
    client.cookies.delete("creneau_session")
    headers = await staff(client, email)
    response = await client.post("/api/staff/appointments", headers=headers,
                                 json={**booking_body(slots[0], service), "channel": "desk"})
    assert response.status_code == (201 if allowed else 403), response.text
    assert await Appointment.count() == (1 if allowed else 0)


async def test_override_needs_a_reason_and_still_never_double_books(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    service = demo["service"]["rance/demarches"]
    headers = await staff(client, "conseillere.rance@creneau.demo")
    off_hours = {"service_id": service, "venue_id": demo["venue"]["mairie-vicomte"],
                 "counsellor_id": demo["counsellor"]["rance"],
                 "start": "2026-11-25T15:00:00Z", "first_name": "Marc", "last_name": "Hamon",
                 "phone": "07 81 23 45 67", "channel": "phone"}
    refused = await client.post("/api/staff/appointments", json=off_hours, headers=headers)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "slot_unavailable"
    forced = await client.post("/api/staff/appointments", headers=headers,
                               json={**off_hours, "override_reason": "Rappel urgent CAF"})
    assert forced.status_code == 201, forced.text
    row = await Appointment.objects().first()
    assert row is not None and row.override_reason == "Rappel urgent CAF"
    clash = await client.post("/api/staff/appointments", headers=headers,
                              json={**off_hours, "first_name": "Lise",
                                    "start": "2026-11-25T15:30:00Z",
                                    "override_reason": "Autre urgence"})
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "slot_taken"


async def test_staff_cancel_with_reason_and_mark_outcome(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock
) -> None:
    service = demo["service"]["rance/demarches"]
    headers = await staff(client, "coordination.rance@creneau.demo")
    first, second = (await staff_slots(client, service, limit=2))[:2]
    ids = []
    for slot, name in ((first, "Anne"), (second, "Yves")):
        response = await client.post("/api/staff/appointments", headers=headers,
                                     json={**booking_body(slot, service, first_name=name),
                                           "channel": "phone"})
        ids.append(response.json()["appointment_id"])
    no_reason = await client.post(f"/api/staff/appointments/{ids[0]}/cancel", headers=headers,
                                  json={"reason": " "})
    assert no_reason.status_code == 422
    cancelled = await client.post(f"/api/staff/appointments/{ids[0]}/cancel", headers=headers,
                                  json={"reason": "Conseillère en formation"})
    assert cancelled.status_code == 200
    row = await Appointment.objects().where(Appointment.id == ids[0]).first()
    assert row is not None and row.status == "cancelled" and row.cancelled_by_kind == "staff"
    early = await client.post(f"/api/staff/appointments/{ids[1]}/outcome", headers=headers,
                              json={"outcome": "attended"})
    assert early.status_code == 422
    clock.set(parse(second["start"]) + timedelta(minutes=50))
    headers = await staff(client, "coordination.rance@creneau.demo")  # the old session expired
    done = await client.post(f"/api/staff/appointments/{ids[1]}/outcome", headers=headers,
                             json={"outcome": "no_show"})
    assert done.status_code == 200
    agenda = await client.get(
        f"/api/staff/counsellors/{demo['counsellor']['rance']}/agenda",
        params={"start": "2026-11-23T00:00:00Z", "end": "2026-12-20T00:00:00Z"})
    assert [a["status"] for a in agenda.json()] == ["cancelled", "no_show"]


async def test_a_counsellor_is_busy_in_every_convention(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    """Camille also serves Gerzat–Royat on Tuesday mornings: a Rance booking removes the
    Gerzat slot at the same time, and the other way round."""
    camille = demo["counsellor"]["rance"]
    await ConventionCounsellor(convention=demo["convention"]["gerzat-royat"],
                               counsellor=camille).save()
    await AvailabilityRule(counsellor=camille, venue=demo["venue"]["mairie-gerzat"],
                           rrule="FREQ=WEEKLY;BYDAY=TU", start_time=datetime(1, 1, 1, 9).time(),
                           end_time=datetime(1, 1, 1, 12).time(),
                           first_day=datetime(2026, 11, 23).date(), service_ids=[]).save()
    rance, gerzat = demo["service"]["rance/demarches"], demo["service"]["gerzat-royat/demarches"]
    tuesday_9 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)

    async def camille_starts(service: int) -> set[datetime]:
        response = await client.get("/api/public/slots", params={
            "service_id": service, "counsellor_id": camille, "limit": 50})
        return {parse(s["start"]) for s in response.json()["slots"]}

    assert tuesday_9 in await camille_starts(gerzat)
    rance_slot = next(s for s in (await client.get("/api/public/slots", params={
        "service_id": rance, "limit": 1})).json()["slots"])
    assert parse(rance_slot["start"]) == tuesday_9
    booked = await client.post("/api/public/appointments", json=booking_body(rance_slot, rance))
    assert booked.status_code == 201
    assert tuesday_9 not in await camille_starts(gerzat)
    gerzat_attempt = {**booking_body(rance_slot, gerzat, first_name="Luc"),
                      "venue_id": demo["venue"]["mairie-gerzat"]}
    refused = await client.post("/api/public/appointments", json=gerzat_attempt)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "slot_taken"
