"""Closures imported from .ics files and URLs block availability; refresh replaces them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from booking.services.closure_fetch import FetchFailed, fetch_ics
from booking.tables import ClosureSource, VenueClosure
from tests.integration.feeds.local_server import serve
from tests.integration.feeds.support import staff

PARIS = ZoneInfo("Europe/Paris")
INVENTORY = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Mediatheque//Fermetures//FR\r
BEGIN:VEVENT\r
UID:inventaire-2026@mediatheque.example\r
DTSTAMP:20261101T000000Z\r
DTSTART;VALUE=DATE:20261124\r
DTEND;VALUE=DATE:20261125\r
SUMMARY:Inventaire annuel\r
END:VEVENT\r
END:VCALENDAR\r
"""
COUNCIL = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Mairie//Salles//FR\r
BEGIN:VEVENT\r
UID:conseil@mairie.example\r
DTSTAMP:20261101T000000Z\r
DTSTART:20261105T120000Z\r
DTEND:20261105T170000Z\r
RRULE:FREQ=WEEKLY;BYDAY=TH\r
SUMMARY:Salle du conseil occup\xc3\xa9e\r
END:VEVENT\r
END:VCALENDAR\r
"""
EMPTY = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//FR\r\nEND:VCALENDAR\r\n"


async def slot_days(client: httpx.AsyncClient, demo: dict[str, Any], venue: str) -> set[date]:
    response = await client.get(
        "/api/public/slots",
        params={
            "service_id": demo["service"]["rance/demarches"],
            "venue_id": demo["venue"][venue],
            "start": "2026-11-24T00:00:00+00:00",
            "end": "2026-12-12T00:00:00+00:00",
            "limit": 200,
        },
    )
    assert response.status_code == 200, response.text
    return {
        datetime.fromisoformat(s["start"].replace("Z", "+00:00")).astimezone(PARIS).date()
        for s in response.json()["slots"]
    }


async def test_uploaded_closure_blocks_slots(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    before = await slot_days(client, demo, "epn-vicomte")
    assert {date(2026, 11, 24), date(2026, 12, 1)} <= before
    headers = await staff(client, "coordination.rance@creneau.demo")
    response = await client.post(
        f"/api/staff/venues/{demo['venue']['epn-vicomte']}/closure-sources",
        headers=headers,
        files={"file": ("fermetures.ics", INVENTORY, "text/calendar")},
        data={"label": "Médiathèque"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["closures"] == 1
    after = await slot_days(client, demo, "epn-vicomte")
    assert date(2026, 11, 24) not in after and date(2026, 12, 1) in after
    row = await VenueClosure.select().first()
    assert row is not None and row["reason"] == "Inventaire annuel"
    assert row["venue"] == demo["venue"]["epn-vicomte"] and row["commune"] is None


async def test_url_import_for_a_commune_expands_recurrences_and_refreshes(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    thursdays = {date(2026, 11, 26), date(2026, 12, 3), date(2026, 12, 10)}
    assert thursdays <= await slot_days(client, demo, "mairie-pleudihen")
    headers = await staff(client, "admin@creneau.demo")
    files: dict[str, bytes | str] = {"/salles.ics": COUNCIL}
    with serve(files) as base:
        response = await client.post(
            f"/api/staff/communes/{demo['commune']['22197']}/closure-sources",
            json={"url": f"{base}/salles.ics", "label": "Salles de la mairie"},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        source = response.json()["source_id"]
        assert 50 <= response.json()["closures"] <= 60  # weekly over 400 days
        assert not thursdays & await slot_days(client, demo, "mairie-pleudihen")
        assert await VenueClosure.count().where(VenueClosure.commune == demo["commune"]["22197"])

        files["/salles.ics"] = EMPTY
        refreshed = await client.post(
            f"/api/staff/closure-sources/{source}/refresh", headers=headers
        )
        assert refreshed.status_code == 200, refreshed.text
        assert refreshed.json()["closures"] == 0
        assert await VenueClosure.count() == 0
        assert thursdays <= await slot_days(client, demo, "mairie-pleudihen")

        files["/salles.ics"] = COUNCIL
        await client.post(f"/api/staff/closure-sources/{source}/refresh", headers=headers)
        kept = await VenueClosure.count()
        del files["/salles.ics"]  # the server now answers 404: the closures stay
        failed = await client.post(f"/api/staff/closure-sources/{source}/refresh", headers=headers)
    assert failed.status_code == 422
    assert failed.json()["error"]["code"] == "closure_import_failed"
    assert await VenueClosure.count() == kept > 0
    row = await ClosureSource.select().where(ClosureSource.id == source).first()
    assert row is not None and "404" in row["last_error"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"url": "ftp://mairie.example/fermetures.ics"}, "https://"),
        ({"url": "file:///etc/passwd"}, "https://"),
        ({"url": "http://169.254.169.254/latest/meta-data"}, "n'est pas autorisée"),
        ({"url": "http://[fe80::1]/x.ics"}, "n'est pas autorisée"),
        ({"url": "http://[::ffff:169.254.169.254]/x.ics"}, "n'est pas autorisée"),
        ({}, "fichier .ics ou une adresse"),
    ],
)
async def test_bad_urls_are_refused(
    client: httpx.AsyncClient, demo: dict[str, Any], body: dict[str, str], message: str
) -> None:
    headers = await staff(client, "admin@creneau.demo")
    response = await client.post(
        f"/api/staff/venues/{demo['venue']['epn-vicomte']}/closure-sources",
        json=body,
        headers=headers,
    )
    assert response.status_code == 422, response.text
    assert message in response.json()["error"]["message"]
    assert await ClosureSource.count() == 0


async def test_bad_files_and_oversized_downloads(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    headers = await staff(client, "admin@creneau.demo")
    path = f"/api/staff/venues/{demo['venue']['epn-vicomte']}/closure-sources"
    junk = await client.post(
        path, headers=headers, files={"file": ("notes.ics", b"pas un calendrier", "text/plain")}
    )
    assert junk.status_code == 422
    assert "iCalendar" in junk.json()["error"]["message"]
    big = b"BEGIN:VCALENDAR\r\n" + b"X-PAD:" + b"x" * (2 * 1024 * 1024) + b"\r\nEND:VCALENDAR\r\n"
    with serve({"/big.ics": big, "/moved.ics": "http://169.254.169.254/x.ics"}) as base:
        too_big = await client.post(path, headers=headers, json={"url": f"{base}/big.ics"})
        moved = await client.post(path, headers=headers, json={"url": f"{base}/moved.ics"})
    assert too_big.status_code == 422 and "2 Mo" in too_big.json()["error"]["message"]
    assert moved.status_code == 422  # the redirect target is checked too
    assert "n'est pas autorisée" in moved.json()["error"]["message"]
    assert await ClosureSource.count() == 0


async def test_timeouts_are_reported_in_french() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(FetchFailed, match="délai dépassé"):
        await fetch_ics("webcal://calendrier.example/f.ics", transport=httpx.MockTransport(slow))


@pytest.mark.parametrize(
    ("email", "venue", "allowed"),
    [
        ("admin@creneau.demo", "epn-vicomte", True),
        ("coordination.rance@creneau.demo", "mairie-pleudihen", True),
        ("coordination.rance@creneau.demo", "mairie-gerzat", False),
        ("accueil.pleudihen@creneau.demo", "mairie-pleudihen", False),
        ("conseillere.rance@creneau.demo", "epn-vicomte", False),
    ],
)
async def test_who_may_import_closures(
    client: httpx.AsyncClient, demo: dict[str, Any], email: str, venue: str, allowed: bool
) -> None:
    headers = await staff(client, email)
    response = await client.post(
        f"/api/staff/venues/{demo['venue'][venue]}/closure-sources",
        headers=headers,
        files={"file": ("fermetures.ics", INVENTORY, "text/calendar")},
    )
    assert response.status_code == (201 if allowed else 403), response.text
    assert await ClosureSource.count() == (1 if allowed else 0)
