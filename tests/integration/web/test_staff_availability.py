"""Availability rules with a preview, and absences, from the counsellor's pages."""

from __future__ import annotations

from typing import Any

import httpx

from booking.tables import Absence, AvailabilityRule
from tests.integration.web.browser import Browser
from tests.integration.web.staff_helpers import RANCE_COUNSELLOR, signed_in

RULE = {
    "kind": "monthly",
    "ordinal": "1",
    "month_weekday": "WE",
    "first_day": "2026-11-23",
    "start_time": "14:00",
    "end_time": "16:00",
    "until": "",
    "exdates": "",
    "interval": "1",
}


async def rules_page(client: httpx.AsyncClient, demo: dict[str, Any]) -> Browser:
    await signed_in(client, RANCE_COUNSELLOR)
    browser = Browser(client)
    page = await browser.open(f"/staff/agenda/{demo['counsellor']['rance']}/plages")
    assert page.status_code == 200
    assert "Chaque mardi, 09:00 – 12:00" in page.text  # the demo's EPN rule
    return browser


async def test_preview_then_save_a_monthly_rule(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    browser = await rules_page(client, demo)
    action = f"/staff/agenda/{demo['counsellor']['rance']}/plages"
    before = await AvailabilityRule.count()
    preview = await browser.submit(
        action,
        venue=demo["venue"]["mairie-saint-helen"],
        services=demo["service"]["rance/email"],
        action="apercu",
        **RULE,
    )
    assert preview.status_code == 200, preview.text
    assert "Aperçu : les 8 prochaines permanences" in preview.text
    # First Wednesdays: 2 Dec 2026, 6 Jan 2027; two hours hold four 30-minute slots.
    assert "<li>Mercredi 2 décembre 2026, 14h00 – 16h00</li>" in preview.text
    assert "4 créneaux « Créer ou utiliser ma messagerie » (30 min)" in preview.text
    assert "Mercredi 6 janvier 2027" in preview.text
    assert await AvailabilityRule.count() == before
    saved = await browser.submit(action, action="enregistrer")  # the kept values are sent
    assert (
        saved.status_code == 200
        and "La plage d&#39;ouverture est enregistrée." in saved.text.replace("'", "&#39;")
    )
    assert "Le premier mercredi du mois, 14:00 – 16:00" in saved.text
    rule = await AvailabilityRule.objects().order_by(AvailabilityRule.id, ascending=False).first()
    assert rule is not None and rule.rrule == "FREQ=MONTHLY;BYDAY=1WE"


async def test_rule_errors_are_linked(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    browser = await rules_page(client, demo)
    action = f"/staff/agenda/{demo['counsellor']['rance']}/plages"
    page = await browser.submit(
        action,
        action="apercu",
        **{**RULE, "kind": "weekly", "start_time": "16:00", "end_time": "14:00", "venue": ""},
    )
    assert page.status_code == 422
    for field in ("venue", "weekdays"):
        assert f'<a href="#{field}">' in page.text
    assert 'id="weekdays"' in page.text and 'id="venue"' in page.text
    page = await browser.submit(
        action, action="apercu", weekdays="MO", venue=demo["venue"]["mairie-gerzat"]
    )
    assert page.status_code == 422
    assert '<a href="#end_time">' in page.text


async def test_rule_outside_the_counsellors_communes_is_refused(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    browser = await rules_page(client, demo)
    action = f"/staff/agenda/{demo['counsellor']['rance']}/plages"
    page = await browser.submit(
        action, action="enregistrer", venue=demo["venue"]["mairie-gerzat"], **RULE
    )
    assert page.status_code == 422 and '<a href="#venue">' in page.text


async def test_deactivate_a_rule(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    browser = await rules_page(client, demo)
    rule = (
        await AvailabilityRule.objects()
        .where(AvailabilityRule.venue == demo["venue"]["epn-vicomte"])
        .first()
    )
    assert rule is not None
    done = await browser.submit(
        f"/staff/agenda/{demo['counsellor']['rance']}/plages/{rule.id}/retirer"
    )
    assert "La plage d&#39;ouverture est retirée." in done.text.replace("'", "&#39;")
    assert "Chaque mardi" not in done.text


async def test_absences(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    await signed_in(client, RANCE_COUNSELLOR)
    browser = Browser(client)
    url = f"/staff/agenda/{demo['counsellor']['rance']}/absences"
    await browser.open(url)
    bad = await browser.submit(url, start_day="", reason="Formation")
    assert bad.status_code == 422 and '<a href="#start_day">' in bad.text
    assert 'value="Formation"' in bad.text
    bad = await browser.submit(url, start_day="2026-12-02", end_day="2026-12-01")
    assert bad.status_code == 422 and '<a href="#end_day">' in bad.text
    ok = await browser.submit(
        url,
        start_day="2026-12-01",
        end_day="2026-12-01",
        start_time="",
        end_time="",
        reason="Formation",
    )
    assert ok.status_code == 200 and "Formation" in ok.text
    assert "Du mardi 1 décembre 2026 à 0h00 au mercredi 2 décembre 2026 à 0h00" in ok.text
    # The absence removes that Tuesday's slots.
    slots = await client.get(
        "/api/public/slots",
        params={
            "service_id": demo["service"]["rance/demarches"],
            "limit": 50,
            "venue_id": demo["venue"]["epn-vicomte"],
        },
    )
    days = {s["start"][:10] for s in slots.json()["slots"]}
    assert "2026-11-24" in days and "2026-12-01" not in days
    assert await Absence.count() == 1
