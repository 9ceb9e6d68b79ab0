"""Residents book from /rdv in four form submissions, without JavaScript or an account."""

from __future__ import annotations

import re
from typing import Any

import httpx

from booking.tables import Appointment, Resident
from notifications.tables import OutboxMessage
from tests.integration.web.browser import Browser, form_with_action, options

PERSON = {"first_name": "Jeanne", "last_name": "Le Bihan", "phone": "06 12 34 56 78", "email": ""}


async def book_through_pages(client: httpx.AsyncClient, commune_id: int, **person: Any) -> Browser:
    browser = Browser(client)
    page = await browser.open("/rdv")
    assert page.status_code == 200
    page = await browser.submit("/rdv/motif", commune=commune_id)
    assert page.status_code == 200, page.text
    service = options(form_with_action(page.text, "/rdv/creneau"), "service")[0]
    page = await browser.submit("/rdv/creneau", service=service)
    assert page.status_code == 200, page.text
    slot = options(form_with_action(page.text, "/rdv/coordonnees"), "slot")[0]
    page = await browser.submit("/rdv/coordonnees", slot=slot)
    assert page.status_code == 200, page.text
    await browser.submit("/rdv/coordonnees", **{**PERSON, **person})
    return browser


async def test_four_submissions_book_and_confirm(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    browser = await book_through_pages(client, demo["commune"]["22382"])
    page = browser.page
    assert page is not None and page.status_code == 200, page.text if page else ""
    assert browser.submissions == 4
    assert str(page.url).startswith("http://testserver/rdv/confirmation/")
    html = page.text
    assert "Votre rendez-vous est confirmé" in html
    # Demo: Monday 23 Nov 2026 08:00 in Paris; the first slot is Tuesday 9:00 at the EPN.
    assert "Mardi 24 novembre 2026 à 9h00" in html
    assert "Espace public numérique de la médiathèque" in html
    assert "une pièce d&#39;identité" in html or "une pièce d'identité" in html  # what to bring
    token = str(page.url).rsplit("/", 1)[1]
    assert f'href="/r/{token}/rdv.ics"' in html
    assert "Un SMS de confirmation est envoyé au 06 •• •• •• 78" in html
    assert "06 12 34 56 78" not in html
    row = await Appointment.objects().first()
    assert row is not None and row.channel == "online" and row.status == "booked"
    assert await OutboxMessage.count().where(OutboxMessage.kind == "appointment_confirmation") == 1


async def test_postcode_shared_by_two_communes_asks_which(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    page = await client.get("/rdv/motif", params={"postcode": "22690"})
    assert page.status_code == 200
    form = form_with_action(page.text, "/rdv/creneau")
    assert sorted(int(v) for v in options(form, "commune")) == sorted(
        [demo["commune"]["22382"], demo["commune"]["22197"]]
    )
    assert len(options(form, "service")) == 3  # the staff-only service is not offered


async def test_start_errors_link_to_their_field(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    empty = await client.get("/rdv/motif")
    assert empty.status_code == 422
    assert '<a href="#commune">Choisissez votre commune' in empty.text
    unknown = await client.get("/rdv/motif", params={"postcode": "75001"})
    assert unknown.status_code == 422
    assert '<a href="#postcode">' in unknown.text
    assert 'value="75001"' in unknown.text  # the value is kept
    assert 'aria-invalid="true"' in unknown.text
    bad = await client.get("/rdv/motif", params={"postcode": "22a"})
    assert "5 chiffres" in bad.text


async def test_details_errors_summary_keeps_values_and_books_nothing(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    browser = await book_through_pages(
        client,
        demo["commune"]["22382"],
        first_name="",
        phone="01 23 45 67 89",
        email="pas-une-adresse",
    )
    page = browser.page
    assert page is not None and page.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', page.text, re.S)
    assert summary is not None
    links = re.findall(r'<a href="#([a-z_]+)">', summary.group(0))
    assert links == ["first_name", "phone", "email"]
    assert 'id="phone"' in page.text and 'value="01 23 45 67 89"' in page.text
    assert 'value="Le Bihan"' in page.text
    assert page.text.count('class="field-error"') == 3
    assert "<title>Erreur : " in page.text
    assert await Appointment.count() == 0 and await Resident.count() == 0


async def test_no_slot_chosen_shows_the_slots_again_with_an_error(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    browser = Browser(client)
    commune, service = demo["commune"]["22382"], demo["service"]["rance/demarches"]
    await browser.open(f"/rdv/creneau?commune={commune}&service={service}")
    page = await browser.submit("/rdv/coordonnees", slot=None)
    assert page.status_code == 422
    assert '<a href="#slot">Choisissez un créneau.</a>' in page.text
    assert 'id="slot"' in page.text  # the first radio carries the id the summary links to


async def test_the_same_slot_twice_is_refused_with_a_link_to_choose_again(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    browser = Browser(client)
    commune, service = demo["commune"]["22382"], demo["service"]["rance/demarches"]
    page = await browser.open(f"/rdv/creneau?commune={commune}&service={service}")
    slot = options(form_with_action(page.text, "/rdv/coordonnees"), "slot")[0]
    details = await browser.submit("/rdv/coordonnees", slot=slot)
    booked = await browser.submit("/rdv/coordonnees", **PERSON)
    assert booked.status_code == 200
    browser.page = details  # a second person had the same form open
    refused = await browser.submit("/rdv/coordonnees", **{**PERSON, "first_name": "Paul"})
    assert refused.status_code == 409
    assert '<a href="#slot">Ce créneau vient d&#39;être réservé' in refused.text
    assert 'value="Paul"' in refused.text
    assert await Appointment.count() == 1


async def test_tampered_slot_value_is_a_clear_error(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    page = await client.get(
        "/rdv/coordonnees",
        params={
            "commune": demo["commune"]["22382"],
            "service": demo["service"]["rance/demarches"],
            "slot": "1-x-<script>",
        },
    )
    assert page.status_code == 422
    assert "<script>" not in page.text.split("<main", 1)[1]


async def test_honeypot_filled_books_nothing(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    browser = await book_through_pages(client, demo["commune"]["22382"], website="http://x")
    assert browser.page is not None and browser.page.status_code == 422
    assert "La demande n&#39;a pas pu être traitée." in browser.page.text
    assert await Appointment.count() == 0


async def test_too_many_bookings_from_one_phone_are_refused(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    from booking.settings import load_settings

    allowed = load_settings().booking_rate_per_phone_day
    for _ in range(allowed):
        done = await book_through_pages(client, demo["commune"]["22382"])
        assert done.page is not None and done.page.status_code == 200
    refused = await book_through_pages(client, demo["commune"]["22382"])
    assert refused.page is not None and refused.page.status_code == 429
    assert "Trop de demandes" in refused.page.text
    assert await Appointment.count() == allowed
