"""The phone desk in three screens: search, choose and book, what to tell the caller."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from booking.tables import Appointment, Resident
from tests.integration.web.browser import Browser, form_with_action, options
from tests.integration.web.staff_helpers import (
    ADMIN,
    GERZAT_AGENT,
    PLEUDIHEN_AGENT,
    signed_in,
)


async def test_desk_needs_a_staff_session(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    response = await client.get("/staff/desk")
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/staff/login")


async def test_book_a_new_caller_in_three_screens(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    await signed_in(client, PLEUDIHEN_AGENT)
    browser = Browser(client)
    page = await browser.open("/staff/desk")
    service = demo["service"]["rance/suivi-telephone"]  # staff-only
    assert f'value="{service}"' in page.text
    page = await browser.submit("/staff/desk/creneaux", phone="06 12 34 56 78", service=service)
    assert page.status_code == 200, page.text
    form = form_with_action(page.text, "/staff/desk/creneaux")
    assert options(form, "resident") == ["new"]
    # An agent of Pleudihen only sees the slots they may book: their commune's venue.
    assert "Mairie de Pleudihen-sur-Rance" in page.text
    assert "Espace public numérique de la médiathèque" not in page.text.split("Prochains")[1]
    slot = options(form, "slot")[0]
    done = await browser.submit(
        "/staff/desk/creneaux", resident="new", first_name="Jeanne", last_name="Le Bihan", slot=slot
    )
    assert done.status_code == 200, done.text
    assert browser.submissions == 2  # + the first screen: three screens in all
    assert "Rendez-vous réservé" in done.text and "Mairie de Pleudihen-sur-Rance" in done.text
    row = await Appointment.objects().first()
    assert row is not None and row.channel == "phone" and row.created_by is not None


async def test_known_caller_is_found_by_phone(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    from datetime import UTC, datetime

    await Resident(
        first_name="Marie",
        last_name="Durand",
        phone="+33698765432",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        last_activity_at=datetime(2026, 1, 1, tzinfo=UTC),
    ).save()
    await signed_in(client, ADMIN)
    page = await client.get(
        "/staff/desk/creneaux",
        params={"phone": "+33 6 98 76 54 32", "service": demo["service"]["rance/demarches"]},
    )
    assert page.status_code == 200
    form = form_with_action(page.text, "/staff/desk/creneaux")
    resident_ids = options(form, "resident")
    assert len(resident_ids) == 2 and resident_ids[-1] == "new"
    assert "Marie Durand" in page.text
    browser = Browser(client)
    browser.page = page
    done = await browser.submit(
        "/staff/desk/creneaux",
        resident=resident_ids[0],
        slot=options(form, "slot")[0],
        channel="desk",
    )
    assert done.status_code == 200, done.text
    assert await Resident.count() == 1
    row = await Appointment.objects().first()
    assert row is not None and row.channel == "desk"


async def test_screen_one_errors(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    await signed_in(client, ADMIN)
    page = await client.get("/staff/desk/creneaux", params={"phone": "01 23 45 67 89"})
    assert page.status_code == 422
    assert '<a href="#phone">' in page.text and '<a href="#service">' in page.text
    assert 'value="01 23 45 67 89"' in page.text


async def test_booking_errors_keep_values(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    await signed_in(client, ADMIN)
    browser = Browser(client)
    await browser.open(
        f"/staff/desk/creneaux?phone=0612345678&service={demo['service']['rance/demarches']}"
    )
    page = await browser.submit(
        "/staff/desk/creneaux", resident="new", first_name="Jeanne", last_name="", slot=None
    )
    assert page.status_code == 422
    assert '<a href="#last_name">' in page.text and '<a href="#slot">' in page.text
    assert 'value="Jeanne"' in page.text
    assert await Appointment.count() == 0


async def test_override_needs_a_reason_and_is_recorded(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    await signed_in(client, ADMIN)
    browser = Browser(client)
    page = await browser.open(
        f"/staff/desk/creneaux?phone=0612345678&service={demo['service']['rance/demarches']}"
    )
    place = options(
        form_with_action(page.text, "/staff/desk/creneaux"), "override_place", kind="option"
    )[1]
    incomplete = await browser.submit(
        "/staff/desk/creneaux",
        resident="new",
        first_name="Jeanne",
        last_name="Le Bihan",
        slot=None,
        override_reason="Seul jour possible",
    )
    assert incomplete.status_code == 422
    assert '<a href="#override_place">' in incomplete.text
    assert '<a href="#override_day">' in incomplete.text
    done = await browser.submit(
        "/staff/desk/creneaux",
        resident="new",
        first_name="Jeanne",
        last_name="Le Bihan",
        slot=None,
        override_place=place,
        override_day="2026-11-25",
        override_time="16:30",
        override_reason="Seul jour possible",
    )
    assert done.status_code == 200, done.text
    assert "Seul jour possible" in done.text
    row = await Appointment.objects().first()
    assert row is not None and row.override_reason == "Seul jour possible"


@pytest.mark.parametrize(("email", "status"), [(GERZAT_AGENT, 403), (PLEUDIHEN_AGENT, 200)])
async def test_out_of_scope_convention_is_forbidden(
    client: httpx.AsyncClient, demo: dict[str, Any], email: str, status: int
) -> None:
    await signed_in(client, email)
    page = await client.get(
        "/staff/desk/creneaux",
        params={"phone": "0612345678", "service": demo["service"]["rance/demarches"]},
    )
    assert page.status_code == status


async def test_booking_outside_the_agents_commune_is_forbidden(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    await signed_in(client, ADMIN)
    page = await client.get(
        "/staff/desk/creneaux",
        params={"phone": "0612345678", "service": demo["service"]["rance/demarches"]},
    )
    slot = options(form_with_action(page.text, "/staff/desk/creneaux"), "slot")[0]
    assert slot.startswith(f"{demo['venue']['epn-vicomte']}-")
    client.cookies.delete("creneau_session")
    await signed_in(client, PLEUDIHEN_AGENT)
    browser = Browser(client)
    browser.page = page
    refused = await browser.submit(
        "/staff/desk/creneaux",
        resident="new",
        first_name="Jeanne",
        last_name="Le Bihan",
        slot=slot,
        _csrf_token=client.cookies.get("csrftoken"),
    )
    assert refused.status_code == 403
    assert await Appointment.count() == 0
