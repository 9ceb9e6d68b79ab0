"""Staff JSON API: API tokens for integrations (create, list, revoke)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import JSONBody

from booking.api.schemas import PathId
from booking.auth import api_tokens
from booking.context import request_context
from booking.db import json_list
from booking.errors import Forbidden
from booking.services import audit
from booking.web.guards import current_principal


class TokenIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=100)]
    scopes: Annotated[list[Annotated[str, msgspec.Meta(max_length=40)]],
                      msgspec.Meta(max_length=20)]


class TokenCreated(msgspec.Struct):
    token: str
    scopes: list[str]


class TokenOut(msgspec.Struct):
    id: int
    name: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokens(Controller):
    path = "/api/staff/tokens"
    tags = ["API tokens (staff)"]

    @post("/", summary="Create an API token (shown once)", status_code=201)
    async def create(self, request: Request[Any, Any, Any],
                     data: JSONBody[TokenIn]) -> TokenCreated:
        principal = await current_principal(request)
        if principal.scopes is not None:
            raise Forbidden("Un jeton d'API ne peut pas créer d'autres jetons.")
        now = request_context(request).clock()
        raw = await api_tokens.create_token(staff_id=principal.staff_id, name=data.name,
                                            scopes=data.scopes, now=now)
        await audit.record(at=now, actor_kind="staff", actor_id=principal.staff_id,
                           action="api_token.create", entity="api_token", entity_id=None)
        return TokenCreated(token=raw, scopes=sorted(api_tokens.parse_scopes(data.scopes)))

    @get("/", summary="My API tokens")
    async def mine(self, request: Request[Any, Any, Any]) -> list[TokenOut]:
        principal = await current_principal(request)
        return [TokenOut(id=r["id"], name=r["name"], scopes=json_list(r["scopes"]),
                         created_at=r["created_at"], last_used_at=r["last_used_at"],
                         revoked_at=r["revoked_at"])
                for r in await api_tokens.list_tokens(principal.staff_id)]

    @post("/{token_id:int}/revoke", summary="Revoke an API token", status_code=200)
    async def revoke(self, request: Request[Any, Any, Any], token_id: PathId) -> dict[str, str]:
        principal = await current_principal(request)
        now = request_context(request).clock()
        await api_tokens.revoke_token(token_id, staff_id=principal.staff_id,
                                      admin=principal.admin, now=now)
        await audit.record(at=now, actor_kind="staff", actor_id=principal.staff_id,
                           action="api_token.revoke", entity="api_token", entity_id=token_id)
        return {"status": "revoked"}
