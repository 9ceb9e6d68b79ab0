"""A booking through the public API sends a fixed set of statements, counted at the engine
(``BEGIN`` and ``COMMIT`` go through the transaction and are not counted): two rate-limit
upserts, the service, the scope check (on PostgreSQL with the counsellor's lock and the
residents of the phone), the slot's re-check (two), the resident, the appointment, the
SMS outbox (one multi-row insert), the audit."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from booking.db import is_postgres
from booking.tables import Resident
from notifications.tables import OutboxMessage
from tests.integration.booking.helpers import booking_body
from tests.support.statements import recorded

ON_POSTGRES = 10
ON_SQLITE = 11  # the residents of the phone are read by a statement of their own


async def test_a_booking_sends_a_fixed_number_of_statements(
    client: httpx.AsyncClient, demo: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    service = demo["service"]["rance/demarches"]
    response = await client.get("/api/public/slots", params={"service_id": service, "limit": 2})
    first, second = response.json()["slots"]
    counts = []
    for slot in (first, second):  # a new resident, then the same one again (an update)
        with recorded(monkeypatch) as seen:
            booked = await client.post("/api/public/appointments",
                                       json=booking_body(slot, service))
        assert booked.status_code == 201, booked.text
        counts.append(len(seen))
    assert counts == [ON_POSTGRES if is_postgres() else ON_SQLITE] * 2
    assert await Resident.count() == 1
    assert await OutboxMessage.count() == 6  # a confirmation and two reminders each
