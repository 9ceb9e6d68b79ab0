"""Workshops from a resident's side: the list with seats left, registering with a relative,
the waiting list, and confirming a seat offered when someone cancels."""

from __future__ import annotations

import re

from tests.e2e.booking_api import call
from tests.e2e.conftest import LiveServer, Tab
from tests.e2e.support import Auditor, screenshots

VICOMTE = "la-vicomte-sur-rance-22382"
VILLENEUVE = "villeneuve-la-garenne-92078"
SECURITY = "rance-securite-internet"  # a one-off morning for 12 people


async def register_by_api(base: str, series: dict, phone: str, party: int) -> str:
    response = await call(
        base,
        "POST",
        f"/api/public/workshops/{series['id']}/registrations",
        json={
            "first_name": "Rémi",
            "last_name": f"Plein{phone[-2:]}",
            "phone": phone,
            "session_id": series["sessions"][0]["id"],
            "party_size": party,
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["manage_url"])


async def fill_in(page: object, first: str, phone: str) -> None:
    await page.fill("#first_name", first)  # type: ignore[attr-defined]
    await page.fill("#last_name", "Kerouac")  # type: ignore[attr-defined]
    await page.fill("#phone", phone)  # type: ignore[attr-defined]


async def test_register_with_a_relative(
    live_server: LiveServer, tab: Tab, auditor: Auditor
) -> None:
    page, base = tab.page, live_server.base_url
    await page.goto(f"{base}/ateliers/commune/{VILLENEUVE}")
    await auditor.check(page)
    await screenshots(page, "ateliers-1-liste")
    assert "places restantes" in await page.inner_text("main")
    await page.locator("a", has_text="S'inscrire").nth(1).click()
    await page.wait_for_url(re.compile(r".*/inscription\?.*"))
    await auditor.check(page)
    await page.select_option("#party_size", label="2 personnes")
    await fill_in(page, "Inès", "06 71 00 00 01")
    await screenshots(page, "ateliers-2-inscription")
    await page.click("button >> text=M'inscrire")
    await page.wait_for_url(re.compile(r".*/a/[^/]+\?nouveau=1$"))
    await auditor.check(page)
    await screenshots(page, "ateliers-3-inscrit")
    main = await page.inner_text("main")
    assert "Inscription confirmée" in main and "2 personnes" in main


async def test_waiting_list_then_confirm_the_offered_seat(
    live_server: LiveServer, tab: Tab, auditor: Auditor
) -> None:
    page, base = tab.page, live_server.base_url
    series = (await call(base, "GET", f"/api/public/workshops/{SECURITY}")).json()
    links = [await register_by_api(base, series, f"06 72 00 00 0{i}", 3) for i in range(4)]

    await page.goto(f"{base}/ateliers/commune/{VICOMTE}")
    await auditor.check(page)
    card = page.locator("article", has_text="Sécurité sur internet")
    assert "Complet" in await card.inner_text()
    await card.locator("a", has_text="Rejoindre la liste d'attente").click()
    await page.wait_for_url(re.compile(r".*/inscription\?.*"))
    await fill_in(page, "Yves", "06 73 00 00 01")
    await page.click("button >> text=M'inscrire")
    await page.wait_for_url(re.compile(r".*/a/[^/]+\?nouveau=1$"))
    await auditor.check(page)
    await screenshots(page, "ateliers-4-attente")
    assert "En liste d'attente : vous êtes n° 1" in await page.inner_text("main")
    waiting = page.url.split("?")[0]

    token = links[0].rsplit("/", 1)[1]
    cancelled = await call(base, "POST", f"/api/public/workshops/registrations/{token}/cancel")
    assert cancelled.status_code == 200, cancelled.text

    await page.goto(f"{waiting}/confirmer")
    await auditor.check(page)
    await screenshots(page, "ateliers-5-offre")
    await page.click("button >> text=Je confirme ma place")
    await page.wait_for_url(re.compile(r".*\?confirmee=1$"))
    await auditor.check(page)
    main = await page.inner_text("main")
    assert "Votre place est confirmée" in main and "Inscription confirmée" in main


async def test_staff_workshop_pages(live_server: LiveServer, tab: Tab, auditor: Auditor) -> None:
    from tests.e2e.support import sign_in

    page, base = tab.page, live_server.base_url
    await sign_in(page, base, "conseillere.villeneuve@creneau.demo")
    await page.click("nav >> text=Ateliers")
    await page.wait_for_url(f"{base}/staff/workshops")
    await auditor.check(page)
    await screenshots(page, "ateliers-6-equipe")
    await page.locator("main a", has_text="Bureautique").first.click()
    await auditor.check(page)
    await page.locator("main a[href*='/staff/workshops/sessions/']").first.click()
    await auditor.check(page)
    await screenshots(page, "ateliers-7-seance")
