"""Never more seats than capacity, under concurrency, on both engines.

The outcome must be exactly what registering one by one in id order would give: ids follow
the order in which writers got the session's lock, so the waiting list is in arrival order.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
from collections import defaultdict
from datetime import date

import pytest

from booking.db import is_postgres
from booking.services import registrations, workshops
from booking.services.registrations import Registered, RegistrationRequest
from booking.tables import Registration, WorkshopSession
from tests.integration.workshops.conftest import LINKS, NOW, World, draft, person

pytestmark = pytest.mark.slow


def _party(n: int) -> int:
    return 2 if n % 7 == 0 else 1


async def _one_off(world: World, capacity: int = 12) -> tuple[int, int]:
    saved = await workshops.create_series(
        draft(world, rrule="", first_day=date(2026, 11, 26), capacity=capacity),
        staff_id=None,
        now=NOW,
    )
    return saved.series_id, saved.created[0]


async def _check_serial_outcome(session_ids: list[int], capacity: int) -> dict[str, int]:
    """Replay the registrations group by group in id order and compare every status."""
    rows = (
        await Registration.select(
            Registration.id,
            Registration.group_key,
            Registration.session,
            Registration.party_size,
            Registration.status,
        )
        .where(Registration.session.is_in(session_ids))
        .order_by(Registration.id)
    )
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["group_key"]].append(row)
    taken = dict.fromkeys(session_ids, 0)
    counts = {"confirmed": 0, "waitlisted": 0}
    for group in sorted(groups.values(), key=lambda g: g[0]["id"]):
        party = group[0]["party_size"]
        fits = all(taken[r["session"]] + party <= capacity for r in group)
        expected = "confirmed" if fits else "waitlisted"
        assert {r["status"] for r in group} == {expected}, group
        for r in group if fits else ():
            taken[r["session"]] += party
        counts[expected] += 1
    stored = await WorkshopSession.select(WorkshopSession.id, WorkshopSession.seats_taken).where(
        WorkshopSession.id.is_in(session_ids)
    )
    assert {s["id"]: s["seats_taken"] for s in stored} == taken
    return counts


async def test_200_concurrent_registrations_for_12_seats(world: World) -> None:
    series_id, session_id = await _one_off(world)

    async def one(n: int) -> Registered:
        return await registrations.register(
            RegistrationRequest(
                series_id=series_id, session_id=session_id, person=person(n), party_size=_party(n)
            ),
            now=NOW,
            links=LINKS,
        )

    results = await asyncio.gather(*(one(n) for n in range(1, 201)))
    counts = await _check_serial_outcome([session_id], 12)
    assert counts["confirmed"] + counts["waitlisted"] == 200
    seats = await WorkshopSession.select(WorkshopSession.seats_taken).first()
    assert seats["seats_taken"] == 12
    waiting = sorted(
        (r.registration_ids[0], r.waitlist_position) for r in results if r.status == "waitlisted"
    )
    assert [position for _, position in waiting] == list(range(1, len(waiting) + 1))


async def test_whole_parcours_race_is_all_or_nothing(world: World) -> None:
    saved = await workshops.create_series(
        draft(world, capacity=5, registration_mode="both", rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=3"),
        staff_id=None,
        now=NOW,
    )
    sessions = list(saved.created)

    async def one(n: int) -> Registered:
        whole = n % 2 == 0
        return await registrations.register(
            RegistrationRequest(
                series_id=saved.series_id,
                session_id=None if whole else sessions[1],
                person=person(n),
                party_size=_party(n),
            ),
            now=NOW,
            links=LINKS,
        )

    await asyncio.gather(*(one(n) for n in range(1, 81)))
    counts = await _check_serial_outcome(sessions, 5)
    assert counts["confirmed"] >= 2 and counts["waitlisted"] > 60


async def _run_workers(series_id: int, session: str, spans: list[tuple[int, int]]) -> None:
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.integration.workshops.register_worker",
            str(series_id),
            session,
            str(first),
            str(count),
            cwd=os.getcwd(),
            env=dict(os.environ),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for first, count in spans
    ]
    try:
        for proc in procs:  # both connected: start them together
            assert proc.stdout is not None and proc.stderr is not None
            line = await asyncio.wait_for(proc.stdout.readline(), 30)
            if line.strip() != b"ready":
                error = await asyncio.wait_for(proc.stderr.read(), 30)
                raise AssertionError(f"worker did not start: {error.decode()[-2000:]}")
        outputs = await asyncio.wait_for(
            asyncio.gather(*(p.communicate(b"go\n") for p in procs)), 60
        )
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()[-2000:]
        result = json.loads(out.decode().strip().splitlines()[-1])
        assert set(result) == {"confirmed", "waitlisted"}


async def _assert_interleaved(session_id: int) -> None:
    """The two processes really raced: their registrations alternate in id order."""
    rows = (
        await Registration.select(Registration.resident._.phone.as_alias("phone"))
        .where(Registration.session == session_id)
        .order_by(Registration.id)
    )
    worker = [int(r["phone"][-8:]) > 100 for r in rows]
    switches = sum(a != b for a, b in itertools.pairwise(worker))
    assert switches >= 2, "the two processes did not overlap"


@pytest.mark.skipif(not is_postgres(), reason="two processes sharing PostgreSQL")
async def test_two_processes_on_postgresql(world: World) -> None:
    assert is_postgres()
    series_id, session_id = await _one_off(world)
    await _run_workers(series_id, str(session_id), [(1, 100), (101, 100)])
    counts = await _check_serial_outcome([session_id], 12)
    assert counts["confirmed"] + counts["waitlisted"] == 200
    await _assert_interleaved(session_id)
    saved = await workshops.create_series(
        draft(
            world,
            title="Parcours",
            capacity=5,
            registration_mode="series",
            rrule="FREQ=WEEKLY;BYDAY=WE;COUNT=3",
            counsellor_ids=(),
        ),
        staff_id=None,
        now=NOW,
    )
    await _run_workers(saved.series_id, "whole", [(201, 40), (241, 40)])
    counts = await _check_serial_outcome(list(saved.created), 5)
    assert counts["confirmed"] >= 2 and counts["confirmed"] + counts["waitlisted"] == 80
