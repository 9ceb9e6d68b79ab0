"""Public feeds (commune, venue, convention, one session) and the resident's .ics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from booking.tables import Resident, WorkshopSession
from tests.integration.booking.helpers import RESIDENT, booking_body, first_slot
from tests.integration.feeds.support import (
    assert_matches_database,
    paris,
    read_both,
    registration,
    resident,
    series,
    session,
)
from tests.support.clock import FrozenClock

HOST = "127.0.0.1"
PERSONAL = ("Jeanne", "Le Bihan", "0612345678", "612345678", "Camille", "Le Goff", "Karim")


async def public_world(demo: dict[str, Any], clock: FrozenClock) -> dict[str, int]:
    workshop = await series(demo, title="Premiers pas sur Internet")
    person = await resident()
    start = paris(2026, 12, 3, 14, 0)
    ids = {
        "open": await session(demo, workshop, start, seats_taken=3),
        "full": await session(demo, workshop, start + timedelta(days=7), seats_taken=8),
        "cancelled": await session(
            demo,
            workshop,
            start + timedelta(days=14),
            status="cancelled",
            sequence=2,
            cancelled_at=clock(),
        ),
        "pleudihen": await session(
            demo, workshop, start + timedelta(days=1), venue="mairie-pleudihen"
        ),
        "draft": await session(demo, await series(demo, status="draft", title="Brouillon"), start),
        "gerzat": await session(
            demo,
            await series(
                demo,
                convention="gerzat-royat",
                venue="mairie-gerzat",
                animator="gerzat-royat",
                title="Atelier Gerzat",
            ),
            start,
            venue="mairie-gerzat",
        ),
    }
    await registration(ids["open"], person, clock() - timedelta(hours=1))
    return ids


@pytest.mark.parametrize(
    ("kind", "place", "expected"),
    [
        ("venues", ("venue", "epn-vicomte"), {"open", "full", "cancelled"}),
        ("communes", ("commune", "22382"), {"open", "full", "cancelled"}),
        ("conventions", ("convention", "rance"), {"open", "full", "cancelled", "pleudihen"}),
        ("conventions", ("convention", "gerzat-royat"), {"gerzat"}),
    ],
)
async def test_sessions_per_place_equal_the_database_without_personal_data(
    client: httpx.AsyncClient,
    demo: dict[str, Any],
    clock: FrozenClock,
    kind: str,
    place: tuple[str, str],
    expected: set[str],
) -> None:
    ids = await public_world(demo, clock)
    response = await client.get(f"/feeds/{kind}/{demo[place[0]][place[1]]}.ics")
    assert response.status_code == 200
    events = read_both(response.content)
    mine = {name for name, i in ids.items() if f"session-{i}@{HOST}" in events}
    assert mine == expected
    await assert_matches_database(events)
    assert not [uid for uid in events if not uid.startswith("session-")]
    text = response.text.replace("\r\n ", "")
    for word in PERSONAL:
        assert word not in text
    if "open" in expected:
        open_event = events[f"session-{ids['open']}@{HOST}"]
        assert "Places restantes : 5 sur 8" in open_event.description
        assert open_event.url.endswith(f"/atelier/{await series_of(ids['open'])}")
        assert "Complet" in events[f"session-{ids['full']}@{HOST}"].description
        cancelled = events[f"session-{ids['cancelled']}@{HOST}"]
        assert (cancelled.status, cancelled.sequence) == ("CANCELLED", 2)


async def series_of(session_id: int) -> int:
    row = (
        await WorkshopSession.select(WorkshopSession.series)
        .where(WorkshopSession.id == session_id)
        .first()
    )
    assert row is not None
    return int(row["series"])


async def test_cancelled_sessions_leave_after_thirty_days(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock
) -> None:
    ids = await public_world(demo, clock)
    path = f"/feeds/venues/{demo['venue']['epn-vicomte']}.ics"
    assert f"session-{ids['cancelled']}@{HOST}" in read_both((await client.get(path)).content)
    clock.advance(timedelta(days=31))
    assert f"session-{ids['cancelled']}@{HOST}" not in read_both((await client.get(path)).content)


async def test_permanences_follow_the_rules_and_skip_holidays(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock
) -> None:
    clock.set(datetime(2027, 3, 15, 7, tzinfo=UTC))  # the DST change (28 March) is ahead
    venue = demo["venue"]["mairie-pleudihen"]  # Thursdays 14:00-17:00
    plain = read_both((await client.get(f"/feeds/venues/{venue}.ics")).content)
    assert not [uid for uid in plain if uid.startswith("permanence-")]
    response = await client.get(f"/feeds/venues/{venue}.ics", params={"permanences": "1"})
    events = read_both(response.content)
    permanences = {uid: e for uid, e in events.items() if uid.startswith("permanence-")}
    starts = sorted(e.start for e in permanences.values())
    # Thursdays on both sides of the change, but not Ascension Day (6 May 2027).
    assert paris(2027, 3, 25, 14, 0) in starts and paris(2027, 4, 1, 14, 0) in starts
    assert paris(2027, 4, 29, 14, 0) in starts and paris(2027, 5, 13, 14, 0) in starts
    assert paris(2027, 5, 6, 14, 0) not in starts
    assert len(starts) == 8  # 18 March to 13 May, minus Ascension
    assert all(e.end - e.start == timedelta(hours=3) for e in permanences.values())
    text = response.text.replace("\r\n ", "")
    assert "Camille" not in text and "Le Goff" not in text
    assert all(
        e.location.startswith("Mairie de Pleudihen-sur-Rance, Place de la Mairie")
        for e in permanences.values()
    )


async def test_single_session_ics(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock
) -> None:
    ids = await public_world(demo, clock)
    response = await client.get(f"/feeds/sessions/{ids['open']}.ics")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    events = read_both(response.content)
    assert list(events) == [f"session-{ids['open']}@{HOST}"]
    await assert_matches_database(events)
    assert (await client.get(f"/feeds/sessions/{ids['draft']}.ics")).status_code == 404
    assert (await client.get("/feeds/sessions/999999.ics")).status_code == 404
    assert (await client.get(f"/feeds/sessions/{ids['open']}")).status_code == 404
    cancelled = read_both((await client.get(f"/feeds/sessions/{ids['cancelled']}.ics")).content)
    assert next(iter(cancelled.values())).status == "CANCELLED"


async def test_resident_downloads_their_appointment(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    service = demo["service"]["rance/demarches"]
    slot = await first_slot(client, service)
    booked = await client.post("/api/public/appointments", json=booking_body(slot, service))
    assert booked.status_code == 201, booked.text
    manage_url = booked.json()["manage_url"]
    token = manage_url.rsplit("/", 1)[1]
    response = await client.get(f"/r/{token}/rdv.ics")
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("private")
    events = read_both(response.content)
    assert list(events) == [f"appointment-{booked.json()['appointment_id']}@{HOST}"]
    await assert_matches_database(events)
    event = next(iter(events.values()))
    assert event.url == manage_url and manage_url in event.description
    assert str(RESIDENT["last_name"]) not in response.text  # their own file still says no more
    assert (await Resident.count()) == 1

    cancelled = await client.post(f"/api/public/appointments/{token}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    after = read_both((await client.get(f"/r/{token}/rdv.ics")).content)
    assert next(iter(after.values())).status == "CANCELLED"
    assert next(iter(after.values())).sequence == 1
    assert (await client.get("/r/unknown-token/rdv.ics")).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/communes/999999.ics",
        "/feeds/venues/abc.ics",
        "/feeds/conventions/1",
        "/feeds/venues/.ics",
    ],
)
async def test_unknown_public_feeds_answer_404(
    client: httpx.AsyncClient, demo: dict[str, Any], path: str
) -> None:
    assert (await client.get(path)).status_code == 404
