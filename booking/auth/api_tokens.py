"""API tokens for integrations: shown once, stored hashed, scoped to actions, revocable."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from booking.auth.permissions import Action, Principal
from booking.auth.secrets import hash_token, new_token
from booking.auth.sessions import principal_for_staff
from booking.db import json_list
from booking.errors import InvalidInput, NotFound
from booking.tables import ApiToken

PREFIX = "crn_"


def parse_scopes(values: list[str]) -> frozenset[Action]:
    try:
        scopes = frozenset(Action(v) for v in values)
    except ValueError as err:
        raise InvalidInput(f"Périmètre inconnu : {err}", field="scopes") from err
    if not scopes:
        raise InvalidInput("Choisissez au moins un périmètre.", field="scopes")
    return scopes


async def create_token(*, staff_id: int, name: str, scopes: list[str], now: datetime) -> str:
    parsed = parse_scopes(scopes)
    label = name.strip()[:100]
    if not label:
        raise InvalidInput("Nommez ce jeton (l'outil qui l'utilisera).", field="name")
    raw, digest = new_token(32)
    await ApiToken(staff=staff_id, name=label, token_hash=digest,
                   scopes=sorted(a.value for a in parsed), created_at=now).save()
    return PREFIX + raw


async def revoke_token(token_id: int, *, staff_id: int, admin: bool, now: datetime) -> None:
    query = ApiToken.update({ApiToken.revoked_at: now}).where(
        (ApiToken.id == token_id) & ApiToken.revoked_at.is_null())
    if not admin:
        query = query.where(ApiToken.staff == staff_id)
    if not await query.returning(ApiToken.id):
        raise NotFound("Ce jeton n'existe pas ou est déjà révoqué.")


async def principal_for_token(raw: str, now: datetime) -> Principal | None:
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    row = await ApiToken.select(
        ApiToken.id, ApiToken.staff, ApiToken.scopes,
        ApiToken.staff._.display_name.as_alias("name"),
        ApiToken.staff._.active.as_alias("active"),
    ).where((ApiToken.token_hash == hash_token(raw.removeprefix(PREFIX)))
            & ApiToken.revoked_at.is_null()).first()
    if row is None or not row["active"]:
        return None
    await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    principal = await principal_for_staff(int(row["staff"]), str(row["name"]))
    return dataclasses.replace(principal, scopes=frozenset(Action(s) for s in
                                                          json_list(row["scopes"])))


async def list_tokens(staff_id: int) -> list[dict[str, Any]]:
    return await ApiToken.select(
        ApiToken.id, ApiToken.name, ApiToken.scopes, ApiToken.created_at,
        ApiToken.last_used_at, ApiToken.revoked_at,
    ).where(ApiToken.staff == staff_id).order_by(ApiToken.id)
