"""Staff JSON API for a resident's data: export (right of access) and erasure."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post

from booking.api.schemas import PathId
from booking.auth.permissions import Action
from booking.context import request_context
from booking.services import audit, privacy
from booking.web.guards import current_principal, require


class ResidentPrivacy(Controller):
    path = "/api/staff/residents/{resident_id:int}"
    tags = ["residents' data (staff)"]

    @get("/export", summary="Everything stored about a resident")
    async def export(self, request: Request[Any, Any, Any], resident_id: PathId) -> dict[str, Any]:
        principal = await current_principal(request)
        require(principal, Action.MANAGE_RESIDENT_DATA, await privacy.resident_target(resident_id))
        data = await privacy.export_resident(resident_id)
        await audit.record(at=request_context(request).clock(), actor_kind="staff",
                           actor_id=principal.staff_id, action="resident.export",
                           entity="resident", entity_id=resident_id)
        return data

    @post("/erase", summary="Erase a resident's personal data", status_code=200)
    async def erase(self, request: Request[Any, Any, Any], resident_id: PathId) -> dict[str, str]:
        principal = await current_principal(request)
        require(principal, Action.MANAGE_RESIDENT_DATA, await privacy.resident_target(resident_id))
        await privacy.erase_resident(resident_id, staff_id=principal.staff_id,
                                     now=request_context(request).clock())
        return {"status": "erased"}
