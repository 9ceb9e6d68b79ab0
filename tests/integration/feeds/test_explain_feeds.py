"""Query plans of the feeds on PostgreSQL: once the tables hold history, a counsellor's
feed and the public feeds reach their rows through indexes bounded by the feed's window,
and so does the digest a conditional GET computes (plans printed; ``-s`` shows them)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from bench.generate import Dataset, generate
from booking.db import engine, is_postgres
from booking.services import feeds, feeds_public
from booking.services.feed_model import FeedLinks
from booking.services.feed_rows import digest_query
from booking.tables import Appointment, Venue
from tests.integration.booking.test_explain import HISTORY, branch, plan
from tests.support.fixtures import DEFAULT_NOW
from tests.support.statements import postgres_sql, recorded

LINKS = FeedLinks("https://rdv.example.fr")


@pytest.fixture
async def dataset(db: None) -> AsyncIterator[Dataset]:
    if not is_postgres():
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")
    data = await generate(HISTORY, now=DEFAULT_NOW, progress=lambda _: None)
    await past_sessions(years=8)
    yield data


async def past_sessions(years: int) -> None:
    """Each generated session again every year back over ``years`` years: workshops,
    too, become mostly history."""
    rows = await engine().run_ddl(
        "SELECT column_name FROM information_schema.columns WHERE table_name = "
        "'workshop_session' AND column_name NOT IN ('id', 'starts_at', 'ends_at')"
    )
    kept = ", ".join(row["column_name"] for row in rows)
    await engine().run_ddl(
        f"INSERT INTO workshop_session (starts_at, ends_at, {kept}) "
        f"SELECT starts_at - make_interval(years => k), ends_at - make_interval(years => k), "
        f"{kept} FROM workshop_session, generate_series(1, {years}) AS k"
    )
    await engine().run_ddl("ANALYZE workshop_session")


async def captured(
    monkeypatch: pytest.MonkeyPatch, read: Callable[[], Awaitable[Any]]
) -> list[tuple[str, list[Any]]]:
    """The SQL (and arguments) of the statements ``read`` sends."""
    with recorded(monkeypatch, postgres_sql, ddl=False) as seen:
        await read()
    return seen


async def test_counsellor_feed_reads_use_their_indexes(
    dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = await Appointment.select(Appointment.counsellor)
    busiest = max({r["counsellor"] for r in rows}, key=[r["counsellor"] for r in rows].count)
    owner = feeds.FeedOwner(busiest, "Camille", "Le Goff")
    horizon, appointments, sessions = await captured(
        monkeypatch, lambda: feeds.counsellor_feed(owner, now=DEFAULT_NOW, links=LINKS)
    )
    await plan(*horizon)
    # The counsellor's appointments in the window, not their history.
    found = branch(await plan(*appointments), "appointment")
    assert "appointment_counsellor_end" in found and "ends_at >" in found, found
    found = await plan(*sessions)
    assert "workshop_session_series_end" in branch(found, "workshop_session"), found

    # The conditional GET's digest reads the same rows the same way.
    _, statements = await feeds._window(owner, DEFAULT_NOW)
    digest = await plan(*digest_query(statements).compile_string(engine_type="postgres"))
    assert "appointment_counsellor_end" in digest and "workshop_session_series_end" in digest


@pytest.mark.parametrize("kind", ["commune", "venue", "convention"])
async def test_public_feed_reads_use_their_indexes(
    dataset: Dataset, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    venue = (await Venue.select(Venue.id).where(Venue.commune == dataset.commune_id))[0]["id"]
    ids = {"commune": dataset.commune_id, "venue": venue, "convention": dataset.convention_id}
    place = await feeds_public.find_place(kind, ids[kind])
    sessions, activity = await captured(
        monkeypatch,
        lambda: feeds_public.place_feed(place, now=DEFAULT_NOW, links=LINKS),
    )
    # Sessions that ended before the window are never read: the time index bounds the
    # scan by ``ends_at`` (or the place's series / venues index leads to it).
    if kind == "convention":
        # A convention holds half the sessions of this small set: the planner scans them
        # all; forbidden to, it takes an index whose condition holds the window's end.
        found = branch(await plan(*sessions, "SET LOCAL enable_seqscan = off"), "workshop_session")
        index = "workshop_session_series_end" in found or "workshop_session_time" in found
        assert index and "Index Cond" in found and "ends_at >" in found, found
    else:
        found = branch(await plan(*sessions), "workshop_session")
        assert "workshop_session_venue_end" in found and "ends_at >" in found, found
    seats = await plan(*activity, "SET LOCAL enable_seqscan = off")
    assert "registration_session_status" in seats, seats
