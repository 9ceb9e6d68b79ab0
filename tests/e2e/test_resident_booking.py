"""A resident books in four submissions, with JavaScript off and on; axe checks every page."""

from __future__ import annotations

import re

from tests.e2e.conftest import LiveServer, Tab
from tests.e2e.support import Auditor, no_sideways_scroll, screenshots


async def test_booking_without_javascript(
    live_server: LiveServer, tab_without_js: Tab, auditor: Auditor
) -> None:
    page, base = tab_without_js.page, live_server.base_url
    await page.goto(f"{base}/rdv")
    await auditor.check(page, javascript=False)
    await screenshots(page, "rdv-1-commune")
    submissions = 0

    await page.select_option("#commune", label="La Vicomté-sur-Rance (22690)")
    await page.click("button >> text=Continuer")
    submissions += 1
    await page.wait_for_url(re.compile(r".*/rdv/motif\?.*"))
    await auditor.check(page, javascript=False)
    await screenshots(page, "rdv-2-motif")

    await page.check("label >> text=Démarches administratives en ligne")
    await page.click("button >> text=Voir les créneaux")
    submissions += 1
    await page.wait_for_url(re.compile(r".*/rdv/creneau\?.*"))
    await auditor.check(page, javascript=False)
    await screenshots(page, "rdv-3-creneau")
    first_day = await page.locator(".day-title").first.inner_text()

    await page.locator(".choice-slot label").first.click()
    await page.click("button >> text=Continuer")
    submissions += 1
    await page.wait_for_url(re.compile(r".*/rdv/coordonnees\?.*"))
    await auditor.check(page, javascript=False)

    await page.fill("#first_name", "Jeanne")
    await page.fill("#last_name", "Le Bihan")
    await page.fill("#phone", "06 12 34 56 78")
    await screenshots(page, "rdv-4-coordonnees")
    await page.click("button >> text=Confirmer le rendez-vous")
    submissions += 1
    await page.wait_for_url(re.compile(r".*/rdv/confirmation/.*"))
    await auditor.check(page, javascript=False)
    await screenshots(page, "rdv-5-confirmation")

    assert submissions == 4
    body = await page.inner_text("main")
    assert "Votre rendez-vous est confirmé" in body
    assert first_day.lower() in body.lower()
    assert "Un SMS de confirmation est envoyé au 06 •• •• •• 78" in body
    calendar = page.locator("a >> text=Ajouter à mon agenda")
    href = await calendar.get_attribute("href")
    assert href is not None and href.endswith("/rdv.ics")
    ics = await page.request.get(f"{base}{href}")
    assert ics.status == 200 and (await ics.text()).startswith("BEGIN:VCALENDAR")


async def test_booking_with_javascript_and_an_error_to_fix(
    live_server: LiveServer, tab: Tab, auditor: Auditor
) -> None:
    page, base = tab.page, live_server.base_url
    await page.goto(f"{base}/rdv")
    await page.keyboard.press("Tab")
    skip = await page.evaluate("() => document.activeElement.textContent")
    assert skip == "Aller au contenu"  # the skip link comes first, and shows when focused
    assert await page.locator(".skip-link").bounding_box() is not None

    await page.fill("#postcode", "22690")
    await page.click("button >> text=Continuer")
    await page.wait_for_url(re.compile(r".*/rdv/motif\?.*"))
    await auditor.check(page)
    await page.check("label >> text=Pleudihen-sur-Rance")
    await page.check("label >> text=Créer ou utiliser ma messagerie")
    await page.click("button >> text=Voir les créneaux")
    await page.wait_for_url(re.compile(r".*/rdv/creneau\?.*"))
    await auditor.check(page)
    await no_sideways_scroll(page)
    await page.locator(".choice-slot label").nth(1).click()
    await page.click("button >> text=Continuer")
    await page.wait_for_url(re.compile(r".*/rdv/coordonnees\?.*"))

    await page.fill("#first_name", "Paul")
    await page.fill("#phone", "01 23 45 67 89")
    await page.click("button >> text=Confirmer le rendez-vous")
    summary = page.locator(".error-summary")
    await summary.wait_for()
    assert await page.evaluate("() => document.activeElement.className") == "error-summary"
    await auditor.check(page)
    await screenshots(page, "rdv-4-erreurs")
    assert await page.input_value("#phone") == "01 23 45 67 89"  # the values are kept
    await summary.locator("a[href='#phone']").click()
    assert await page.evaluate("() => document.activeElement.id") == "phone"

    await page.fill("#last_name", "Martin")
    await page.fill("#phone", "0698765432")
    await page.click("button >> text=Confirmer le rendez-vous")
    await page.wait_for_url(re.compile(r".*/rdv/confirmation/.*"))
    await auditor.check(page)
    await no_sideways_scroll(page)
    assert "Votre rendez-vous est confirmé" in await page.inner_text("h1")
