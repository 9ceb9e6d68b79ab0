"""Liveness and readiness: which engine, and whether it answers."""

from __future__ import annotations

import msgspec
from litestar import Response, get

from booking.db import is_postgres, ping


class Health(msgspec.Struct):
    status: str
    database: str
    database_ok: bool


@get("/health", summary="Service health", tags=["system"], cache=False)
async def health() -> Response[Health]:
    ok = await ping()
    body = Health(status="ok" if ok else "degraded",
                  database="postgresql" if is_postgres() else "sqlite", database_ok=ok)
    return Response(body, status_code=200 if ok else 503)
