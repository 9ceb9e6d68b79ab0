"""The slot cache answers exactly what a fresh search answers, and forgets as soon as the
database says availability changed: on every watched table, from any writer (another
connection stands for another process), and not for writes that leave availability alone."""

from __future__ import annotations

import asyncio
import importlib
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest

from bench.generate import Dataset, Scale, generate
from booking.db import engine
from booking.services.availability_changes import LISTENER_NAME, AvailabilityChanges
from booking.services.slot_cache import SlotCache
from booking.services.slot_search import Scope, SlotSearch, considered_counsellors, search_slots
from booking.tables import Venue
from tests.integration.booking.helpers import booking_body, parse
from tests.support.clock import FrozenClock
from tests.support.fixtures import DEFAULT_NOW
from tests.support.statements import recorded

TRIGGERS = importlib.import_module("migrations.booking.booking_2026_12_01t02_50_00_000000")
SMALL = Scale(counsellors=12, communes=6, appointments=40, workshop_sessions=40, seed=11)
TABLE_NAME = re.compile(r"\b(?:FROM|JOIN)\s+\"?([a-z_]+)\"?", re.IGNORECASE)


@pytest.fixture
async def dataset(db: None) -> Dataset:
    return await generate(SMALL, now=DEFAULT_NOW, progress=lambda _: None)


@pytest.fixture
async def changes(db: None) -> AsyncIterator[AvailabilityChanges]:
    watcher = AvailabilityChanges()
    await watcher.start()
    yield watcher
    await watcher.stop()


WRITER = """
import asyncio, sqlite3, sys
url, sql = sys.argv[1], sys.argv[2]
if url.startswith("sqlite:///"):
    with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as conn:
        conn.execute(sql)
else:
    import asyncpg

    async def write():
        conn = await asyncpg.connect(url)
        await conn.execute(sql)
        await conn.close()

    asyncio.run(write())
"""


async def outside_write(sql: str) -> None:
    """A write committed by another process. The call blocks this event loop on purpose:
    the listener cannot read the notification before the next search asks."""
    subprocess.run(  # noqa: ASYNC221
        [sys.executable, "-c", WRITER, os.environ["DATABASE_URL"], sql], check=True, timeout=60
    )


def _same(cached: SlotSearch, fresh: SlotSearch) -> None:
    assert cached.slots == fresh.slots
    assert cached.venues == fresh.venues
    assert cached.counsellors == fresh.counsellors
    assert cached.service == fresh.service


async def test_search_reads_only_tables_whose_changes_are_announced(
    dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adding a table to the search without a trigger would serve stale slots: caught here."""
    counsellor = dataset.plan.counsellors_of_convention[dataset.convention_id][0]
    with recorded(monkeypatch, ddl=False) as seen:
        for scope in (Scope(), Scope(commune_id=dataset.commune_id),
                      Scope(counsellor_id=counsellor)):
            await search_slots(service_id=dataset.service_id, scope=scope, now=DEFAULT_NOW)
    read = {name.lower() for sql in seen for name in TABLE_NAME.findall(sql)}
    assert len(seen) == 9 and "appointment" in read, seen
    assert read <= set(TRIGGERS.WATCHED), read - set(TRIGGERS.WATCHED)


async def _first_id(table: str) -> int:
    rows = await engine().run_ddl(f"SELECT MIN(id) AS id FROM {table}")
    assert rows and rows[0]["id"] is not None, f"the data set has no {table}"
    return int(rows[0]["id"])


@pytest.mark.parametrize("table", sorted(TRIGGERS.WATCHED))
async def test_every_watched_table_announces_its_changes(
    dataset: Dataset, changes: AvailabilityChanges, table: str
) -> None:
    column = (TRIGGERS.WATCHED[table] or ("id",))[0]
    row = await _first_id(table)
    before = await changes.version()
    assert before is not None
    await outside_write(f"UPDATE {table} SET {column} = {column} WHERE id = {row}")
    after = await changes.version()
    assert after is not None and after != before


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE workshop_session SET seats_taken = seats_taken + 1 WHERE id = {session}",
        "UPDATE appointment SET updated_at = updated_at WHERE id = {appointment}",
        "UPDATE resident SET sms_consent = sms_consent WHERE id = {resident}",
    ],
    ids=["workshop seat taken", "appointment touched", "resident edited"],
)
async def test_writes_that_leave_availability_alone_keep_the_cache(
    dataset: Dataset, changes: AvailabilityChanges, sql: str
) -> None:
    ids = {name: await _first_id(table) for name, table in (
        ("session", "workshop_session"), ("appointment", "appointment"),
        ("resident", "resident"))}
    before = await changes.version()
    await outside_write(sql.format(**ids))
    assert await changes.version() == before


CASES: list[dict[str, Any]] = [
    {},
    {"limit": 5},
    {"staff": True, "limit": 7},
    {"start": timedelta(days=3), "limit": 20},
    {"start": timedelta(days=2), "end": timedelta(days=9)},
    {"start": timedelta(days=-1), "end": timedelta(days=1)},
    {"start": timedelta(days=59), "staff": True},
    {"end": timedelta(hours=3)},
]


async def test_cached_answers_are_the_fresh_answers(
    dataset: Dataset, changes: AvailabilityChanges
) -> None:
    """Every case, asked up to the end of the entry's lifetime, in every kind of scope."""
    venue = (await Venue.select(Venue.id).where(Venue.commune == dataset.commune_id))[0]["id"]
    counsellor = dataset.plan.counsellors_of_convention[dataset.convention_id][1]
    scopes = [Scope(), Scope(commune_id=dataset.commune_id), Scope(venue_id=venue),
              Scope(counsellor_id=counsellor)]
    for later in (timedelta(0), timedelta(seconds=37), timedelta(seconds=59)):
        for case in CASES:
            cache: SlotCache[SlotSearch] = SlotCache(changes, considered_counsellors)
            for scope in scopes:  # fill the cache at DEFAULT_NOW, then ask ``later``
                await search_slots(service_id=dataset.service_id, scope=scope,
                                   now=DEFAULT_NOW, cache=cache)
            now = DEFAULT_NOW + later
            args = {key: (now + value if isinstance(value, timedelta) else value)
                    for key, value in case.items()}
            for scope in scopes:
                fresh = await search_slots(service_id=dataset.service_id, scope=scope,
                                           now=now, **args)
                cached = await search_slots(service_id=dataset.service_id, scope=scope,
                                            now=now, cache=cache, **args)
                _same(cached, fresh)
            assert (cache.hits, cache.misses) == (len(scopes), len(scopes)), (later, case)


async def test_a_cached_hit_reads_nothing_and_a_change_is_seen_at_once(
    dataset: Dataset, changes: AvailabilityChanges, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache: SlotCache[SlotSearch] = SlotCache(changes, considered_counsellors)
    scope = Scope(commune_id=dataset.commune_id)

    async def search() -> SlotSearch:
        return await search_slots(service_id=dataset.service_id, scope=scope, now=DEFAULT_NOW,
                                  cache=cache)

    first = await search()
    with recorded(monkeypatch) as seen:
        assert (await search()).slots == first.slots
    assert seen == []
    taken = first.slots[0]
    await outside_write(
        f"UPDATE availability_rule SET active = false WHERE counsellor = {taken.counsellor_id}"
    )
    after = await search()  # no wait: the change was committed before the call
    assert all(s.counsellor_id != taken.counsellor_id for s in after.slots)
    _same(after, await search_slots(service_id=dataset.service_id, scope=scope,
                                    now=DEFAULT_NOW))


async def test_booking_and_cancelling_show_at_once_through_http(
    dataset: Dataset, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    params = {"service_id": dataset.service_id, "commune_id": dataset.commune_id, "limit": 200}

    async def offered() -> list[tuple[str, int]]:
        response = await client.get("/api/public/slots", params=params)
        assert response.status_code == 200, response.text
        return [(parse(s["start"]).isoformat(), s["counsellor_id"])
                for s in response.json()["slots"]]

    before = await offered()
    slot = next(  # beyond the residents' cut-off for cancelling (24 h)
        s for s in (await client.get("/api/public/slots", params=params)).json()["slots"]
        if parse(s["start"]) > DEFAULT_NOW + timedelta(days=2)
    )
    booked = await client.post("/api/public/appointments",
                               json=booking_body(slot, dataset.service_id))
    assert booked.status_code == 201, booked.text
    key = (parse(slot["start"]).isoformat(), slot["counsellor_id"])
    assert key in before and key not in await offered()
    token = booked.json()["manage_url"].rsplit("/", 1)[1]
    cancelled = await client.post(f"/api/public/appointments/{token}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert await offered() == before
    clock.advance(timedelta(minutes=5))  # past the cache's lifetime: recomputed
    fresh = await search_slots(service_id=dataset.service_id,
                               scope=Scope(commune_id=dataset.commune_id), now=clock(), limit=200)
    assert await offered() == [(s.start.isoformat(), s.counsellor_id) for s in fresh.slots]


@pytest.mark.skipif("not config.getoption('--db') == 'postgres'")
async def test_a_lost_listener_bypasses_the_cache_until_it_is_back(
    dataset: Dataset, changes: AvailabilityChanges
) -> None:
    cache: SlotCache[SlotSearch] = SlotCache(changes, considered_counsellors)
    scope = Scope(commune_id=dataset.commune_id)
    first = await search_slots(service_id=dataset.service_id, scope=scope, now=DEFAULT_NOW,
                               cache=cache)
    await outside_write(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE application_name = '{LISTENER_NAME}'"
    )
    # Written while nobody listens: must not be hidden by the entry cached before.
    taken = first.slots[0]
    await outside_write(
        f"UPDATE availability_rule SET active = false WHERE counsellor = {taken.counsellor_id}"
    )
    assert await changes.version() is None
    during = await search_slots(service_id=dataset.service_id, scope=scope, now=DEFAULT_NOW,
                                cache=cache)
    assert all(s.counsellor_id != taken.counsellor_id for s in during.slots)
    for _ in range(100):  # the listener reconnects within about a second
        if await changes.version() is not None:
            break
        await asyncio.sleep(0.05)
    assert await changes.version() is not None
    back = await search_slots(service_id=dataset.service_id, scope=scope, now=DEFAULT_NOW,
                              cache=cache)
    assert back.slots == during.slots
    hits = cache.hits
    await search_slots(service_id=dataset.service_id, scope=scope, now=DEFAULT_NOW, cache=cache)
    assert cache.hits == hits + 1


async def test_the_cache_can_be_turned_off(
    dataset: Dataset, settings: Any, clock: FrozenClock, sms_sender: Any
) -> None:
    from booking.app import create_app
    from booking.context import app_context
    from tests.support.lifespan import running_lifespan

    app = create_app(replace(settings, slot_cache_entries=0), sms_sender=sms_sender, clock=clock)
    assert app_context(app.state).slot_cache is None
    async with running_lifespan(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            response = await c.get("/api/public/slots", params={
                "service_id": dataset.service_id, "commune_id": dataset.commune_id})
    assert response.status_code == 200 and response.json()["slots"]


async def test_a_booking_in_one_worker_is_seen_by_another_at_once(
    dataset: Dataset, client: httpx.AsyncClient, settings: Any, clock: FrozenClock,
    sms_sender: Any,
) -> None:
    """Two app instances, each with its own cache and listener, as two worker processes
    have: what one books, the other stops offering before its next answer."""
    from booking.app import create_app
    from tests.support.lifespan import running_lifespan

    other = create_app(settings, sms_sender=sms_sender, clock=clock)
    params = {"service_id": dataset.service_id, "commune_id": dataset.commune_id, "limit": 200}
    async with running_lifespan(other):
        transport = httpx.ASGITransport(app=other, client=("198.51.100.4", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            warm = (await c.get("/api/public/slots", params=params)).json()["slots"]
            for slot in warm[:3]:
                booked = await client.post("/api/public/appointments",
                                           json=booking_body(slot, dataset.service_id))
                assert booked.status_code == 201, booked.text
                seen = (await c.get("/api/public/slots", params=params)).json()["slots"]
                assert slot not in seen
            after = (await c.get("/api/public/slots", params=params)).json()["slots"]
            assert after[: len(warm) - 3] == warm[3:]


async def test_a_booking_drops_only_the_searches_of_its_counsellor(
    dataset: Dataset, changes: AvailabilityChanges, request: pytest.FixtureRequest
) -> None:
    """PostgreSQL names the counsellor of an appointment change; SQLite (one process)
    drops everything. Either way the answers stay the fresh ones."""
    cache: SlotCache[SlotSearch] = SlotCache(changes, considered_counsellors)
    first, second = dataset.plan.counsellors_of_convention[dataset.convention_id][:2]

    async def both() -> list[SlotSearch]:
        return [await search_slots(service_id=dataset.service_id, now=DEFAULT_NOW,
                                   scope=Scope(counsellor_id=c), cache=cache)
                for c in (first, second)]

    await both()
    await outside_write(f"UPDATE appointment SET status = 'cancelled' WHERE counsellor = {first}")
    misses = cache.misses
    answers = await both()
    per_counsellor = request.config.getoption("--db") == "postgres"
    assert cache.misses - misses == (1 if per_counsellor else 2)
    for counsellor, answer in zip((first, second), answers, strict=True):
        _same(answer, await search_slots(service_id=dataset.service_id, now=DEFAULT_NOW,
                                         scope=Scope(counsellor_id=counsellor)))
