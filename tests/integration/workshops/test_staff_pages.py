"""Staff tools on the demo data: demo workshops, create with a preview, roster, attendance,
sign-in sheet, cancellation, permissions, and the staff JSON API."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import httpx

from booking.db import aware
from booking.demo import DEMO_PASSWORD
from booking.services import registrations
from booking.services.registrations import RegistrationRequest
from booking.services.workshop_links import links_from_settings
from booking.tables import Registration, WorkshopSeries, WorkshopSession
from notifications.tables import OutboxMessage
from tests.integration.workshops.conftest import person
from tests.support.fixtures import csrf_token, sign_in

SOPHIE = "conseillere.villeneuve@creneau.demo"


async def _sessions(series_id: int) -> list[dict[str, Any]]:
    return (
        await WorkshopSession.select()
        .where(WorkshopSession.series == series_id)
        .order_by(WorkshopSession.starts_at)
    )


async def test_demo_seeds_the_parcours_and_a_one_off(demo: dict[str, Any]) -> None:
    from booking.demo import seed_demo

    assert set(demo["workshop"]) == {
        "villeneuve-initiation",
        "villeneuve-bureautique",
        "villeneuve-bureautique-avancee",
        "villeneuve-emploi",
        "rance-securite-internet",
    }
    counts = {slug: len(await _sessions(i)) for slug, i in demo["workshop"].items()}
    assert counts["rance-securite-internet"] == 1
    assert all(counts[s] == 10 for s in counts if s.startswith("villeneuve"))
    capacities = {r["capacity"] for r in await WorkshopSeries.select(WorkshopSeries.capacity)}
    assert capacities <= set(range(8, 13))
    before = (await WorkshopSeries.count(), await WorkshopSession.count())
    await seed_demo()
    assert (await WorkshopSeries.count(), await WorkshopSession.count()) == before


async def test_create_a_series_with_a_preview(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    await sign_in(client, SOPHIE, DEMO_PASSWORD)
    token = await csrf_token(client, "/staff/workshops/new")
    form = {
        "_csrf_token": token,
        "title": "Smartphone : les bases",
        "level": "debutant",
        "convention": str(demo["convention"]["villeneuve"]),
        "venue": str(demo["venue"]["epn-villeneuve"]),
        "capacity": "8",
        "registration_mode": "both",
        "counsellors": str(demo["counsellor"]["villeneuve"]),
        "first_day": "2026-11-27",
        "start_time": "14:00",
        "end_time": "16:00",
        "frequency": "weekly",
        "count": "3",
        "offer_minutes": "1440",
        "cutoff_minutes": "120",
        "status": "published",
        "skip_holidays": "oui",
    }
    preview = await client.post("/staff/workshops/new", data={**form, "action": "preview"})
    assert preview.status_code == 200
    assert "Aperçu des séances" in preview.text
    assert (
        "vendredi 27 novembre 2026" in preview.text and "vendredi 11 décembre 2026" in preview.text
    )
    assert await WorkshopSeries.count() == 5
    created = await client.post("/staff/workshops/new", data={**form, "action": "create"})
    assert created.status_code == 303
    page = await client.get(created.headers["location"])
    assert (
        "est créé et ses séances" in page.text
        and page.text.count("/staff/workshops/sessions/") == 3
    )
    # On Monday afternoon Sophie already runs "Initiation": refused unless forced.
    clash = {**form, "first_day": "2026-11-30", "title": "Doublon"}
    refused = await client.post("/staff/workshops/new", data={**clash, "action": "create"})
    assert refused.status_code == 409 and 'href="#force"' in refused.text
    assert "Sophie Martin : atelier le lun. 30 nov. à 14h00" in refused.text
    forced = await client.post(
        "/staff/workshops/new", data={**clash, "action": "create", "force": "oui"}
    )
    assert forced.status_code == 303
    errors = await client.post(
        "/staff/workshops/new",
        data={**form, "title": "", "start_time": "25:00", "action": "preview"},
    )
    assert errors.status_code == 422
    assert 'href="#title"' in errors.text and 'href="#start_time"' in errors.text


async def test_roster_attendance_and_sign_in_sheet(
    client: httpx.AsyncClient, demo: dict[str, Any], settings: Any, clock: Any
) -> None:
    series_id = demo["workshop"]["rance-securite-internet"]
    session = (await _sessions(series_id))[0]
    links = links_from_settings(settings)
    done = [
        await registrations.register(
            RegistrationRequest(
                series_id=series_id,
                session_id=session["id"],
                person=person(n, last_name=name, phone=phone),
            ),
            now=clock(),
            links=links,
        )
        for n, name, phone in ((1, "-Le Bihan", "0611111111"), (2, "Morvan", "0622222222"))
    ]
    clock.set(aware(session["starts_at"]) + timedelta(minutes=10))  # on the day
    await sign_in(client, "coordination.rance@creneau.demo", DEMO_PASSWORD)
    page = await client.get(f"/staff/workshops/sessions/{session['id']}")
    assert page.status_code == 200
    assert "MORVAN Prénom2" in page.text and "06 22 22 22 22" in page.text
    sheet = await client.get(f"/staff/workshops/sessions/{session['id']}/emargement.csv")
    assert sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(sheet.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Nom", "Prénom", "Téléphone"]
    assert rows[1][:4] == ["'-Le Bihan", "Prénom1", "06 11 11 11 11", "1"]
    printable = await client.get(f"/staff/workshops/sessions/{session['id']}/emargement")
    assert "Feuille d'émargement" in printable.text and "MORVAN" in printable.text
    token = await csrf_token(client, f"/staff/workshops/sessions/{session['id']}")
    marked = await client.post(
        f"/staff/workshops/sessions/{session['id']}/presence",
        data={"_csrf_token": token, "present": str(done[0].registration_ids[0])},
    )
    assert marked.status_code == 303
    statuses = [
        r["status"]
        for r in await Registration.select(Registration.status).order_by(Registration.id)
    ]
    assert statuses == ["attended", "no_show"]


async def test_cancel_a_session_from_its_page(
    client: httpx.AsyncClient, demo: dict[str, Any], settings: Any, clock: Any
) -> None:
    series_id = demo["workshop"]["rance-securite-internet"]
    session = (await _sessions(series_id))[0]
    for n in (1, 2, 3):
        await registrations.register(
            RegistrationRequest(series_id=series_id, session_id=session["id"], person=person(n)),
            now=clock(),
            links=links_from_settings(settings),
        )
    await sign_in(client, "coordination.rance@creneau.demo", DEMO_PASSWORD)
    page = f"/staff/workshops/sessions/{session['id']}"
    token = await csrf_token(client, page)
    missing = await client.post(f"{page}/annuler", data={"_csrf_token": token, "reason": ""})
    assert missing.status_code == 422 and 'href="#reason"' in missing.text
    cancelled = await client.post(
        f"{page}/annuler", data={"_csrf_token": token, "reason": "Salle indisponible"}
    )
    assert cancelled.status_code == 303
    assert "chaque inscrit est prévenu" in (await client.get(cancelled.headers["location"])).text
    told = await OutboxMessage.select(OutboxMessage.to_phone).where(
        OutboxMessage.kind == "session_cancelled"
    )
    assert sorted(m["to_phone"] for m in told) == ["+33600000001", "+33600000002", "+33600000003"]


async def test_staff_out_of_scope_is_refused(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    session = (await _sessions(demo["workshop"]["villeneuve-emploi"]))[0]
    await sign_in(client, "accueil.gerzat@creneau.demo", DEMO_PASSWORD)
    assert (await client.get(f"/staff/workshops/sessions/{session['id']}")).status_code == 403
    api = await client.get(f"/api/staff/workshops/sessions/{session['id']}/registrations")
    assert api.status_code == 403 and api.json()["error"]["code"] == "forbidden"
    listing = await client.get("/staff/workshops")
    assert listing.status_code == 200 and "Numérique et recherche d" not in listing.text


async def test_staff_json_api(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    await sign_in(client, SOPHIE, DEMO_PASSWORD)
    headers = {"x-csrftoken": client.cookies.get("csrftoken", "")}
    body = {
        "convention_id": demo["convention"]["villeneuve"],
        "venue_id": demo["venue"]["epn-villeneuve"],
        "title": "Emploi : entretien vidéo",
        "start_time": "14:00:00",
        "end_time": "16:00:00",
        "first_day": "2026-11-30",
        "rrule": "FREQ=WEEKLY;BYDAY=MO;COUNT=2",
        "capacity": 2,
        "counsellor_ids": [demo["counsellor"]["villeneuve"]],
    }
    preview = await client.post("/api/staff/workshops/series/preview", json=body, headers=headers)
    assert preview.status_code == 200, preview.text
    assert len(preview.json()["conflicts"]) == 2
    busy = await client.post("/api/staff/workshops/series", json=body, headers=headers)
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "animator_busy"
    body["start_time"], body["end_time"] = "16:30:00", "18:00:00"
    created = await client.post("/api/staff/workshops/series", json=body, headers=headers)
    assert created.status_code == 201, created.text
    series_id, (first, second) = created.json()["series_id"], created.json()["created"]
    assert (await client.post("/api/staff/workshops/series", json=body)).status_code == 403
    registered = await client.post(
        f"/api/staff/workshops/sessions/{first}/registrations",
        headers=headers,
        json={
            "first_name": "Samir",
            "last_name": "Haddad",
            "phone": "0698765432",
            "party_size": 2,
            "channel": "phone",
        },
    )
    assert registered.status_code == 201 and registered.json()["status"] == "confirmed"
    roster = (await client.get(f"/api/staff/workshops/sessions/{first}/registrations")).json()
    assert [(r["last_name"], r["channel"], r["party_size"]) for r in roster] == [
        ("Haddad", "phone", 2)
    ]
    shown = (await client.get(f"/api/staff/workshops/series/{series_id}")).json()
    assert [s["seats_left"] for s in shown["sessions"]] == [0, 2]
    grown = await client.patch(
        f"/api/staff/workshops/series/{series_id}",
        headers=headers,
        json={"capacity": 3, "description": "Avec une webcam."},
    )
    assert grown.status_code == 200, grown.text
    assert [
        s["capacity"]
        for s in (await client.get(f"/api/staff/workshops/series/{series_id}")).json()["sessions"]
    ] == [3, 3]
    moved = await client.patch(
        f"/api/staff/workshops/sessions/{second}",
        headers=headers,
        json={"starts_at": "2026-12-08T08:00:00Z", "ends_at": "2026-12-08T10:00:00Z"},
    )
    assert moved.status_code == 200, moved.text
    skipped = await client.post(
        f"/api/staff/workshops/series/{series_id}/exceptions",
        headers=headers,
        json={"day": "2026-12-08"},
    )
    assert skipped.json() == {"count": 0}
    row = roster[0]["id"]
    cancelled = await client.post(
        f"/api/staff/workshops/registrations/{row}/cancel", headers=headers, json={}
    )
    assert cancelled.json() == {"count": 1}
    early = await client.post(
        f"/api/staff/workshops/sessions/{first}/attendance", headers=headers, json={"present": []}
    )
    assert early.status_code == 422
