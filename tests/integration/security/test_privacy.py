"""Personal data: retention, export, erasure, and none of it in logs."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import httpx
import pytest

from booking.services.privacy import apply_retention
from booking.tables import Appointment, AuditLog, Resident
from notifications.tables import OutboxMessage
from tests.integration.booking.helpers import booking_body, first_slot, staff_headers
from tests.support.clock import FrozenClock
from tests.support.fixtures import sign_in


async def book(client: httpx.AsyncClient, demo: dict[str, Any], **person: Any) -> dict[str, Any]:
    service = demo["service"]["rance/demarches"]
    slot = await first_slot(client, service)
    response = await client.post("/api/public/appointments",
                                 json=booking_body(slot, service, **person))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_booking_flow_logs_no_personal_data(
    client: httpx.AsyncClient, demo: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    booked = await book(client, demo, first_name="Gwenaëlle", last_name="Kerhervé",
                        phone="06 55 44 33 22", email="gwen@example.org")
    token = booked["manage_url"].rsplit("/", 1)[1]
    await client.get(f"/api/public/appointments/{token}")
    await client.post(f"/api/public/appointments/{token}/cancel")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("Gwenaëlle", "Kerhervé", "55 44 33 22", "+33655443322", "gwen@example.org",
                   token):
        assert secret not in logged


async def test_retention_anonymises_inactive_residents_only(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock
) -> None:
    await book(client, demo, first_name="Ancien", phone="06 10 10 10 10")
    clock.advance(timedelta(days=800))
    done = await apply_retention(now=clock(), months=24)
    assert done["anonymised"] == 1
    resident = await Resident.objects().first()
    assert resident is not None
    assert (resident.first_name, resident.phone, resident.anonymised_at is not None) == (
        "Anonyme", "", True)
    assert await Appointment.count() == 1  # history kept, unlinked from the person
    assert await OutboxMessage.count() == 0
    assert await AuditLog.count().where(AuditLog.action == "retention.run") == 1


async def test_recent_residents_are_kept(client: httpx.AsyncClient, demo: dict[str, Any],
                                         clock: FrozenClock) -> None:
    await book(client, demo)
    done = await apply_retention(now=clock() + timedelta(days=30), months=24)
    assert done["anonymised"] == 0
    assert (await Resident.objects().first()).phone == "+33612345678"  # type: ignore[union-attr]


async def test_export_and_erase_by_a_coordinator(client: httpx.AsyncClient,
                                                 demo: dict[str, Any]) -> None:
    await book(client, demo, first_name="Soizic")
    resident = await Resident.objects().first()
    assert resident is not None
    await sign_in(client, "accueil.gerzat@creneau.demo", "demo-creneau-2026")
    out_of_scope = await client.get(f"/api/staff/residents/{resident.id}/export")
    assert out_of_scope.status_code == 403
    client.cookies.clear()
    await sign_in(client, "coordination.rance@creneau.demo", "demo-creneau-2026")
    export = await client.get(f"/api/staff/residents/{resident.id}/export")
    assert export.status_code == 200
    body = export.json()
    assert body["resident"]["first_name"] == "Soizic" and len(body["appointments"]) == 1
    assert len(body["sms"]) == 3
    erased = await client.post(f"/api/staff/residents/{resident.id}/erase",
                               headers=staff_headers(client))
    assert erased.status_code == 200
    row = await Resident.objects().where(Resident.id == resident.id).first()
    assert row is not None and row.first_name == "Anonyme" and row.phone == ""
    appointment = await Appointment.objects().first()
    assert appointment is not None and appointment.status == "cancelled"
    assert await OutboxMessage.count() == 0
    actions = {r["action"] for r in await AuditLog.select(AuditLog.action)}
    assert {"resident.export", "resident.erase"} <= actions
