"""Staff pages for one session: roster, attendance, cancellation, sign-in sheet (CSV and a
printable page)."""

from __future__ import annotations

import csv
import io
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from booking.auth.permissions import Action, Principal
from booking.context import request_context
from booking.errors import DomainError
from booking.phones import display_phone
from booking.services import workshops
from booking.services.workshop_attendance import record_attendance
from booking.services.workshop_links import links_from_settings
from booking.services.workshop_roster import RosterLine, roster
from booking.services.workshop_scope import series_of_session, series_target
from booking.services.workshop_seats import HOLDING, WAITLISTED, read_sessions
from booking.tables import WorkshopSession
from booking.web.display import long_day, time_range
from booking.web.forms import FieldErrors, form_data, number, text
from booking.web.guards import current_principal, require
from booking.web.workshops_display import STATUS_LABELS, seats_label

NOTICES = {
    "presence": "Les présences sont enregistrées.",
    "annulee": "La séance est annulée : chaque inscrit est prévenu par SMS.",
}
SHEET_COLUMNS = ("Nom", "Prénom", "Téléphone", "Personnes", "Inscription", "Signature")


async def _guard(request: Request[Any, Any, Any], session_id: int) -> Principal:
    principal = await current_principal(request)
    require(
        principal, Action.MANAGE_WORKSHOPS, await series_target(await series_of_session(session_id))
    )
    return principal


async def _context(session_id: int) -> dict[str, Any]:
    state = (await read_sessions([session_id]))[session_id]
    info = (
        await WorkshopSession.select(
            WorkshopSession.series,
            WorkshopSession.series._.title.as_alias("title"),
            WorkshopSession.venue._.name.as_alias("venue"),
            WorkshopSession.venue._.commune._.timezone.as_alias("tz"),
        )
        .where(WorkshopSession.id == session_id)
        .first()
    )
    assert info is not None
    tz = ZoneInfo(info["tz"])
    lines = await roster(session_id)
    return {
        "session": state,
        "series_id": info["series"],
        "title": info["title"],
        "venue": info["venue"],
        "day": long_day(state.starts_at.astimezone(tz).date()),
        "hours": time_range(state.starts_at, state.ends_at, tz),
        "seats": seats_label(state.seats_left),
        "cancelled": state.status != "scheduled",
        "holders": [_line(x) for x in lines if x.status in HOLDING],
        "waiting": [_line(x) for x in lines if x.status == WAITLISTED],
    }


def _line(line: RosterLine) -> dict[str, Any]:
    return {
        "id": line.id,
        "name": f"{line.last_name.upper()} {line.first_name}",
        "last_name": line.last_name,
        "first_name": line.first_name,
        "phone": display_phone(line.phone),
        "party": line.party_size,
        "status": line.status,
        "status_label": STATUS_LABELS.get(line.status, line.status),
        "channel": line.channel,
        "whole_series": line.whole_series,
    }


async def _page(
    request: Request[Any, Any, Any], session_id: int, errors: FieldErrors | None = None
) -> Template:
    errors = errors or FieldErrors()
    notice = next((t for k, t in NOTICES.items() if k in request.query_params), "")
    return Template(
        "workshops/staff_session.html",
        status_code=errors.status if errors else 200,
        context={
            "section": "workshops",
            "errors": errors,
            "notice": notice,
            **await _context(session_id),
        },
    )


@get("/staff/workshops/sessions/{session_id:int}", include_in_schema=False)
async def session_page(request: Request[Any, Any, Any], session_id: FromPath[int]) -> Template:
    await _guard(request, session_id)
    return await _page(request, session_id)


@post("/staff/workshops/sessions/{session_id:int}/presence", include_in_schema=False)
async def attendance(
    request: Request[Any, Any, Any], session_id: FromPath[int]
) -> Template | Redirect:
    principal = await _guard(request, session_id)
    form = await form_data(request)
    present = [v for v in (number(x) for x in form.getall("present", [])) if v]
    errors = FieldErrors()
    try:
        await record_attendance(
            session_id, present, staff_id=principal.staff_id, now=request_context(request).clock()
        )
    except DomainError as err:
        errors.add("presence", err.message, err.status)
        return await _page(request, session_id, errors)
    return Redirect(f"/staff/workshops/sessions/{session_id}?presence=1", status_code=303)


@post("/staff/workshops/sessions/{session_id:int}/annuler", include_in_schema=False)
async def cancel(request: Request[Any, Any, Any], session_id: FromPath[int]) -> Template | Redirect:
    principal = await _guard(request, session_id)
    form = await form_data(request)
    errors = FieldErrors()
    reason = text(form, "reason", 300)
    if not reason:
        errors.add("reason", "Indiquez le motif de l'annulation (il reste dans l'historique).")
        return await _page(request, session_id, errors)
    ctx = request_context(request)
    try:
        await workshops.cancel_session(
            session_id,
            staff_id=principal.staff_id,
            now=ctx.clock(),
            links=links_from_settings(ctx.settings),
            reason=reason,
        )
    except DomainError as err:
        errors.add("reason", err.message, err.status)
        return await _page(request, session_id, errors)
    return Redirect(f"/staff/workshops/sessions/{session_id}?annulee=1", status_code=303)


def _cell(value: object) -> str:
    """No spreadsheet formula can hide in a cell."""
    shown = str(value)
    return "'" + shown if shown[:1] in ("=", "+", "-", "@", "\t", "\r") else shown


@get("/staff/workshops/sessions/{session_id:int}/emargement.csv", include_in_schema=False)
async def sheet_csv(request: Request[Any, Any, Any], session_id: FromPath[int]) -> Response[str]:
    await _guard(request, session_id)
    context = await _context(session_id)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(SHEET_COLUMNS)
    for line in context["holders"]:
        writer.writerow(
            [
                _cell(v)
                for v in (
                    line["last_name"],
                    line["first_name"],
                    line["phone"],
                    line["party"],
                    line["status_label"],
                    "",
                )
            ]
        )
    state = context["session"]
    name = f"emargement-atelier-{state.starts_at.date().isoformat()}-{session_id}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@get("/staff/workshops/sessions/{session_id:int}/emargement", include_in_schema=False)
async def sheet_page(request: Request[Any, Any, Any], session_id: FromPath[int]) -> Template:
    await _guard(request, session_id)
    return Template(
        "workshops/staff_sheet.html", context={"section": "workshops", **await _context(session_id)}
    )
