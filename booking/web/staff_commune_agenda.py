"""A town hall's day: every appointment in the commune's venues, whoever the counsellor."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from booking.auth.permissions import Action
from booking.auth.scopes import target_for_commune
from booking.context import request_context
from booking.errors import NotFound
from booking.services import catalogue, day_sheet
from booking.web.display import long_day
from booking.web.guards import current_principal, require
from booking.web.staff_agenda import agenda_item


@get("/staff/agenda/commune/{commune_id:int}", include_in_schema=False)
async def commune_day(request: Request[Any, Any, Any], commune_id: FromPath[int]) -> Template:
    principal = await current_principal(request)
    require(principal, Action.VIEW_AGENDA, await target_for_commune(commune_id))
    commune = await catalogue.commune(commune_id)
    if commune is None:
        raise NotFound("Cette commune n'existe pas.")
    tz = ZoneInfo(commune["timezone"])
    now = request_context(request).clock()
    try:
        day = date.fromisoformat(request.query_params.get("jour", ""))
    except ValueError:
        day = now.astimezone(tz).date()
    start, end = day_sheet.day_bounds(day, tz)
    rows = await day_sheet.appointments_in_commune(commune_id, start, end)
    url = f"/staff/agenda/commune/{commune_id}"
    return Template(
        "staff/commune_day.html",
        context={
            "commune": commune,
            "label": long_day(day),
            "items": [agenda_item(r, now) for r in rows],
            "previous": f"{url}?jour={(day - timedelta(days=1)).isoformat()}",
            "next": f"{url}?jour={(day + timedelta(days=1)).isoformat()}",
            "back": f"{url}?jour={day.isoformat()}",
            "section": "agenda",
        },
    )
