"""API tokens: shown once, stored hashed, limited to their scopes, revocable."""

from __future__ import annotations

from typing import Any

import httpx

from booking.tables import ApiToken
from tests.integration.booking.helpers import staff_headers
from tests.support.fixtures import sign_in


async def test_token_lifecycle(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    await sign_in(client, "conseillere.rance@creneau.demo", "demo-creneau-2026")
    headers = staff_headers(client)
    bad = await client.post("/api/staff/tokens", headers=headers,
                            json={"name": "agenda", "scopes": ["everything"]})
    assert bad.status_code == 422
    created = await client.post("/api/staff/tokens", headers=headers,
                                json={"name": "Agenda mairie", "scopes": ["view_agenda"]})
    assert created.status_code == 201
    raw = created.json()["token"]
    stored = await ApiToken.objects().first()
    assert stored is not None and raw not in stored.token_hash and len(stored.token_hash) == 64

    counsellor = demo["counsellor"]["rance"]
    window = {"start": "2026-11-23T00:00:00Z", "end": "2026-12-01T00:00:00Z"}
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as api:
        bearer = {"authorization": f"Bearer {raw}"}
        ok = await api.get(f"/api/staff/counsellors/{counsellor}/agenda", params=window,
                           headers=bearer)
        assert ok.status_code == 200
        out_of_scope = await api.get("/api/staff/residents", params={"phone": "0612345678"},
                                     headers=bearer)
        assert out_of_scope.status_code == 403
        no_new_tokens = await api.post("/api/staff/tokens", headers=bearer,
                                       json={"name": "x", "scopes": ["book"]})
        assert no_new_tokens.status_code == 403
        token_id = (await client.get("/api/staff/tokens")).json()[0]["id"]
        revoked = await client.post(f"/api/staff/tokens/{token_id}/revoke", headers=headers)
        assert revoked.status_code == 200
        gone = await api.get(f"/api/staff/counsellors/{counsellor}/agenda", params=window,
                             headers=bearer)
        assert gone.status_code == 401
