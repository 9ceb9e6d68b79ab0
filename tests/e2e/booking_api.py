"""Set-up through the public JSON API (faster than the pages, which the tests check)."""

from __future__ import annotations

from typing import Any

import httpx


async def book(
    base_url: str,
    service_id: int,
    *,
    first_name: str = "Jeanne",
    phone: str = "06 12 34 56 78",
    nth: int = 0,
) -> dict[str, Any]:
    """Book the ``nth`` next free slot of a service; return the answer and the slot."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        slots = (
            await client.get(
                "/api/public/slots", params={"service_id": service_id, "limit": nth + 1}
            )
        ).json()["slots"]
        slot = slots[nth]
        response = await client.post(
            "/api/public/appointments",
            json={
                "service_id": service_id,
                "venue_id": slot["venue_id"],
                "counsellor_id": slot["counsellor_id"],
                "start": slot["start"],
                "first_name": first_name,
                "last_name": "Testeur",
                "phone": phone,
            },
        )
    assert response.status_code == 201, response.text
    return {**response.json(), "slot": slot}


async def call(base_url: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url) as client:
        return await client.request(method, path, **kwargs)
