"""From the SMS link: see the appointment, move it, then cancel it (with the confirm step)."""

from __future__ import annotations

import re

from tests.e2e.booking_api import book
from tests.e2e.conftest import LiveServer, Tab
from tests.e2e.support import Auditor, screenshots

DEMARCHES = 1  # the Rance convention's first service in the demo data


async def test_move_then_cancel_from_the_link(
    live_server: LiveServer, tab: Tab, auditor: Auditor
) -> None:
    page, base = tab.page, live_server.base_url
    booked = await book(base, DEMARCHES, first_name="Lucie", phone="06 11 22 33 44", nth=3)
    await page.goto(booked["manage_url"])
    await auditor.check(page)
    await screenshots(page, "gerer-1-rendez-vous")
    assert "Rendez-vous confirmé" in await page.inner_text("main")

    await page.click("a >> text=Déplacer le rendez-vous")
    await page.wait_for_url(re.compile(r".*/deplacer$"))
    await auditor.check(page)
    await screenshots(page, "gerer-2-deplacer")
    await page.locator(".choice-slot label").nth(4).click()
    await page.click("button >> text=Déplacer à ce créneau")
    await page.wait_for_url(re.compile(r".*/r/[^/]+\?notice=deplace$"))
    await auditor.check(page)
    assert "Votre rendez-vous est déplacé" in await page.inner_text("main")

    await page.click("a >> text=Annuler le rendez-vous")
    await page.wait_for_url(re.compile(r".*/annuler$"))
    await auditor.check(page)
    await screenshots(page, "gerer-3-annuler")
    await page.click("button >> text=Oui, annuler le rendez-vous")
    await page.wait_for_url(re.compile(r".*\?notice=annule$"))
    await auditor.check(page)
    await screenshots(page, "gerer-4-annule")
    main = await page.inner_text("main")
    assert "Votre rendez-vous est annulé." in main and "Rendez-vous annulé" in main
