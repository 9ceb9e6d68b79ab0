"""Every feed runs a fixed number of SQL statements, whatever the number of appointments,
sessions, registrations and rules (no N+1): counted at the engine, in-process and through
HTTP (a first request that builds the feed, then a conditional one answered 304)."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, time, timedelta
from typing import Any

import httpx
import pytest

from bench.generate import Dataset, Scale, add_appointments, generate
from booking.auth.secrets import hash_token
from booking.db import is_postgres
from booking.services import feeds, feeds_public
from booking.services.feed_cache import FEEDS
from booking.services.feed_model import FeedLinks
from booking.tables import (
    Appointment,
    Registration,
    Resident,
    Venue,
    WorkshopAnimator,
    WorkshopSeries,
    WorkshopSession,
)
from tests.integration.booking.test_query_counts import counted, more_rules
from tests.support.fixtures import DEFAULT_NOW

SMALL = Scale(counsellors=12, communes=6, appointments=10, workshop_sessions=40, seed=7)
LINKS = FeedLinks("https://rdv.example.fr")
KINDS = ("commune", "venue", "convention")

# PostgreSQL: a conditional GET reads the owner (or place), the horizon and one digest; a
# build adds a snapshot (SET TRANSACTION), the digest again and the rows. SQLite reads rows.
BOTH = {
    "counsellor feed, in-process": 3,  # horizon, appointments, sessions
    "place feed, in-process": 2,  # sessions, registration activity
    "place feed with permanences, in-process": 6,  # + venues, rules, rule changes, closures
    "convention feed with permanences, in-process": 7,  # + counsellors of the convention
    "session feed, in-process": 2,
    "GET session .ics": 2,
    "GET resident rdv.ics": 1,
}
PINNED = {
    "postgres": BOTH
    | {
        "GET counsellor feed": 7,
        "GET counsellor feed, If-None-Match": 3,
        "GET place feed": 6,
        "GET place feed, If-None-Match": 2,
        "GET place feed with permanences": 10,
        "GET place feed with permanences, If-None-Match": 6,
        "GET convention feed with permanences": 11,
        "GET convention feed with permanences, If-None-Match": 7,
    },
    "sqlite": BOTH
    | {
        "GET counsellor feed": 4,
        "GET counsellor feed, If-None-Match": 4,
        "GET place feed": 3,
        "GET place feed, If-None-Match": 3,
        "GET place feed with permanences": 7,
        "GET place feed with permanences, If-None-Match": 7,
        "GET convention feed with permanences": 8,
        "GET convention feed with permanences, If-None-Match": 8,
    },
}


class Sample:
    """What the feeds are read for: a busy counsellor (with a feed token), the sample
    commune, one of its venues, its convention, a session and a resident's link."""

    def __init__(self, data: Dataset, counsellor: int, token: str, venue: int) -> None:
        self.data, self.counsellor, self.token, self.venue = data, counsellor, token, venue
        self.session = 0
        self.manage = ""

    def place_path(self, kind: str, permanences: bool) -> str:
        ids = {
            "commune": self.data.commune_id,
            "venue": self.venue,
            "convention": self.data.convention_id,
        }
        return f"/feeds/{kind}s/{ids[kind]}.ics" + ("?permanences=1" if permanences else "")


async def busiest_counsellor(data: Dataset) -> int:
    rows = await Appointment.select(Appointment.counsellor).where(
        Appointment.starts_at >= DEFAULT_NOW
    )
    ours = set(data.plan.counsellors_of_convention[data.convention_id])
    found = [r["counsellor"] for r in rows if r["counsellor"] in ours]
    return max(sorted(ours), key=found.count)


async def add_workshops(sample: Sample, sessions: int, registrations: int) -> None:
    """A published series at the sample venue, animated by the sample counsellor, with
    ``sessions`` weekly sessions in the feeds' window and registrations in them."""
    series = WorkshopSeries(
        convention=sample.data.convention_id,
        venue=sample.venue,
        title=f"Atelier {secrets.token_hex(3)}",
        slug=f"atelier-{secrets.token_hex(4)}",
        description="Souris, clavier, navigateur.",
        capacity=12,
        start_time=time(14),
        end_time=time(16),
        first_day=date(2026, 11, 1),
        status="published",
    )
    await series.save()
    await WorkshopAnimator(series=series.id, counsellor=sample.counsellor).save()
    first = DEFAULT_NOW.replace(hour=13, minute=0) - timedelta(days=20)
    rows = [
        WorkshopSession(
            series=series.id,
            venue=sample.venue,
            starts_at=first + timedelta(days=7 * n, minutes=len(str(series.id))),
            ends_at=first + timedelta(days=7 * n, hours=2),
            capacity=12,
            seats_taken=0,
        )
        for n in range(sessions)
    ]
    await WorkshopSession.insert(*rows)
    ids = [
        r["id"]
        for r in await WorkshopSession.select(WorkshopSession.id).where(
            WorkshopSession.series == series.id
        )
    ]
    sample.session = ids[0]
    for n in range(registrations):
        resident = Resident(first_name="Yann", last_name=f"Nom{n}", phone=f"+3361{n:07d}")
        await resident.save()
        await Registration(
            resident=resident.id,
            session=ids[n % len(ids)],
            created_at=DEFAULT_NOW - timedelta(hours=n + 1),
            manage_token_hash=secrets.token_hex(32),
            manage_token_expires_at=DEFAULT_NOW + timedelta(days=30),
        ).save()


@pytest.fixture
async def sample(db: None) -> AsyncIterator[Sample]:
    data = await generate(SMALL, now=DEFAULT_NOW, progress=lambda _: None)
    counsellor = await busiest_counsellor(data)
    token = await feeds.rotate_token(counsellor, now=DEFAULT_NOW, actor_id=None)
    venue = (await Venue.select(Venue.id).where(Venue.commune == data.commune_id))[0]["id"]
    found = Sample(data, counsellor, token, venue)
    await add_workshops(found, sessions=2, registrations=2)
    coming = (
        await Appointment.select(Appointment.id)
        .where(Appointment.starts_at > DEFAULT_NOW)
        .first()
    )
    assert coming is not None
    found.manage = secrets.token_urlsafe(16)
    await Appointment.update(
        {
            Appointment.manage_token_hash: hash_token(found.manage),
            Appointment.manage_token_expires_at: DEFAULT_NOW + timedelta(days=90),
        }
    ).where(Appointment.id == coming["id"])
    FEEDS.clear()
    yield found
    FEEDS.clear()


async def count_each(
    sample: Sample, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Statements per read, and the number of events each in-process feed holds."""
    found: dict[str, list[str]] = {}
    sizes: dict[str, int] = {}

    async def measure(name: str, read: Callable[[], Awaitable[Any]]) -> Any:
        with counted(monkeypatch) as seen:
            result = await read()
        found[name] = seen
        if hasattr(result, "events"):
            sizes[name] = len(result.events)
        return result

    async def http(name: str, path: str, status: int = 200) -> None:
        FEEDS.clear()  # a build, as in a process that has not served this feed yet
        built = await measure(name, lambda: client.get(path))
        assert built.status_code == status, (path, built.text)
        again = await measure(
            f"{name}, If-None-Match",
            lambda: client.get(path, headers={"If-None-Match": built.headers["etag"]}),
        )
        assert again.status_code == 304, path

    owner = await feeds.owner_of_token(sample.token)
    assert owner is not None
    await measure(
        "counsellor feed, in-process",
        lambda: feeds.counsellor_feed(owner, now=DEFAULT_NOW, links=LINKS),
    )
    await http("GET counsellor feed", f"/feeds/counsellor/{sample.token}.ics")
    for kind in KINDS:
        place_id = int(sample.place_path(kind, False).split("/")[-1].removesuffix(".ics"))
        place = await feeds_public.find_place(kind, place_id)
        for permanences in (False, True):
            label = "place feed"
            if permanences:
                label = f"{'convention' if kind == 'convention' else 'place'} feed with permanences"
            await measure(
                f"{label}, in-process ({kind})",
                lambda place=place, permanences=permanences: feeds_public.place_feed(
                    place, now=DEFAULT_NOW, links=LINKS, permanences=permanences
                ),
            )
            await http(f"GET {label} ({kind})", sample.place_path(kind, permanences))
    await measure(
        "session feed, in-process",
        lambda: feeds_public.session_feed(sample.session, now=DEFAULT_NOW, links=LINKS),
    )
    FEEDS.clear()
    session = await measure(
        "GET session .ics", lambda: client.get(f"/feeds/sessions/{sample.session}.ics")
    )
    assert session.status_code == 200
    rdv = await measure("GET resident rdv.ics", lambda: client.get(f"/r/{sample.manage}/rdv.ics"))
    assert rdv.status_code == 200, rdv.text
    return found, sizes


def pinned(name: str) -> int:
    table = PINNED["postgres" if is_postgres() else "sqlite"]
    return table[re.sub(r" \((commune|venue|convention)\)", "", name)]


async def test_feeds_do_not_grow_with_appointments_sessions_and_rules(
    sample: Sample, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    small, small_sizes = await count_each(sample, client, monkeypatch)
    await add_appointments(sample.data, 90, progress=lambda _: None)
    await more_rules(sample.data, 12)
    await add_workshops(sample, sessions=20, registrations=20)
    assert await Appointment.count() == 100
    large, large_sizes = await count_each(sample, client, monkeypatch)
    # The data did change what each feed holds (the single-session feed holds one event).
    grown = {name for name in small_sizes if large_sizes[name] > small_sizes[name]}
    assert grown == set(small_sizes) - {"session feed, in-process"}, (small_sizes, large_sizes)
    assert set(small) == set(large)
    for name in small:
        assert len(small[name]) == len(large[name]) == pinned(name), (
            name,
            small[name],
            large[name],
        )
