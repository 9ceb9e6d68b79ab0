"""A counsellor's private feed: contents equal the database, tokens rotate and revoke."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from booking.services import feeds
from booking.services.feed_model import FeedLinks
from booking.tables import Appointment, Counsellor, Venue
from tests.integration.feeds.support import (
    RESIDENT_PHONE,
    appointment,
    assert_matches_database,
    feed_path,
    paris,
    read_both,
    resident,
    rotate,
    series,
    session,
    staff,
)
from tests.support.clock import FrozenClock

COUNSELLOR = "conseillere.rance@creneau.demo"
HOST = "127.0.0.1"  # PUBLIC_BASE_URL of the test settings

# (clock, appointments around a DST change in Paris)
DST_WEEKS = {
    "autumn": (
        datetime(2026, 11, 23, 7, tzinfo=UTC),
        [
            paris(2026, 10, 24, 10, 0),  # Saturday, summer time
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 summer time, before the change
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 02:30 winter time, after it
            paris(2026, 10, 25, 14, 0),  # Sunday afternoon, winter time
            paris(2026, 10, 26, 9, 0),  # Monday, winter time
        ],
    ),
    "spring": (
        datetime(2027, 3, 22, 7, tzinfo=UTC),
        [
            paris(2027, 3, 27, 10, 0),  # Saturday, winter time
            datetime(2027, 3, 28, 0, 30, tzinfo=UTC),  # 01:30 winter time, the gap follows
            paris(2027, 3, 28, 3, 30),  # Sunday after the gap, summer time
            paris(2027, 3, 29, 9, 0),  # Monday, summer time
        ],
    ),
}


async def expected_location(venue_id: int) -> str:
    row = await Venue.select(Venue.name, Venue.address).where(Venue.id == venue_id).first()
    assert row is not None
    return f"{row['name']}, {row['address']}"


def appointments_only(events: dict[str, Any]) -> list[str]:
    return sorted(uid for uid in events if uid.startswith("appointment-"))


@pytest.mark.parametrize("week", sorted(DST_WEEKS))
async def test_feed_reads_back_as_the_database_across_dst(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock, week: str
) -> None:
    now, starts = DST_WEEKS[week]
    clock.set(now)
    ids = [await appointment(demo, start) for start in starts]
    link = await rotate(client, demo["counsellor"]["rance"], await staff(client, COUNSELLOR))
    assert link["webcal_url"] == "webcal://" + link["https_url"].split("://", 1)[1]
    response = await client.get(feed_path(link))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    events = read_both(response.content)
    assert appointments_only(events) == sorted(f"appointment-{i}@{HOST}" for i in ids)
    await assert_matches_database(events)
    for read in (events[uid] for uid in appointments_only(events)):
        assert read.summary == "Démarches (CAF, ANTS, impôts) — Jeanne L."
    text = response.text
    assert RESIDENT_PHONE not in text and "612345678" not in text and "Le Bihan" not in text
    assert f"/staff/appointments/{ids[0]}" in text
    if week == "spring":
        assert "DTSTART;TZID=Europe/Paris:20270328T033000" in text.replace("\r\n ", "")


async def test_cancellation_raises_sequence_and_stays_thirty_days(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock
) -> None:
    now = clock()
    kept = await appointment(demo, now + timedelta(days=3))
    old = await appointment(
        demo,
        now + timedelta(days=5),
        status="cancelled",
        sequence=1,
        cancelled_at=now - timedelta(days=31),
    )
    link = await rotate(client, demo["counsellor"]["rance"], await staff(client, COUNSELLOR))
    before = read_both((await client.get(feed_path(link))).content)
    uid = f"appointment-{kept}@{HOST}"
    assert before[uid].status == "CONFIRMED" and before[uid].sequence == 0
    assert f"appointment-{old}@{HOST}" not in before  # cancelled more than 30 days ago

    headers = await staff(client, "admin@creneau.demo")
    cancelled = await client.post(
        f"/api/staff/appointments/{kept}/cancel",
        json={"reason": "Conseillère en formation"},
        headers=headers,
    )
    assert cancelled.status_code in (200, 204), cancelled.text
    after = read_both((await client.get(feed_path(link))).content)
    assert after[uid].status == "CANCELLED"
    assert after[uid].sequence > before[uid].sequence
    assert after[uid].summary.startswith("[Annulé] ")
    await assert_matches_database(after)

    clock.advance(timedelta(days=31))
    later = read_both((await client.get(feed_path(link))).content)
    assert uid not in later


async def test_animated_sessions_only_and_draft_is_tentative(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock
) -> None:
    mine = await series(demo, title="Premiers pas")
    draft = await series(demo, title="Tablette (brouillon)", status="draft")
    other = await series(
        demo,
        title="Atelier d'un autre",
        convention="villeneuve",
        venue="epn-villeneuve",
        animator="villeneuve",
    )
    start = paris(2026, 11, 26, 14, 0)
    shown = await session(demo, mine, start, seats_taken=3)
    tentative = await session(demo, draft, start + timedelta(days=7))
    hidden = await session(demo, other, start, venue="epn-villeneuve")
    link = await rotate(client, demo["counsellor"]["rance"], await staff(client, COUNSELLOR))
    events = read_both((await client.get(feed_path(link))).content)
    assert f"session-{hidden}@{HOST}" not in events
    read = events[f"session-{shown}@{HOST}"]
    assert (read.start, read.end) == (start, start + timedelta(hours=2))
    assert read.summary == "Atelier — Premiers pas" and "Inscrits : 3 sur 8" in read.description
    assert read.location == await expected_location(demo["venue"]["epn-vicomte"])
    assert events[f"session-{tentative}@{HOST}"].status == "TENTATIVE"
    await assert_matches_database(events)


async def test_rotation_and_revocation(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    counsellor = demo["counsellor"]["rance"]
    headers = await staff(client, COUNSELLOR)
    first = await rotate(client, counsellor, headers)
    token = feed_path(first).removeprefix("/feeds/counsellor/").removesuffix(".ics")
    assert len(token) >= 22  # at least 128 bits, URL-safe
    row = (
        await Counsellor.select(Counsellor.feed_token_hash)
        .where(Counsellor.id == counsellor)
        .first()
    )
    assert row is not None and token not in str(row["feed_token_hash"])  # stored hashed
    assert (await client.get(feed_path(first))).status_code == 200

    second = await rotate(client, counsellor, headers)
    assert second["https_url"] != first["https_url"]
    assert (await client.get(feed_path(first))).status_code == 404
    assert (await client.head(feed_path(first))).status_code == 404
    assert (await client.get(feed_path(second))).status_code == 200

    status = await client.get(f"/api/staff/counsellors/{counsellor}/feed")
    assert status.json()["active"] is True and status.json()["https_url"] is None
    revoked = await client.post(f"/api/staff/counsellors/{counsellor}/feed/revoke", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert (await client.get(feed_path(second))).status_code == 404
    assert (await client.get("/feeds/counsellor/not-a-token.ics")).status_code == 404


@pytest.mark.parametrize(
    ("email", "allowed"),
    [
        (COUNSELLOR, True),
        ("admin@creneau.demo", True),
        ("conseiller.gerzat@creneau.demo", False),
        ("coordination.rance@creneau.demo", False),
        ("accueil.pleudihen@creneau.demo", False),
    ],
)
async def test_who_may_manage_a_feed(
    client: httpx.AsyncClient, demo: dict[str, Any], email: str, allowed: bool
) -> None:
    headers = await staff(client, email)
    response = await client.post(
        f"/api/staff/counsellors/{demo['counsellor']['rance']}/feed/rotate", headers=headers
    )
    assert response.status_code == (200 if allowed else 403)
    no_csrf = await client.post(f"/api/staff/counsellors/{demo['counsellor']['rance']}/feed/revoke")
    assert no_csrf.status_code == 403


async def test_feed_is_built_in_a_fixed_number_of_queries(
    demo: dict[str, Any], clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine_class = type(Appointment._meta.db)  # the engine's instances have slots
    original = engine_class.run_querystring
    seen: list[str] = []

    async def counting(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    owner = feeds.FeedOwner(demo["counsellor"]["rance"], "Camille", "Le Goff")
    links = FeedLinks("https://rdv.example.fr")
    counts = []
    person = await resident()
    workshop = await series(demo)
    made = 0
    for batch in (2, 40):
        for _ in range(batch):
            start = clock() + timedelta(days=1 + made // 6, hours=made % 6)  # no overlap
            made += 1
            await appointment(demo, start, resident_id=person)
            await session(demo, workshop, start + timedelta(minutes=50))
        seen.clear()
        feed = await feeds.counsellor_feed(owner, now=clock(), links=links)
        counts.append(len(seen))
        assert len(feed.events) >= batch * 2
    assert counts[0] == counts[1] <= 3


async def test_openapi_lists_the_feed_api(client: httpx.AsyncClient) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/staff/counsellors/{counsellor_id}/feed/rotate" in paths
    assert "/api/staff/venues/{venue_id}/closure-sources" in paths
