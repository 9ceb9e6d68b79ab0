"""The slot search and the staff agenda run a fixed number of SQL queries, whatever the
number of appointments and rules (no N+1): counted at the engine, on both engines."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractContextManager
from datetime import time, timedelta
from typing import Any

import httpx
import pytest

from bench.generate import Dataset, Scale, add_appointments, generate
from booking.services.agenda import agenda
from booking.services.slot_search import Scope, search_slots
from booking.tables import Appointment, AvailabilityRule, Venue
from tests.support.fixtures import DEFAULT_NOW
from tests.support.statements import recorded

SMALL = Scale(counsellors=12, communes=6, appointments=10, workshop_sessions=40, seed=7)
WINDOW = timedelta(days=60)
PINNED = {
    "slots of a commune": 3,
    "slots of a convention": 3,
    "next slots of a counsellor": 3,
    "agenda of a counsellor": 1,
    "agenda of a commune": 1,
    "GET /api/public/slots": 3,
}


def counted(monkeypatch: pytest.MonkeyPatch) -> AbstractContextManager[list[str]]:
    """Every statement sent through the engine (ORM queries and raw SQL alike)."""
    return recorded(monkeypatch)


@pytest.fixture
async def dataset(db: None) -> AsyncIterator[Dataset]:
    yield await generate(SMALL, now=DEFAULT_NOW, progress=lambda _: None)


def reads(data: Dataset, client: httpx.AsyncClient) -> dict[str, Callable[[], Awaitable[Any]]]:
    now, end = DEFAULT_NOW, DEFAULT_NOW + WINDOW
    counsellor = data.plan.counsellors_of_convention[data.convention_id][0]
    return {
        "slots of a commune": lambda: search_slots(
            service_id=data.service_id,
            scope=Scope(commune_id=data.commune_id),
            now=now,
            start=now,
            end=end,
        ),
        "slots of a convention": lambda: search_slots(
            service_id=data.service_id, scope=Scope(), now=now, start=now, end=end
        ),
        "next slots of a counsellor": lambda: search_slots(
            service_id=data.service_id,
            scope=Scope(counsellor_id=counsellor),
            now=now,
            staff=True,
            limit=5,
        ),
        "agenda of a counsellor": lambda: agenda(start=now, end=end, counsellor_id=counsellor),
        "agenda of a commune": lambda: agenda(start=now, end=end, commune_id=data.commune_id),
        "GET /api/public/slots": lambda: client.get(
            "/api/public/slots",
            params={"service_id": data.service_id, "commune_id": data.commune_id},
        ),
    }


async def count_each(
    data: Dataset, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> dict[str, list[str]]:
    found = {}
    for name, read in reads(data, client).items():
        with counted(monkeypatch) as seen:
            await read()
        found[name] = seen
    return found


async def more_rules(data: Dataset, count: int) -> None:
    venues = await Venue.select(Venue.id).where(Venue.commune == data.commune_id)
    counsellors = data.plan.counsellors_of_convention[data.convention_id]
    for n in range(count):
        await AvailabilityRule(
            counsellor=counsellors[n % len(counsellors)],
            venue=venues[n % len(venues)]["id"],
            service_ids=[],
            start_time=time(8, 0),
            end_time=time(8, 45),
            rrule="FREQ=WEEKLY;BYDAY=SA",
            first_day=DEFAULT_NOW.date() - timedelta(days=7 * n),
        ).save()


async def test_reads_do_not_grow_with_appointments_and_rules(
    dataset: Dataset, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = await count_each(dataset, client, monkeypatch)
    slots_before = len(
        (
            await search_slots(
                service_id=dataset.service_id,
                scope=Scope(commune_id=dataset.commune_id),
                now=DEFAULT_NOW,
            )
        ).slots
    )
    await add_appointments(dataset, 90, progress=lambda _: None)
    await more_rules(dataset, 12)
    assert await Appointment.count() == 100
    large = await count_each(dataset, client, monkeypatch)
    slots_after = len(
        (
            await search_slots(
                service_id=dataset.service_id,
                scope=Scope(commune_id=dataset.commune_id),
                now=DEFAULT_NOW,
            )
        ).slots
    )
    assert slots_after != slots_before  # the data did change what the searches see
    for name, pinned in PINNED.items():
        assert len(small[name]) == len(large[name]) == pinned, (name, small[name], large[name])
