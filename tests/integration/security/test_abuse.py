"""Public abuse: honeypot, limits per address and per phone, staff limited per account."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from booking.tables import Appointment, RateCounter
from tests.integration.booking.helpers import booking_body, first_slot


@pytest.fixture
def settings(tmp_path: Any) -> Any:
    import os

    from booking.settings import load_settings

    return load_settings({**os.environ, "CRENEAU_BOOKING_RATE_PER_HOUR": "3",
                          "CRENEAU_BOOKING_RATE_PER_PHONE_DAY": "2", "CRENEAU_DISPATCHER": "off"})


async def test_honeypot_writes_nothing(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    service = demo["service"]["rance/demarches"]
    slot = await first_slot(client, service)
    response = await client.post("/api/public/appointments",
                                 json={**booking_body(slot, service), "website": "http://spam"})
    assert response.status_code == 422
    assert await Appointment.count() == 0


async def test_limits_per_phone_then_per_address(client: httpx.AsyncClient,
                                                 demo: dict[str, Any]) -> None:
    service = demo["service"]["rance/demarches"]
    response = await client.get("/api/public/slots", params={"service_id": service, "limit": 4})
    slots = response.json()["slots"]
    codes = []
    for i, slot in enumerate(slots[:3]):
        body = booking_body(slot, service, first_name=f"Essai{'abc'[i]}")
        codes.append((await client.post("/api/public/appointments", json=body)).status_code)
    assert codes == [201, 201, 429]  # the same mobile: 2 a day
    other = booking_body(slots[3], service, phone="07 11 22 33 44")
    assert (await client.post("/api/public/appointments", json=other)).status_code == 429
    assert await Appointment.count() == 2
    keys = [r["key"] for r in await RateCounter.select(RateCounter.key)]
    assert all("+33" not in k and "203.0.113" not in k for k in keys)


async def test_other_addresses_are_not_limited(app: Any, demo: dict[str, Any]) -> None:
    service = demo["service"]["rance/demarches"]
    for n, address in enumerate(("198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4")):
        transport = httpx.ASGITransport(app=app, client=(address, 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            for _ in range(3):
                ok = await c.get("/api/public/slots", params={"service_id": service})
                assert ok.status_code == 200
            slot = await first_slot(c, service)
            body = booking_body(slot, service, phone=f"06 98 76 54 3{n}")
            assert (await c.post("/api/public/appointments", json=body)).status_code == 201


async def test_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/staff/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    scripts = re.findall(r"<script[^>]*>", response.text)
    assert all('src="/static/' in tag for tag in scripts), scripts  # no inline script


async def test_page_ids_too_large_for_the_database_are_not_found(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    from tests.support.fixtures import sign_in

    await sign_in(client, "admin@creneau.demo", "demo-creneau-2026")
    response = await client.get(f"/staff/workshops/series/{10**25}")
    assert response.status_code == 404


async def test_text_the_database_cannot_store_is_refused(client: httpx.AsyncClient,
                                                         demo: dict[str, Any]) -> None:
    response = await client.get("/api/public/workshops", params={"convention": "a\x00b"})
    assert response.status_code in (400, 404, 422)
