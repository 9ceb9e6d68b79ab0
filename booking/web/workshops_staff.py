"""Staff pages for workshops: the list, creating a series with a preview of its dates, and a
series' sessions with their seats. Session pages live in ``workshops_staff_session``."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from booking.auth.permissions import Action
from booking.context import request_context
from booking.errors import AnimatorBusy, NotFound
from booking.services import workshops
from booking.services.workshop_plan import LEVELS
from booking.services.workshop_roster import series_sessions, visible_series
from booking.services.workshop_scope import series_target, target_for
from booking.tables import WorkshopSeries
from booking.web.display import long_day, time_range
from booking.web.forms import FieldErrors, form_data
from booking.web.guards import current_principal, require
from booking.web.workshops_display import MODE_HINTS, seats_label
from booking.web.workshops_staff_form import DEFAULTS, FIELDS, draft_of, options, values_of
from notifications.datetime_fr import format_when

FORM_FIELDS = (*FIELDS, "counsellors", "force")  # the fields an error can point at


def _page(name: str, status: int = 200, **context: Any) -> Template:
    return Template(
        f"workshops/{name}.html", status_code=status, context={"section": "workshops", **context}
    )


@get("/staff/workshops", include_in_schema=False)
async def index(request: Request[Any, Any, Any]) -> Template:
    principal = await current_principal(request)
    require(principal, Action.MANAGE_WORKSHOPS)
    return _page("staff_index", series=await visible_series(principal), modes=MODE_HINTS)


async def _form(
    request: Request[Any, Any, Any],
    values: dict[str, Any],
    errors: FieldErrors,
    preview: workshops.Preview | None = None,
) -> Template:
    principal = await current_principal(request)
    planned = []
    if preview is not None:
        tz = ZoneInfo(preview.tz)
        planned = [
            {
                "day": long_day(p.day),
                "hours": time_range(p.start, p.end, tz),
                "excluded": p.excluded,
            }
            for p in preview.planned
        ]
    conflicts = [c.describe(ZoneInfo(preview.tz)) for c in preview.conflicts] if preview else []
    return _page(
        "staff_new",
        errors.status if errors else 200,
        values=values,
        errors=errors,
        planned=planned,
        conflicts=conflicts,
        **await options(principal),
    )


@get("/staff/workshops/new", include_in_schema=False)
async def new_form(request: Request[Any, Any, Any]) -> Template:
    principal = await current_principal(request)
    require(principal, Action.MANAGE_WORKSHOPS)
    today = request_context(request).clock().date()
    values = {**DEFAULTS, "first_day": today.isoformat(), "skip_holidays": True}
    return await _form(request, values, FieldErrors())


@post("/staff/workshops/new", include_in_schema=False)
async def new_submit(request: Request[Any, Any, Any]) -> Template | Redirect:
    """``action=preview`` shows the dates; ``action=create`` saves the series."""
    principal = await current_principal(request)
    form = await form_data(request)
    values = values_of(form)
    errors = FieldErrors()
    draft = draft_of(values, errors)
    if draft is None:
        return await _form(request, values, errors)
    with errors.collect("title", FORM_FIELDS):
        require(
            principal,
            Action.MANAGE_WORKSHOPS,
            await target_for(draft.convention_id, draft.venue_id, frozenset(draft.counsellor_ids)),
        )
    now = request_context(request).clock()
    preview = None
    with errors.collect("first_day", FORM_FIELDS):
        preview = await workshops.preview_series(draft, now=now)
    if errors or preview is None:
        return await _form(request, values, errors)
    if form.get("action") != "create":
        return await _form(request, values, errors, preview)
    try:
        saved = await workshops.create_series(
            draft, staff_id=principal.staff_id, now=now, force=values["force"]
        )
    except AnimatorBusy as busy:
        errors.add("force", busy.message, busy.status)
        return await _form(request, values, errors, preview)
    return Redirect(f"/staff/workshops/series/{saved.series_id}?cree=1", status_code=303)


@get("/staff/workshops/series/{series_id:int}", include_in_schema=False)
async def series_page(request: Request[Any, Any, Any], series_id: FromPath[int]) -> Template:
    principal = await current_principal(request)
    require(principal, Action.MANAGE_WORKSHOPS, await series_target(series_id))
    row = await WorkshopSeries.select().where(WorkshopSeries.id == series_id).first()
    if row is None:
        raise NotFound("Cet atelier n'existe pas.")
    sessions = [
        {
            "id": s.id,
            "when": format_when(s.starts_at, ZoneInfo(s.tz)),
            "hours": time_range(s.starts_at, s.ends_at, ZoneInfo(s.tz)),
            "venue": s.venue,
            "seats": f"{s.seats_taken} / {s.capacity}",
            "left": seats_label(s.seats_left),
            "waiting": s.by_status.get("waitlisted", 0),
            "offered": s.by_status.get("offered", 0),
            "cancelled": s.status == "cancelled",
            "edited": s.edited,
        }
        for s in await series_sessions(series_id)
    ]
    notice = (
        "L'atelier est créé et ses séances sont publiées." if "cree" in request.query_params else ""
    )
    return _page(
        "staff_series",
        series=row,
        level=LEVELS.get(row["level"], ""),
        mode=MODE_HINTS.get(row["registration_mode"], ""),
        sessions=sessions,
        notice=notice,
    )
