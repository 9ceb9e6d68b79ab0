"""From the SMS link: see the appointment, cancel it (with a confirm step), move it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from booking.tables import Appointment
from tests.integration.web.browser import Browser, form_with_action, options
from tests.integration.web.test_resident_booking import book_through_pages
from tests.support.clock import FrozenClock


async def booked_token(client: httpx.AsyncClient, demo: dict[str, Any]) -> str:
    browser = await book_through_pages(client, demo["commune"]["22382"])
    assert browser.page is not None and browser.page.status_code == 200
    return str(browser.page.url).rsplit("/", 1)[1]


async def test_manage_page_shows_the_appointment_and_its_actions(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    token = await booked_token(client, demo)
    page = await client.get(f"/r/{token}")
    assert page.status_code == 200
    assert "Rendez-vous confirmé" in page.text
    assert f'href="/r/{token}/deplacer"' in page.text
    assert f'href="/r/{token}/annuler"' in page.text
    assert f'href="/r/{token}/rdv.ics"' in page.text
    assert (await client.get("/r/not-a-real-token")).status_code == 404


async def test_cancel_asks_first_then_cancels(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    token = await booked_token(client, demo)
    browser = Browser(client)
    confirm = await browser.open(f"/r/{token}/annuler")
    assert "Voulez-vous vraiment annuler" in confirm.text
    assert (await Appointment.objects().first()).status == "booked"  # type: ignore[union-attr]
    done = await browser.submit(f"/r/{token}/annuler")
    assert done.status_code == 200 and "Votre rendez-vous est annulé." in done.text
    assert "Rendez-vous annulé" in done.text and 'href="/rdv"' in done.text
    row = await Appointment.objects().first()
    assert row is not None and row.status == "cancelled" and row.cancelled_by_kind == "resident"
    again = await client.post(f"/r/{token}/annuler", data={"_csrf_token": _csrf(client)})
    assert again.status_code == 409


def _csrf(client: httpx.AsyncClient) -> str:
    return client.cookies.get("csrftoken") or ""


async def test_cancel_without_csrf_token_is_refused(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    token = await booked_token(client, demo)
    response = await client.post(f"/r/{token}/annuler", data={})
    assert response.status_code == 403
    assert (await Appointment.objects().first()).status == "booked"  # type: ignore[union-attr]


async def test_move_to_another_slot(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    token = await booked_token(client, demo)
    browser = Browser(client)
    page = await browser.open(f"/r/{token}/deplacer")
    slots = options(form_with_action(page.text, f"/r/{token}/deplacer"), "slot")
    assert len(slots) > 2
    moved = await browser.submit(f"/r/{token}/deplacer", slot=slots[2])
    assert moved.status_code == 200
    assert "Votre rendez-vous est déplacé" in moved.text
    new_token = str(moved.url).split("/r/", 1)[1].split("?")[0]
    assert new_token != token
    statuses = [r.status for r in await Appointment.objects().order_by(Appointment.id)]
    assert statuses == ["cancelled", "booked"]
    old = await client.get(f"/r/{token}")
    assert "Rendez-vous annulé" in old.text


async def test_move_without_choice_shows_an_error(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    token = await booked_token(client, demo)
    browser = Browser(client)
    await browser.open(f"/r/{token}/deplacer")
    page = await browser.submit(f"/r/{token}/deplacer", slot=None)
    assert page.status_code == 422
    assert '<a href="#slot">Choisissez un nouveau créneau.</a>' in page.text


async def test_past_the_cutoff_explains_and_gives_the_venue_phone(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock
) -> None:
    from booking.tables import Venue

    await Venue.update({Venue.phone: "02 96 00 00 00"}).where(
        Venue.id == demo["venue"]["epn-vicomte"]
    )
    token = await booked_token(client, demo)  # Tuesday 9:00; now Monday 8:00
    clock.advance(timedelta(hours=2))  # 23 hours before: past the 24-hour cut-off
    page = await client.get(f"/r/{token}")
    assert "trop tard pour changer ce rendez-vous en ligne" in page.text
    assert 'href="tel:0296000000"' in page.text
    assert f'href="/r/{token}/annuler"' not in page.text
    browser = Browser(client)
    await browser.open(f"/r/{token}/annuler")
    refused = await client.post(f"/r/{token}/annuler", data={"_csrf_token": _csrf(client)})
    assert refused.status_code == 409
    assert (await Appointment.objects().first()).status == "booked"  # type: ignore[union-attr]
