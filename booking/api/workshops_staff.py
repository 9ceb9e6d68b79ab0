"""Staff workshop API for series: a preview of their dates, create, show, edit, exceptions.
Sessions and registrations are in ``workshops_staff_sessions``.

Every call checks ``Action.MANAGE_WORKSHOPS`` on the series' scope (its convention, its
venue's commune, its animators)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import JSONBody

from booking.api.schemas import PathId
from booking.api.workshop_schemas import (
    ConflictOut,
    CountOut,
    ExceptionIn,
    PlannedOut,
    PreviewOut,
    SeriesIn,
    SeriesPatch,
    SeriesSavedOut,
    StaffSeriesOut,
    StaffSessionOut,
)
from booking.auth.permissions import Action, Principal
from booking.context import request_context
from booking.errors import NotFound
from booking.services import workshops
from booking.services.workshop_links import links_from_settings
from booking.services.workshop_plan import SeriesDraft
from booking.services.workshop_roster import series_sessions
from booking.services.workshop_scope import series_target, target_for
from booking.tables import WorkshopSeries
from booking.web.guards import current_principal, require
from notifications.datetime_fr import format_when


def draft_from(data: SeriesIn) -> SeriesDraft:
    fields = msgspec.structs.asdict(data)
    fields.pop("force")
    for name in ("rdates", "exdates", "themes", "counsellor_ids", "external_animators"):
        fields[name] = tuple(fields[name])
    return SeriesDraft(**fields)


async def guard_series(request: Request[Any, Any, Any], series_id: int) -> Principal:
    principal = await current_principal(request)
    require(principal, Action.MANAGE_WORKSHOPS, await series_target(series_id))
    return principal


async def guard_draft(request: Request[Any, Any, Any], draft: SeriesDraft) -> Principal:
    principal = await current_principal(request)
    require(
        principal,
        Action.MANAGE_WORKSHOPS,
        await target_for(draft.convention_id, draft.venue_id, frozenset(draft.counsellor_ids)),
    )
    return principal


def preview_out(preview: workshops.Preview) -> PreviewOut:
    tz = ZoneInfo(preview.tz)
    return PreviewOut(
        timezone=preview.tz,
        sessions=[
            PlannedOut(
                day=p.day,
                starts_at=p.start,
                ends_at=p.end,
                label=format_when(p.start, tz),
                excluded=p.excluded,
            )
            for p in preview.planned
        ],
        conflicts=[
            ConflictOut(
                counsellor_id=c.counsellor_id,
                counsellor=c.counsellor_name,
                kind=c.kind,
                starts_at=c.start,
                ends_at=c.end,
                session_starts_at=c.session_start,
            )
            for c in preview.conflicts
        ],
    )


def saved_out(saved: workshops.SeriesSaved) -> SeriesSavedOut:
    return SeriesSavedOut(
        series_id=saved.series_id,
        slug=saved.slug,
        created=list(saved.created),
        moved=list(saved.moved),
        cancelled=list(saved.cancelled),
    )


class StaffWorkshops(Controller):
    path = "/api/staff/workshops"
    tags = ["workshops (staff)"]

    @post("/series/preview", status_code=200, summary="Dates a series would have")
    async def preview(
        self, request: Request[Any, Any, Any], data: JSONBody[SeriesIn]
    ) -> PreviewOut:
        """Every date of the recurrence in the commune's zone, the excluded ones with their
        reason (public holiday, past), and the animators' clashes."""
        draft = draft_from(data)
        await guard_draft(request, draft)
        return preview_out(
            await workshops.preview_series(draft, now=request_context(request).clock())
        )

    @post("/series", status_code=201, summary="Create a series and its sessions")
    async def create(
        self, request: Request[Any, Any, Any], data: JSONBody[SeriesIn]
    ) -> SeriesSavedOut:
        """Error code ``animator_busy`` when an animator is booked then, unless ``force``."""
        draft = draft_from(data)
        principal = await guard_draft(request, draft)
        return saved_out(
            await workshops.create_series(
                draft,
                staff_id=principal.staff_id,
                now=request_context(request).clock(),
                force=data.force,
            )
        )

    @get("/series/{series_id:int}", summary="A series with its sessions and their counts")
    async def show(
        self, request: Request[Any, Any, Any], series_id: PathId
    ) -> StaffSeriesOut:
        await guard_series(request, series_id)
        row = await WorkshopSeries.select().where(WorkshopSeries.id == series_id).first()
        if row is None:
            raise NotFound("Cet atelier n'existe pas.")
        return StaffSeriesOut(
            id=row["id"],
            slug=row["slug"],
            title=row["title"],
            convention_id=row["convention"],
            venue_id=row["venue"],
            status=row["status"],
            registration_mode=row["registration_mode"],
            sessions=[
                StaffSessionOut(
                    id=s.id,
                    starts_at=s.starts_at,
                    ends_at=s.ends_at,
                    venue_id=s.venue_id,
                    venue=s.venue,
                    capacity=s.capacity,
                    seats_taken=s.seats_taken,
                    seats_left=s.seats_left,
                    status=s.status,
                    edited=s.edited,
                    registrations=s.by_status,
                )
                for s in await series_sessions(series_id)
            ],
        )

    @patch("/series/{series_id:int}", summary="Edit a series; future sessions follow")
    async def update(
        self, request: Request[Any, Any, Any], series_id: PathId, data: JSONBody[SeriesPatch]
    ) -> SeriesSavedOut:
        """Sessions whose day disappears are cancelled and their registrants told by SMS;
        sessions edited one by one keep their own settings."""
        principal = await guard_series(request, series_id)
        changes = {
            k: v
            for k, v in msgspec.structs.asdict(data).items()
            if v is not msgspec.UNSET and k != "force"
        }
        for name in ("rdates", "exdates", "themes", "counsellor_ids", "external_animators"):
            if name in changes:
                changes[name] = tuple(changes[name])
        draft = replace(await workshops.current_draft(series_id), **changes)
        await guard_draft(request, draft)
        ctx = request_context(request)
        return saved_out(
            await workshops.update_series(
                series_id,
                draft,
                staff_id=principal.staff_id,
                now=ctx.clock(),
                links=links_from_settings(ctx.settings),
                force=data.force,
            )
        )

    @post(
        "/series/{series_id:int}/exceptions",
        status_code=200,
        summary="No session on a day (its session is cancelled, registrants told)",
    )
    async def exception(
        self, request: Request[Any, Any, Any], series_id: PathId, data: JSONBody[ExceptionIn]
    ) -> CountOut:
        principal = await guard_series(request, series_id)
        ctx = request_context(request)
        return CountOut(
            count=await workshops.add_exception(
                series_id,
                data.day,
                staff_id=principal.staff_id,
                now=ctx.clock(),
                links=links_from_settings(ctx.settings),
            )
        )
