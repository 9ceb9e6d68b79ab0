"""Staff JSON API for calendars: a counsellor's feed link, closures imported from .ics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile

from booking.api.schemas import PathId
from booking.auth.permissions import Action, Target
from booking.auth.scopes import target_for_commune, target_for_counsellor, target_for_venue
from booking.context import request_context
from booking.errors import InvalidInput
from booking.services import closure_import, feeds
from booking.services.closure_import import ImportResult
from booking.web.feeds import feed_links
from booking.web.guards import current_principal, require
from calendars.feed_http import webcal_url
from calendars.ical_import import MAX_BYTES


class FeedLinkOut(msgspec.Struct):
    counsellor_id: int
    active: bool
    created_at: datetime | None = None
    https_url: str | None = None
    webcal_url: str | None = None


class ClosureSourceOut(msgspec.Struct):
    source_id: int
    closures: int
    refreshed_at: datetime


class ClosureUpload(msgspec.Struct):
    data: bytes | None
    url: str
    label: str


def _source_out(result: ImportResult) -> ClosureSourceOut:
    return ClosureSourceOut(result.source_id, result.closures, result.refreshed_at)


async def _upload(request: Request[Any, Any, Any]) -> ClosureUpload:
    """A multipart form (``file`` or ``url``, optional ``label``) or a JSON body
    (``url``, optional ``label``)."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        data = None
        if isinstance(upload, UploadFile):
            data = await upload.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                raise InvalidInput("Le fichier dépasse 2 Mo.", field="file")
        return ClosureUpload(data, str(form.get("url") or ""), str(form.get("label") or ""))
    if kind.startswith("application/json"):
        body = await request.json()
        if isinstance(body, dict):
            return ClosureUpload(None, str(body.get("url") or ""), str(body.get("label") or ""))
    raise InvalidInput("Envoyez un fichier .ics (formulaire) ou une adresse (JSON).", field="file")


class FeedsStaff(Controller):
    path = "/api/staff"
    tags = ["calendars (staff)"]

    async def _feed_guard(self, request: Request[Any, Any, Any], counsellor_id: int) -> int:
        principal = await current_principal(request)
        require(principal, Action.MANAGE_FEED, await target_for_counsellor(counsellor_id))
        return principal.staff_id

    @get("/counsellors/{counsellor_id:int}/feed", summary="Whether the counsellor's feed is on")
    async def feed_status(
        self, request: Request[Any, Any, Any], counsellor_id: PathId
    ) -> FeedLinkOut:
        await self._feed_guard(request, counsellor_id)
        status = await feeds.token_status(counsellor_id)
        return FeedLinkOut(counsellor_id, status.active, status.created_at)

    @post(
        "/counsellors/{counsellor_id:int}/feed/rotate",
        status_code=200,
        summary="New private feed link (the previous one stops working)",
    )
    async def rotate(self, request: Request[Any, Any, Any], counsellor_id: PathId) -> FeedLinkOut:
        actor = await self._feed_guard(request, counsellor_id)
        now = request_context(request).clock()
        token = await feeds.rotate_token(counsellor_id, now=now, actor_id=actor)
        https = feed_links(request).url(f"/feeds/counsellor/{token}.ics")
        return FeedLinkOut(counsellor_id, True, now, https, webcal_url(https))

    @post(
        "/counsellors/{counsellor_id:int}/feed/revoke",
        status_code=200,
        summary="Turn the private feed off",
    )
    async def revoke(self, request: Request[Any, Any, Any], counsellor_id: PathId) -> FeedLinkOut:
        actor = await self._feed_guard(request, counsellor_id)
        await feeds.revoke_token(
            counsellor_id, now=request_context(request).clock(), actor_id=actor
        )
        return FeedLinkOut(counsellor_id, False)

    async def _closure_guard(
        self, request: Request[Any, Any, Any], target: closure_import.Target
    ) -> int:
        """Signed in first, then admin or coordinator of a convention covering the place."""
        principal = await current_principal(request)
        require(principal, Action.MANAGE_CONVENTION, await _scope(target))
        return principal.staff_id

    async def _import(
        self, request: Request[Any, Any, Any], target: closure_import.Target
    ) -> ClosureSourceOut:
        actor = await self._closure_guard(request, target)
        upload = await _upload(request)
        result = await closure_import.import_closures(
            target,
            now=request_context(request).clock(),
            actor_id=actor,
            data=upload.data,
            url=upload.url,
            label=upload.label,
        )
        return _source_out(result)

    @post(
        "/venues/{venue_id:int}/closure-sources",
        status_code=201,
        summary="Import a venue's closures from an .ics file or URL",
    )
    async def import_for_venue(
        self, request: Request[Any, Any, Any], venue_id: PathId
    ) -> ClosureSourceOut:
        return await self._import(request, closure_import.Target(venue_id=venue_id))

    @post(
        "/communes/{commune_id:int}/closure-sources",
        status_code=201,
        summary="Import closures of every venue of a commune from an .ics file or URL",
    )
    async def import_for_commune(
        self, request: Request[Any, Any, Any], commune_id: PathId
    ) -> ClosureSourceOut:
        return await self._import(request, closure_import.Target(commune_id=commune_id))

    @post(
        "/closure-sources/{source_id:int}/refresh",
        status_code=200,
        summary="Fetch the source again (or send its new file) and replace its closures",
    )
    async def refresh(self, request: Request[Any, Any, Any], source_id: PathId) -> ClosureSourceOut:
        await current_principal(request)  # 401 before anything is looked up
        target, _ = await closure_import.source_target(source_id)
        actor = await self._closure_guard(request, target)
        data = None
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            data = (await _upload(request)).data
        result = await closure_import.refresh_source(
            source_id, now=request_context(request).clock(), actor_id=actor, data=data
        )
        return _source_out(result)


async def _scope(target: closure_import.Target) -> Target:
    if target.venue_id is not None:
        return await target_for_venue(target.venue_id)
    if target.commune_id is not None:
        return await target_for_commune(target.commune_id)
    raise InvalidInput("Choisissez un lieu ou une commune.", field="venue_id")
