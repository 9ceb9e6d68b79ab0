"""Residents' pages and JSON: listings without personal data, registration without
JavaScript, the management link, the confirm-offer page, the embeddable listing."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx

from booking.services import registrations, workshops
from booking.services.registrations import RegistrationRequest
from booking.services.residents import identity
from booking.services.workshop_links import links_from_settings
from booking.tables import Registration
from tests.integration.workshops.conftest import NOW, World, draft, person
from tests.support.fixtures import csrf_token

SECRET_NAMES = ("Gwenaëlle", "Kerbrat")
SECRET_PHONES = ("+33611223344", "06 11 22 33 44", "0611223344", "611223344")


async def _series(world: World, **changes: Any) -> tuple[int, tuple[int, ...]]:
    saved = await workshops.create_series(draft(world, **changes), staff_id=None, now=NOW)
    return saved.series_id, saved.created


def _assert_private(body: str) -> None:
    for secret in (*SECRET_NAMES, *SECRET_PHONES):
        assert secret not in body, secret


async def test_public_listing_and_json_carry_no_personal_data(
    client: httpx.AsyncClient, world: World, settings: Any
) -> None:
    series_id, sessions = await _series(world, capacity=2, registration_mode="both")
    resident = identity(
        first_name=SECRET_NAMES[0], last_name=SECRET_NAMES[1], phone=SECRET_PHONES[0]
    )
    await registrations.register(
        RegistrationRequest(
            series_id=series_id, session_id=sessions[0], person=resident, party_size=2
        ),
        now=NOW,
        links=links_from_settings(settings),
    )
    pages = [
        "/ateliers/commune/villeneuve-la-garenne-92078",
        "/ateliers/lieu/epn-test",
        "/ateliers/convention/villeneuve",
        "/embed/ateliers/commune/villeneuve-la-garenne-92078",
        f"/atelier/{series_id}",
        f"/atelier/{series_id}/inscription?seance={sessions[0]}",
        "/api/public/workshops/?commune=villeneuve-la-garenne-92078",
        "/api/public/workshops/?venue=epn-test",
        "/api/public/workshops/?convention=villeneuve",
        f"/api/public/workshops/{series_id}",
        "/api/public/workshops/initiation-au-numerique",
    ]
    for page in pages:
        response = await client.get(page)
        assert response.status_code == 200, (page, response.text[:300])
        _assert_private(response.text)
    listing = (await client.get("/ateliers/commune/villeneuve-la-garenne-92078")).text
    assert "Initiation au numérique" in listing and "Complet" in listing
    assert "Sophie M." in listing and "Martin" not in listing
    assert f"/atelier/{series_id}/inscription?seance={sessions[1]}" in listing
    data = (await client.get("/api/public/workshops/?venue=epn-test")).json()
    first = data["series"][0]
    assert [s["seats_left"] for s in first["sessions"]] == [0, 2, 2, 2]
    assert first["series_seats_left"] == 0
    assert (await client.get("/ateliers/lieu/nulle-part")).status_code == 404
    assert (await client.get("/api/public/workshops/")).json()["error"]["code"] == "invalid_input"


async def test_embed_has_minimal_chrome_and_opens_links_outside(
    client: httpx.AsyncClient, world: World
) -> None:
    series_id, _ = await _series(world)
    response = await client.get("/embed/ateliers/convention/villeneuve")
    assert response.status_code == 200
    assert "site-header" not in response.text and "<main" in response.text
    assert re.search(
        rf'href="http[^"]+/atelier/{series_id}/inscription\?seance=\d+" '
        r'target="_blank" rel="noopener"',
        response.text,
    )
    assert response.headers.get("x-frame-options") is None


async def test_register_without_javascript_then_manage_and_cancel(
    client: httpx.AsyncClient, world: World
) -> None:
    series_id, sessions = await _series(world)
    form_page = f"/atelier/{series_id}/inscription?seance={sessions[1]}"
    form = await client.get(form_page)
    assert 'for="first_name"' in form.text and f'value="{sessions[1]}" checked' in form.text
    token = await csrf_token(client, form_page)
    response = await client.post(
        f"/atelier/{series_id}/inscription",
        data={
            "_csrf_token": token,
            "choice": str(sessions[1]),
            "party_size": "2",
            "first_name": "Jeanne",
            "last_name": "Durand",
            "phone": "06 12 34 56 78",
            "sms_consent": "oui",
        },
    )
    assert response.status_code == 303
    manage_url = response.headers["location"]
    assert re.fullmatch(r"/a/[\w-]{32}\?nouveau=1", manage_url)
    page = await client.get(manage_url)
    assert "Votre inscription est enregistrée" in page.text
    assert "Inscription confirmée" in page.text and "2 personnes" in page.text
    assert "Jeanne" not in page.text and "Durand" not in page.text
    row = await Registration.select().first()
    assert row["party_size"] == 2 and row["session"] == sessions[1]
    manage = manage_url.split("?")[0]
    token = await csrf_token(client, manage)
    cancelled = await client.post(f"{manage}/annuler", data={"_csrf_token": token})
    assert cancelled.status_code == 303
    assert "Votre inscription est annulée" in (await client.get(cancelled.headers["location"])).text
    assert (await Registration.select(Registration.status).first())["status"] == "cancelled"


async def test_form_errors_are_summarised_and_linked_to_fields(
    client: httpx.AsyncClient, world: World
) -> None:
    series_id, _ = await _series(world)
    page = f"/atelier/{series_id}/inscription"
    token = await csrf_token(client, page)
    response = await client.post(
        page,
        data={
            "_csrf_token": token,
            "first_name": "",
            "last_name": "Durand",
            "phone": "123",
            "party_size": "9",
        },
    )
    assert response.status_code == 422
    summary = response.text.split('class="error-summary"')[1].split("</div>")[0]
    for field in ("choice", "party_size", "first_name", "phone"):
        assert f'href="#{field}"' in summary
    assert 'id="first_name"' in response.text and 'aria-invalid="true"' in response.text
    assert 'value="Durand"' in response.text
    assert await Registration.count() == 0


async def test_full_session_offer_confirmed_from_the_link(
    client: httpx.AsyncClient, world: World, settings: Any, clock: Any
) -> None:
    series_id, sessions = await _series(world, capacity=1)
    links = links_from_settings(settings)
    first, second = [
        await registrations.register(
            RegistrationRequest(series_id=series_id, session_id=sessions[0], person=person(n)),
            now=NOW,
            links=links,
        )
        for n in (1, 2)
    ]
    waiting = await client.get(f"/a/{second.manage_token}")
    assert "En liste d'attente" in waiting.text and "n° 1" in waiting.text
    await registrations.cancel_by_resident(first.manage_token, now=NOW, links=links)
    offer_page = f"/a/{second.manage_token}/confirmer"
    offer = await client.get(offer_page)
    assert "Confirmez-la avant le lundi 23 novembre 2026 à 9h00" in offer.text
    token = await csrf_token(client, offer_page)
    confirmed = await client.post(offer_page, data={"_csrf_token": token})
    assert confirmed.status_code == 303
    assert "Votre place est confirmée" in (await client.get(confirmed.headers["location"])).text
    # An expired offer is refused with its reason.
    third = await registrations.register(
        RegistrationRequest(series_id=series_id, session_id=sessions[0], person=person(3)),
        now=NOW,
        links=links,
    )
    await registrations.cancel_by_resident(second.manage_token, now=NOW, links=links)
    third_page = f"/a/{third.manage_token}/confirmer"
    token = await csrf_token(client, third_page)
    clock.advance(timedelta(hours=2))
    late = await client.post(third_page, data={"_csrf_token": token})
    assert late.status_code == 409 and "délai pour confirmer" in late.text


async def test_json_registration_and_management(client: httpx.AsyncClient, world: World) -> None:
    series_id, sessions = await _series(world, capacity=1, registration_mode="both")
    body = {"first_name": "Awa", "last_name": "Diallo", "phone": "0612345678", "whole_series": True}
    created = await client.post(f"/api/public/workshops/{series_id}/registrations", json=body)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["status"] == "confirmed" and len(out["session_ids"]) == 4
    again = await client.post(f"/api/public/workshops/{series_id}/registrations", json=body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_registered"
    other = await client.post(
        f"/api/public/workshops/{series_id}/registrations",
        json={
            "first_name": "Léa",
            "last_name": "Morel",
            "phone": "0611111111",
            "session_id": sessions[0],
        },
    )
    assert other.json()["status"] == "waitlisted" and other.json()["waitlist_position"] == 1
    token = out["manage_url"].rsplit("/", 1)[1]
    status = await client.get(f"/api/public/workshops/registrations/{token}")
    assert status.json()["cancellable"] and "first_name" not in status.text
    cancelled = await client.post(f"/api/public/workshops/registrations/{token}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    other_token = other.json()["manage_url"].rsplit("/", 1)[1]
    offered = await client.get(f"/api/public/workshops/registrations/{other_token}")
    assert offered.json()["status"] == "offered" and offered.json()["offer_expires_at"]
    confirm = await client.post(f"/api/public/workshops/registrations/{other_token}/confirm")
    assert confirm.json()["status"] == "confirmed"
    bad = await client.post(
        f"/api/public/workshops/{series_id}/registrations", json={**body, "session_id": sessions[0]}
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "session_id"


async def test_openapi_documents_the_workshop_api(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert "/api/public/workshops/{series_id}/registrations" in paths
    assert "/api/staff/workshops/series/preview" in paths
