"""No double booking under concurrency, on both engines, and across processes on PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from piccolo.querystring import QueryString

from booking.db import engine, is_postgres
from booking.tables import Appointment, Service
from tests.integration.booking.race import race, staggered

ROOT = Path(__file__).parents[3]
TUESDAY_9 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def one_slot(demo: dict[str, Any]) -> dict[str, Any]:
    return {"service_id": demo["service"]["rance/demarches"],
            "venue_id": demo["venue"]["epn-vicomte"],
            "counsellor_id": demo["counsellor"]["rance"], "start": TUESDAY_9.isoformat()}


async def assert_no_overlap() -> None:
    rows = await Appointment.select(Appointment.blocked_from, Appointment.blocked_until).where(
        Appointment.status == "booked").order_by(Appointment.blocked_from)
    for before, after in itertools.pairwise(rows):
        assert before["blocked_until"] <= after["blocked_from"], (before, after)


async def test_200_concurrent_attempts_on_one_slot_book_exactly_one(
    demo: dict[str, Any]
) -> None:
    booked, refused = await race([one_slot(demo)] * 200)
    assert (booked, refused) == (1, 199)
    assert await Appointment.count() == 1


async def test_overlapping_services_never_overlap(demo: dict[str, Any]) -> None:
    """30- and 60-minute services with a 15-minute step: many candidate slots overlap."""
    convention = demo["convention"]["rance"]
    ids = []
    for minutes in (30, 60):
        service = Service(convention=convention, slug=f"course-{minutes}",
                          public_label=f"Course {minutes}", duration_minutes=minutes,
                          step_minutes=15)
        await service.save()
        ids.append(int(service.id))
    specs = staggered(TUESDAY_9, ids, demo["venue"]["epn-vicomte"], demo["counsellor"]["rance"],
                      200)
    booked, _ = await race(specs)
    assert booked >= 2
    assert await Appointment.count() == booked
    await assert_no_overlap()


async def test_the_database_guards_a_counsellors_time(demo: dict[str, Any]) -> None:
    """PostgreSQL refuses overlapping appointments of one counsellor by itself."""
    if not is_postgres():
        pytest.skip("exclusion constraints are a PostgreSQL feature")
    await race([one_slot(demo)])
    row = await Appointment.select().first()
    assert row is not None
    columns = [c for c in row if c != "id"]
    copy = {**row, "manage_token_hash": "x" * 64}
    sql = (f"INSERT INTO appointment ({', '.join(columns)}) "
           f"VALUES ({', '.join('{}' for _ in columns)})")
    with pytest.raises(Exception) as refused:
        await engine().run_querystring(QueryString(sql, *(copy[c] for c in columns)))
    assert "appointment_no_overlap" in str(refused.value)


async def test_two_processes_racing_on_postgres(demo: dict[str, Any]) -> None:
    if not is_postgres():
        pytest.skip("several server processes share one database on PostgreSQL only")
    spec = json.dumps(one_slot(demo))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.integration.booking.race", "100", spec, str(first),
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        for first in (0, 1000)]
    outputs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), 120)
    totals = [0, 0]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
        booked, refused = (int(part.split("=")[1]) for part in out.decode().split())
        totals[0] += booked
        totals[1] += refused
    assert totals == [1, 199]
    assert await Appointment.count() == 1
