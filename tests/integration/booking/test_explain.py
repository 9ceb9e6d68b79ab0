"""Query plans of the hot availability reads on PostgreSQL: once the tables hold history,
each read reaches its rows through the index made for it (plans printed; ``-s`` shows them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bench.generate import Dataset, Scale, generate
from booking.db import engine, is_postgres
from booking.services.availability_data import load_rules
from booking.services.slot_search import Scope, search_slots
from tests.support.fixtures import DEFAULT_NOW
from tests.support.statements import postgres_sql, recorded

# Few counsellors, many appointments: most rows are history, as in a real deployment.
HISTORY = Scale(counsellors=20, communes=8, appointments=6000, workshop_sessions=600, seed=11)


@pytest.fixture
async def dataset(db: None) -> AsyncIterator[Dataset]:
    if not is_postgres():
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")
    yield await generate(HISTORY, now=DEFAULT_NOW, progress=lambda _: None)


async def statements(monkeypatch: pytest.MonkeyPatch, data: Dataset) -> list[tuple[str, list]]:
    """The SQL (and arguments) of a 60-day slot search of the sample commune, then of the
    rules of its venues as the booking check reads them."""
    venues = [v for v, c in data.plan.venue_commune.items() if c == data.commune_id]
    with recorded(monkeypatch, postgres_sql, ddl=False) as seen:
        await search_slots(
            service_id=data.service_id,
            scope=Scope(commune_id=data.commune_id),
            now=DEFAULT_NOW,
            start=DEFAULT_NOW,
            end=DEFAULT_NOW + timedelta(days=60),
        )
        await load_rules(venue_ids=venues)
    return seen


async def plan(sql: str, args: list[Any], *settings: str) -> str:
    pool = engine().pool  # type: ignore[attr-defined]
    async with pool.acquire() as conn, conn.transaction():
        for setting in settings:
            await conn.execute(setting)
        rows = await conn.fetch(f"EXPLAIN {sql}", *args)
    text = "\n".join(row[0] for row in rows)
    print(f"\n--- {sql[:90]}…\n{text}")
    return text


def branch(text: str, table: str) -> str:
    """The plan node that first reads ``table`` (or its parent, for a bitmap heap scan),
    with its sub-nodes."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if f" on {table} " in line + " ")
    depth = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and (len(lines[end]) - len(lines[end].lstrip()) > depth):
        end += 1
    return "\n".join(lines[start:end])


async def test_availability_reads_use_their_indexes(
    dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = await statements(monkeypatch, dataset)
    assert len(sent) == 4
    _, scope_sql, busy_sql, rules_sql = sent
    await plan(*scope_sql)

    busy = await plan(*busy_sql)
    # Appointments of the counsellors in the window: the (counsellor, blocked_until, ...)
    # index bounds the scan to the window, so history costs nothing.
    appointments = branch(busy, "appointment")
    assert "appointment_counsellor_time" in appointments, appointments
    assert "blocked_until >" in appointments and "Index Cond" in appointments

    # The small tables are read sequentially at this size; show that their indexes are
    # usable by the same statements as soon as scanning becomes the dearer choice.
    forced = await plan(*busy_sql, "SET LOCAL enable_seqscan = off")
    assert "venue_closure_venue_time" in branch(forced, "venue_closure"), forced
    assert "absence_counsellor" in branch(forced, "absence"), forced
    assert "workshop_animator_counsellor" in forced, forced
    rules = await plan(*rules_sql, "SET LOCAL enable_seqscan = off")
    assert "availability_rule_venue" in branch(rules, "availability_rule"), rules
