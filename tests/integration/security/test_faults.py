"""Faults: the database going away gives a clean 503 and the service recovers; a failing SMS
provider never blocks a booking."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from booking.db import engine, is_postgres
from notifications.sender_base import TransientSendError
from notifications.tables import OutboxMessage
from tests.integration.booking.helpers import booking_body, first_slot


async def _break_database() -> Any:
    """Cut the database from under the app; return how to bring it back."""
    if is_postgres():
        await engine().run_ddl(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return None
    path = Path(os.environ["DATABASE_URL"].removeprefix("sqlite:///"))
    moved = path.with_suffix(".away")
    os.rename(path, moved)
    return lambda: (path.unlink(missing_ok=True), moved.rename(path))


async def test_database_going_away_gives_503_then_recovers(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    service = demo["service"]["rance/demarches"]
    assert (await first_slot(client, service))["start"]
    restore = await _break_database()
    statuses = []
    for _ in range(3):
        response = await client.get("/api/public/slots", params={"service_id": service})
        statuses.append(response.status_code)
        if response.status_code == 503:
            assert response.json()["error"]["code"] == "service_unavailable"
            assert response.headers["retry-after"] == "5"
    if restore is None:  # PostgreSQL: the pool replaces the dead connections by itself
        assert statuses[0] in (200, 503) and statuses[-1] == 200
    else:
        assert statuses == [503, 503, 503]
        restore()
    assert (await client.get("/api/public/slots", params={"service_id": service})).status_code \
        == 200


class FailingSender:
    name = "failing"

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def send(self, *, to: str, body: str, status_callback: str | None) -> Any:
        raise TransientSendError("provider down", status=503)

    async def find_sent(self, *, to: str, body: str, since: datetime) -> None:
        return None


@pytest.fixture
def sms_sender() -> FailingSender:
    return FailingSender()


async def test_a_failing_sms_provider_never_blocks_a_booking(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    service = demo["service"]["rance/demarches"]
    slot = await first_slot(client, service)
    response = await client.post("/api/public/appointments", json=booking_body(slot, service))
    assert response.status_code == 201
    assert await OutboxMessage.count().where(OutboxMessage.status == "pending") == 3
