"""A counsellor's agenda: day, week, printable sheet, availability, absences, feed link;
marking an outcome once the appointment has started; the town-hall and SMS pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from tests.e2e.booking_api import book
from tests.e2e.conftest import LiveServer, Tab
from tests.e2e.support import Auditor, screenshots, sign_in

DEMARCHES = 1
RANCE_COUNSELLOR = "conseillere.rance@creneau.demo"


@pytest.fixture
def clock(live_server: LiveServer) -> Iterator[LiveServer]:
    yield live_server
    live_server.reset_clock()


async def test_counsellor_agenda(
    live_server: LiveServer, tab: Tab, auditor: Auditor, clock: LiveServer
) -> None:
    page, base = tab.page, live_server.base_url
    booked = await book(base, DEMARCHES, first_name="Agathe", phone="06 55 44 33 22", nth=1)
    day = booked["slot"]["start"][:10]
    await sign_in(page, base, RANCE_COUNSELLOR)
    await page.click("nav >> text=Agenda")
    await page.wait_for_url(re.compile(r".*/staff/agenda/\d+$"))
    agenda = page.url
    await page.goto(f"{agenda}?jour={day}")
    await auditor.check(page)
    await screenshots(page, "agenda-1-jour")
    card = page.locator("li.card", has_text="Agathe Testeur")
    assert await card.count() == 1

    await page.click("nav >> text=Feuille du jour")
    await auditor.check(page)
    await screenshots(page, "agenda-3-feuille", print_media=True)
    assert await page.locator("table td", has_text="Agathe Testeur").count() == 1
    await page.click("nav >> text=Semaine")
    await auditor.check(page)
    await screenshots(page, "agenda-2-semaine")
    assert "Agathe Testeur" in await page.inner_text("main")

    await page.click("nav >> text=Plages d'ouverture")
    await auditor.check(page)
    await page.select_option("#venue", label="Mairie de Saint-Hélen")
    await page.check("label >> text=Un jour précis du mois (par exemple le premier samedi)")
    await page.select_option("#ordinal", label="troisième")
    await page.select_option("#month_weekday", label="mercredi")
    await page.fill("#start_time", "14:00")
    await page.fill("#end_time", "16:30")
    await page.click("button >> text=Voir l'aperçu")
    await page.locator("#apercu-titre").wait_for()
    await auditor.check(page)
    await screenshots(page, "agenda-4-plage-apercu")
    assert "Mercredi 16 décembre 2026" in await page.inner_text("main")
    await page.click("button >> text=Enregistrer la plage")
    await page.locator("text=La plage d'ouverture est enregistrée.").wait_for()

    await page.click("nav >> text=Absences")
    await auditor.check(page)
    await page.fill("#start_day", "2027-01-04")
    await page.fill("#reason", "Formation")
    await page.click("button >> text=Enregistrer l'absence")
    await page.locator("text=L'absence est enregistrée.").wait_for()
    await auditor.check(page)
    await screenshots(page, "agenda-5-absences")

    await page.click("nav >> text=Abonnement")
    await page.click("button >> text=Créer le lien d'abonnement")
    await page.locator("#feed-link").wait_for()
    await auditor.check(page)
    await screenshots(page, "agenda-6-abonnement")
    link = await page.input_value("#feed-link")
    feed = await page.request.get(link)
    assert feed.status == 200 and "Agathe T." in await feed.text()

    # The next day, after the appointment started: mark it attended.
    start = datetime.fromisoformat(booked["slot"]["start"].replace("Z", "+00:00"))
    clock.set_clock(start + timedelta(minutes=50))
    await sign_in(page, base, RANCE_COUNSELLOR)  # yesterday's session has expired
    await page.goto(f"{agenda}?jour={day}")
    card = page.locator("li.card", has_text="Agathe Testeur")
    await card.locator("button", has_text="Venu").click()
    await page.wait_for_url(f"{agenda}?jour={day}")
    await auditor.check(page)
    assert "✓ Venu" in await page.locator("li.card", has_text="Agathe Testeur").inner_text()


async def test_cancel_from_the_agenda_with_a_reason(
    live_server: LiveServer, tab: Tab, auditor: Auditor
) -> None:
    page, base = tab.page, live_server.base_url
    booked = await book(base, DEMARCHES, first_name="Bernard", phone="06 55 44 33 11", nth=2)
    await sign_in(page, base, RANCE_COUNSELLOR)
    await page.click("nav >> text=Agenda")
    await page.wait_for_url(re.compile(r".*/staff/agenda/\d+$"))
    await page.goto(f"{page.url}?jour={booked['slot']['start'][:10]}")
    card = page.locator("li.card", has_text="Bernard Testeur")
    await card.locator("a", has_text="Annuler").click()
    await page.locator("button", has_text="Annuler le rendez-vous").wait_for()  # page loaded
    await auditor.check(page)
    await page.click("button >> text=Annuler le rendez-vous")
    await page.locator(".error-summary").wait_for()
    await auditor.check(page)
    await screenshots(page, "agenda-7-annuler-erreur")
    await page.fill("#reason", "Conseillère en formation")
    await page.click("button >> text=Annuler le rendez-vous")
    await page.wait_for_url(re.compile(r".*/staff/agenda/\d+\?jour=.*"))
    assert "Annulé" in await page.locator("li.card", has_text="Bernard Testeur").inner_text()


async def test_town_hall_and_sms_pages(live_server: LiveServer, tab: Tab, auditor: Auditor) -> None:
    page, base = tab.page, live_server.base_url
    await book(base, DEMARCHES, first_name="Claire", phone="06 55 44 33 00", nth=5)
    await sign_in(page, base, "accueil.pleudihen@creneau.demo")
    await page.click("nav >> text=Mairie")
    await auditor.check(page)
    await screenshots(page, "mairie-1-liens")
    copy = page.locator("button[data-copy='booking-link']")
    assert await copy.is_visible()  # shown by the script; hidden without JavaScript
    await page.click("nav >> text=SMS")
    await auditor.check(page)
    await page.click("nav >> text=Agenda")
    await auditor.check(page)
    await page.click("main a >> text=Rendez-vous à Pleudihen-sur-Rance")
    await page.wait_for_url(re.compile(r".*/staff/agenda/commune/\d+$"))
    await auditor.check(page)
    await screenshots(page, "mairie-3-agenda-commune")
    await page.context.clear_cookies()
    await sign_in(page, base, "admin@creneau.demo")
    await page.goto(f"{base}/staff/outbox")
    await auditor.check(page)
    await screenshots(page, "mairie-2-sms")
    main = await page.inner_text("main")
    assert "06 •• •• •• 00" in main and "06 55 44 33 00" not in main
