"""Residents book, see, cancel and move an appointment through the public API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from booking.tables import Appointment, AuditLog, Resident
from notifications.tables import OutboxMessage
from tests.integration.booking.helpers import RESIDENT, booking_body, first_slot, parse
from tests.support.clock import FrozenClock


def ids(demo: dict[str, Any]) -> tuple[int, int]:
    return demo["service"]["rance/demarches"], demo["commune"]["22382"]


async def test_next_slots_follow_the_rules(client: httpx.AsyncClient,
                                           demo: dict[str, Any]) -> None:
    service, _ = ids(demo)
    response = await client.get("/api/public/slots", params={"service_id": service, "limit": 6})
    slots = response.json()["slots"]
    # Monday 23 Nov 2026 08:00 Paris: the next permanence is Tuesday 09:00 at the EPN.
    # 45 minutes plus 15 for notes: one slot an hour; Thursday afternoon at Pleudihen next.
    assert [parse(s["start"]) for s in slots[:4]] == [
        datetime(2026, 11, 24, 8, 0, tzinfo=UTC), datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 24, 10, 0, tzinfo=UTC), datetime(2026, 11, 26, 13, 0, tzinfo=UTC)]
    assert slots[0]["venue"] == "Espace public numérique de la médiathèque"
    assert slots[0]["label"] == "mar. 24 nov. à 9h00"
    assert slots[3]["commune"] == "Pleudihen-sur-Rance"


async def test_book_online_then_the_slot_is_gone(client: httpx.AsyncClient,
                                                 demo: dict[str, Any]) -> None:
    service, commune = ids(demo)
    slot = await first_slot(client, service, commune_id=commune)
    response = await client.post("/api/public/appointments", json=booking_body(slot, service))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["manage_url"].startswith("http://127.0.0.1:8000/r/")
    assert len(body["manage_url"].rsplit("/", 1)[1]) >= 32
    appointment = await Appointment.objects().first()
    assert appointment is not None and appointment.channel == "online"
    assert appointment.created_by is None and appointment.status == "booked"
    resident = await Resident.objects().first()
    assert resident is not None and resident.phone == "+33612345678"
    kinds = [m["kind"] for m in await OutboxMessage.select(OutboxMessage.kind)
             .order_by(OutboxMessage.due_at)]
    assert kinds == ["appointment_confirmation", "appointment_reminder", "appointment_reminder"]
    assert await AuditLog.count().where(AuditLog.action == "appointment.book") == 1

    again = await first_slot(client, service, commune_id=commune)
    assert again["start"] != slot["start"]
    taken = await client.post("/api/public/appointments",
                              json=booking_body(slot, service, first_name="Paul"))
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "slot_taken"
    assert await Appointment.count() == 1


async def test_refusals_have_stable_codes_and_write_nothing(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock
) -> None:
    service, commune = ids(demo)
    slot = await first_slot(client, service, commune_id=commune)
    cases = [
        (booking_body(slot, service, phone="01 23 45 67 89"), 422, "invalid_phone"),
        (booking_body(slot, service, phone="+44 7700 900123"), 422, "invalid_phone"),
        (booking_body(slot, service, first_name="  "), 422, "invalid_input"),
        ({**booking_body(slot, service), "service_id": 999999}, 404, "unknown_service"),
        ({**booking_body(slot, service), "start": "2026-11-24T08:30:00Z"}, 409,
         "slot_unavailable"),
        ({**booking_body(slot, service), "start": "2026-11-23T07:30:00Z"}, 422, "outside_notice"),
        ({**booking_body(slot, service), "start": "2027-06-01T07:00:00Z"}, 422,
         "outside_horizon"),
        ({**booking_body(slot, service), "start": "2026-11-24T08:00:00"}, 422, "invalid_input"),
        ({**booking_body(slot, service), "surprise": 1}, 400, "invalid_input"),
        ({**booking_body(slot, service), "service_id": "abc"}, 400, "invalid_input"),
    ]
    for body, status, code in cases:
        response = await client.post("/api/public/appointments", json=body)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), body
    assert await Appointment.count() == 0 and await Resident.count() == 0
    assert await OutboxMessage.count() == 0


async def test_overseas_mobile_numbers_are_normalised(client: httpx.AsyncClient,
                                                      demo: dict[str, Any]) -> None:
    service, commune = ids(demo)
    slot = await first_slot(client, service, commune_id=commune)
    response = await client.post("/api/public/appointments",
                                 json=booking_body(slot, service, phone="0692 12 34 56"))
    assert response.status_code == 201, response.text
    resident = await Resident.objects().first()
    assert resident is not None and resident.phone == "+262692123456"


async def test_manage_cancel_keeps_the_row(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    service, commune = ids(demo)
    slot = await first_slot(client, service, commune_id=commune)
    booked = (await client.post("/api/public/appointments",
                                json=booking_body(slot, service))).json()
    token = booked["manage_url"].rsplit("/", 1)[1]
    shown = (await client.get(f"/api/public/appointments/{token}")).json()
    assert shown["status"] == "booked" and shown["can_change"] is True
    assert RESIDENT["last_name"] not in str(shown)
    cancelled = await client.post(f"/api/public/appointments/{token}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    row = await Appointment.objects().first()
    assert row is not None and row.cancelled_by_kind == "resident" and row.sequence == 1
    again = await client.post(f"/api/public/appointments/{token}/cancel")
    assert again.status_code == 409
    statuses = {m["kind"]: m["status"] for m in await OutboxMessage.select(
        OutboxMessage.kind, OutboxMessage.status)}
    assert statuses["appointment_reminder"] == "cancelled"
    assert statuses["appointment_cancelled_by_resident"] == "pending"
    # The freed slot is offered again.
    assert (await first_slot(client, service, commune_id=commune))["start"] == slot["start"]
    assert (await client.get("/api/public/appointments/not-a-token")).status_code == 404


async def test_cutoff_blocks_late_changes(client: httpx.AsyncClient, demo: dict[str, Any],
                                          clock: FrozenClock) -> None:
    service, commune = ids(demo)
    slot = await first_slot(client, service, commune_id=commune)
    booked = (await client.post("/api/public/appointments",
                                json=booking_body(slot, service))).json()
    token = booked["manage_url"].rsplit("/", 1)[1]
    clock.set(parse(slot["start"]) - timedelta(hours=1))
    refused = await client.post(f"/api/public/appointments/{token}/cancel")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "cutoff_passed"
    row = await Appointment.objects().first()
    assert row is not None and row.status == "booked"


async def test_reschedule_takes_the_new_slot_before_releasing_the_old(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    service, commune = ids(demo)
    response = await client.get("/api/public/slots", params={"service_id": service, "limit": 3,
                                                             "commune_id": commune})
    first, second, third = response.json()["slots"]
    booked = (await client.post("/api/public/appointments",
                                json=booking_body(first, service))).json()
    token = booked["manage_url"].rsplit("/", 1)[1]
    other = (await client.post("/api/public/appointments",
                               json=booking_body(third, service, first_name="Paul"))).json()
    assert other["appointment_id"]
    taken = await client.post(f"/api/public/appointments/{token}/reschedule",
                              json={k: third[k] for k in ("start", "venue_id", "counsellor_id")})
    assert taken.status_code == 409
    assert (await client.get(f"/api/public/appointments/{token}")).json()["status"] == "booked"
    moved = await client.post(f"/api/public/appointments/{token}/reschedule",
                              json={k: second[k] for k in ("start", "venue_id", "counsellor_id")})
    assert moved.status_code == 200, moved.text
    assert (await client.get(f"/api/public/appointments/{token}")).json()["status"] == "cancelled"
    new_token = moved.json()["manage_url"].rsplit("/", 1)[1]
    assert (await client.get(f"/api/public/appointments/{new_token}")).json()["status"] == "booked"
    rows = await Appointment.select(Appointment.status, Appointment.rescheduled_from).order_by(
        Appointment.id)
    assert [r["status"] for r in rows] == ["cancelled", "booked", "booked"]
    assert rows[2]["rescheduled_from"] == booked["appointment_id"]
    kinds = {m["kind"] for m in await OutboxMessage.select(OutboxMessage.kind).where(
        OutboxMessage.status == "pending")}
    assert "appointment_rescheduled" in kinds
    assert "appointment_cancelled_by_resident" not in kinds
