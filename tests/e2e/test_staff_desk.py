"""The phone desk books a caller in three screens."""

from __future__ import annotations

import re

from tests.e2e.conftest import LiveServer, Tab
from tests.e2e.support import Auditor, screenshots, sign_in


async def test_agent_books_a_caller_in_three_screens(
    live_server: LiveServer, tab: Tab, auditor: Auditor
) -> None:
    page, base = tab.page, live_server.base_url
    await page.goto(f"{base}/staff/login")
    await page.fill("#email", "accueil.pleudihen@creneau.demo")
    await page.fill("#password", "pas le bon")
    await page.click("button >> text=Se connecter")
    await page.locator(".error-summary").wait_for()
    await auditor.check(page)
    await screenshots(page, "connexion-erreur")
    await sign_in(page, base, "accueil.pleudihen@creneau.demo")
    await auditor.check(page)
    await page.click("nav >> text=Accueil téléphonique")
    await page.wait_for_url(f"{base}/staff/desk")
    screens = 1
    await auditor.check(page)
    await screenshots(page, "guichet-1-recherche")

    await page.fill("#phone", "06 45 12 34 56")
    await page.select_option(
        "#service",
        label="Suivi par téléphone — Convention numérique de la Rance (réservé aux professionnels)",
    )
    await page.click("button >> text=Chercher la personne et les créneaux")
    await page.wait_for_url(re.compile(r".*/staff/desk/creneaux\?.*"))
    screens += 1
    await auditor.check(page)
    await screenshots(page, "guichet-2-choix")
    assert await page.is_checked("#resident")  # nobody known: "new person" is preselected
    await page.fill("#first_name", "Odette")
    await page.fill("#last_name", "Le Gall")
    await page.locator(".choice-slot label").first.click()
    await page.click("button >> text=Réserver")
    await page.wait_for_url(re.compile(r".*/staff/desk/rdv/\d+$"))
    screens += 1
    await auditor.check(page)
    await screenshots(page, "guichet-3-reserve")
    assert screens == 3
    main = await page.inner_text("main")
    assert "Rendez-vous réservé" in main and "Mairie de Pleudihen-sur-Rance" in main
