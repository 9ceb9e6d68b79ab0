"""Feed link page, town-hall snippets and the SMS outbox, with their scopes."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.integration.web.browser import Browser
from tests.integration.web.staff_helpers import (
    ADMIN,
    GERZAT_AGENT,
    PLEUDIHEN_AGENT,
    RANCE_COORDINATOR,
    RANCE_COUNSELLOR,
    signed_in,
)
from tests.integration.web.test_resident_booking import book_through_pages


async def test_feed_link_shown_once_and_works(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    await signed_in(client, RANCE_COUNSELLOR)
    url = f"/staff/agenda/{demo['counsellor']['rance']}/abonnement"
    browser = Browser(client)
    page = await browser.open(url)
    assert "Pas d&#39;abonnement actif" in page.text or "Pas d'abonnement actif" in page.text
    created = await browser.submit(url, action="rotate")
    link = re.search(
        r'id="feed-link" class="copy-field" type="text" readonly value="([^"]+)"', created.text
    )
    assert link is not None and "/feeds/counsellor/" in link.group(1)
    assert 'href="webcal://' in created.text
    assert "<svg" in created.text  # the QR code to subscribe from a phone
    feed = await client.get(link.group(1).replace("http://127.0.0.1:8000", ""))
    assert feed.status_code == 200 and feed.text.startswith("BEGIN:VCALENDAR")
    again = await client.get(url)
    assert "Abonnement actif" in again.text and link.group(1) not in again.text
    browser.page = again
    await browser.submit(url, action="revoke")
    gone = await client.get(link.group(1).replace("http://127.0.0.1:8000", ""))
    assert gone.status_code == 404


@pytest.mark.parametrize(
    ("email", "status"), [(RANCE_COORDINATOR, 403), (ADMIN, 200), (PLEUDIHEN_AGENT, 403)]
)
async def test_feed_page_scope(
    client: httpx.AsyncClient, demo: dict[str, Any], email: str, status: int
) -> None:
    await signed_in(client, email)
    page = await client.get(f"/staff/agenda/{demo['counsellor']['rance']}/abonnement")
    assert page.status_code == status


async def test_townhall_snippets_for_the_agents_commune(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    await signed_in(client, PLEUDIHEN_AGENT)
    page = await client.get("/staff/mairie")
    assert page.status_code == 200
    pleudihen = demo["commune"]["22197"]
    assert f"/feeds/communes/{pleudihen}.ics" in page.text
    assert (
        "&lt;iframe src=&#34;http://127.0.0.1:8000/embed/ateliers/commune/" in page.text
        or "&lt;iframe src=&quot;http://127.0.0.1:8000/embed/ateliers/commune/" in page.text
    )
    assert "Gerzat" not in page.text and "Saint-Hélen" not in page.text
    feed = await client.get(f"/feeds/communes/{pleudihen}.ics")
    assert feed.status_code == 200


async def test_outbox_masks_numbers_and_keeps_to_the_scope(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    await book_through_pages(client, demo["commune"]["22382"])  # La Vicomté's EPN
    await signed_in(client, ADMIN)
    page = await client.get("/staff/outbox")
    assert page.status_code == 200
    assert "Confirmation de rendez-vous" in page.text and "06 •• •• •• 78" in page.text
    assert "06 12 34 56 78" not in page.text and "+33612345678" not in page.text
    pending = await client.get("/staff/outbox", params={"statut": "pending"})
    assert pending.text.count('class="card"') == 3
    client.cookies.delete("creneau_session")
    await signed_in(client, RANCE_COORDINATOR)
    assert "Confirmation de rendez-vous" in (await client.get("/staff/outbox")).text
    client.cookies.delete("creneau_session")
    await signed_in(client, GERZAT_AGENT)
    other = await client.get("/staff/outbox")
    assert other.status_code == 200 and "Aucun message." in other.text
    client.cookies.delete("creneau_session")
    await signed_in(client, RANCE_COUNSELLOR)
    assert (await client.get("/staff/outbox")).status_code == 403
