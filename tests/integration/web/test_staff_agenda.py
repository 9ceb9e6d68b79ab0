"""Counsellor agenda pages: day, week, printable sheet, outcomes, cancellation, scopes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from booking.tables import Appointment, AuditLog
from tests.integration.web.browser import Browser
from tests.integration.web.staff_helpers import (
    ADMIN,
    GERZAT_COUNSELLOR,
    PLEUDIHEN_AGENT,
    RANCE_COORDINATOR,
    RANCE_COUNSELLOR,
    signed_in,
)
from tests.integration.web.test_resident_booking import book_through_pages
from tests.support.clock import FrozenClock


async def booked(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    browser = await book_through_pages(client, demo["commune"]["22382"])
    assert browser.page is not None and browser.page.status_code == 200


async def test_counsellor_lands_on_their_day(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    await booked(client, demo)
    await signed_in(client, RANCE_COUNSELLOR)
    index = await client.get("/staff/agenda")
    rance = demo["counsellor"]["rance"]
    assert index.status_code in (302, 303) and index.headers["location"] == f"/staff/agenda/{rance}"
    day = await client.get(f"/staff/agenda/{rance}", params={"jour": "2026-11-24"})
    assert day.status_code == 200
    assert "Mardi 24 novembre 2026" in day.text or "mardi 24 novembre 2026" in day.text
    assert "9h00 – 9h45 · Jeanne Le Bihan" in day.text
    assert "Permanences" in day.text and "9h00 – 12h00 · Espace public" in day.text
    assert "Téléphone : 06 12 34 56 78" in day.text


async def test_week_and_sheet(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    await booked(client, demo)
    await signed_in(client, RANCE_COUNSELLOR)
    rance = demo["counsellor"]["rance"]
    week = await client.get(f"/staff/agenda/{rance}/semaine", params={"jour": "2026-11-26"})
    assert week.status_code == 200
    assert "semaine du lundi 23 novembre 2026" in week.text
    assert week.text.count('class="day-title"') == 7
    assert "Permanence 14h00 – 17h00 · Mairie de Pleudihen-sur-Rance" in week.text
    sheet = await client.get(f"/staff/agenda/{rance}/feuille", params={"jour": "2026-11-24"})
    assert sheet.status_code == 200
    assert "<table>" in sheet.text and "Jeanne Le Bihan" in sheet.text
    assert 'class="sheet"' in sheet.text  # print styles hide the chrome


async def test_mark_outcome_after_the_start(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock
) -> None:
    await booked(client, demo)
    await signed_in(client, RANCE_COUNSELLOR)
    rance = demo["counsellor"]["rance"]
    url = f"/staff/agenda/{rance}?jour=2026-11-24"
    before = await client.get(url)
    assert 'value="attended"' not in before.text and "/annuler?back=" in before.text
    clock.advance(timedelta(days=1, hours=2))
    browser = Browser(client)
    await signed_in(client, RANCE_COUNSELLOR)  # the morning session has expired
    page = await browser.open(url)
    row = await Appointment.objects().first()
    assert row is not None
    done = await browser.submit(f"/staff/rdv/{row.id}/issue", outcome="no_show")
    assert done.status_code == 200 and str(done.url) == f"http://testserver{url}"
    assert "✕ Absent" in done.text
    assert page.status_code == 200
    row = await Appointment.objects().first()
    assert row is not None and row.status == "no_show"


async def test_cancel_needs_a_reason(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    await booked(client, demo)
    await signed_in(client, RANCE_COUNSELLOR)
    row = await Appointment.objects().first()
    assert row is not None
    browser = Browser(client)
    back = f"/staff/agenda/{demo['counsellor']['rance']}?jour=2026-11-24"
    await browser.open(f"/staff/rdv/{row.id}/annuler?back={back}")
    refused = await browser.submit(f"/staff/rdv/{row.id}/annuler", reason="")
    assert refused.status_code == 422 and '<a href="#reason">' in refused.text
    done = await browser.submit(f"/staff/rdv/{row.id}/annuler", reason="Conseillère malade")
    assert done.status_code == 200 and "Annulé" in done.text
    row = await Appointment.objects().first()
    assert row is not None and row.status == "cancelled" and row.cancel_reason
    assert await AuditLog.count().where(AuditLog.action == "appointment.cancel") == 1


@pytest.mark.parametrize(
    ("email", "status"),
    [
        (ADMIN, 200),
        (RANCE_COORDINATOR, 200),
        (RANCE_COUNSELLOR, 200),
        (GERZAT_COUNSELLOR, 403),
        (PLEUDIHEN_AGENT, 403),
    ],
)
async def test_agenda_scope(
    client: httpx.AsyncClient, demo: dict[str, Any], email: str, status: int
) -> None:
    await signed_in(client, email)
    rance = demo["counsellor"]["rance"]
    for path in ("", "/semaine", "/feuille", "/plages", "/absences"):
        response = await client.get(f"/staff/agenda/{rance}{path}")
        expected = 403 if path in ("/plages", "/absences") and email == PLEUDIHEN_AGENT else status
        assert response.status_code == expected, path


async def test_out_of_scope_outcome_and_cancel_are_forbidden(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    await booked(client, demo)
    row = await Appointment.objects().first()
    assert row is not None
    await signed_in(client, GERZAT_COUNSELLOR)
    token = client.cookies.get("csrftoken")
    assert (await client.get(f"/staff/rdv/{row.id}/annuler")).status_code == 403
    refused = await client.post(
        f"/staff/rdv/{row.id}/annuler", data={"reason": "x", "_csrf_token": token}
    )
    assert refused.status_code == 403
    refused = await client.post(
        f"/staff/rdv/{row.id}/issue", data={"outcome": "attended", "_csrf_token": token}
    )
    assert refused.status_code == 403
    row = await Appointment.objects().first()
    assert row is not None and row.status == "booked"


async def test_town_hall_agent_sees_the_communes_day(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    from booking.tables import Venue

    # A resident of Pleudihen takes the first slot of the convention: La Vicomté's EPN.
    browser = await book_through_pages(client, demo["commune"]["22197"])
    assert browser.page is not None and browser.page.status_code == 200
    row = await Appointment.objects().first()
    assert row is not None
    venue = await Venue.objects().where(Venue.id == row.venue).first()
    assert venue is not None and venue.commune == demo["commune"]["22382"]  # La Vicomté's EPN
    await signed_in(client, PLEUDIHEN_AGENT)
    index = await client.get("/staff/agenda")
    pleudihen = demo["commune"]["22197"]
    assert f'href="/staff/agenda/commune/{pleudihen}"' in index.text
    day = await client.get(f"/staff/agenda/commune/{pleudihen}", params={"jour": "2026-11-24"})
    assert day.status_code == 200 and "Aucun rendez-vous ce jour-là." in day.text
    vicomte = demo["commune"]["22382"]
    assert (await client.get(f"/staff/agenda/commune/{vicomte}")).status_code == 403
    client.cookies.delete("creneau_session")
    await signed_in(client, RANCE_COORDINATOR)
    seen = await client.get(f"/staff/agenda/commune/{vicomte}", params={"jour": "2026-11-24"})
    assert seen.status_code == 200
    assert "Jeanne Le Bihan" in seen.text and "avec Camille Le Goff" in seen.text
