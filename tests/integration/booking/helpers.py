"""Shared steps for appointment tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

RESIDENT = {"first_name": "Jeanne", "last_name": "Le Bihan", "phone": "06 12 34 56 78",
            "email": "", "sms_consent": True}


async def first_slot(client: httpx.AsyncClient, service_id: int, **scope: int) -> dict[str, Any]:
    response = await client.get("/api/public/slots", params={"service_id": service_id,
                                                             "limit": 5, **scope})
    assert response.status_code == 200, response.text
    slots = response.json()["slots"]
    assert slots, "no slot offered"
    return dict(slots[0])


def booking_body(slot: dict[str, Any], service_id: int, **person: Any) -> dict[str, Any]:
    return {"service_id": service_id, "venue_id": slot["venue_id"],
            "counsellor_id": slot["counsellor_id"], "start": slot["start"],
            **RESIDENT, **person}


def parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def staff_headers(client: httpx.AsyncClient) -> dict[str, str]:
    return {"x-csrftoken": client.cookies.get("csrftoken") or ""}
