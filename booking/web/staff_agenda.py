"""A counsellor's agenda: by day, by week, a printable day sheet; outcomes and cancellations."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from booking.api.appointments_public import links
from booking.auth.permissions import Action, Principal
from booking.auth.scopes import target_for_counsellor, target_for_venue
from booking.context import request_context
from booking.db import aware
from booking.errors import NotFound
from booking.phones import display_phone
from booking.services import appointments, day_sheet
from booking.tables import Counsellor
from booking.web.display import long_day, time_range
from booking.web.forms import FieldErrors, form_data, text
from booking.web.guards import current_principal, require
from booking.web.staff_reach import communes_in_reach, counsellors_in_reach
from notifications.datetime_fr import format_time

STATUS = {"booked": "Prévu", "attended": "✓ Venu", "no_show": "✕ Absent", "cancelled": "Annulé"}
CHANNEL = {"online": "en ligne", "phone": "par téléphone", "desk": "au guichet"}


async def agenda_owner(
    request: Request[Any, Any, Any], counsellor_id: int, action: Action = Action.VIEW_AGENDA
) -> tuple[Principal, dict[str, Any]]:
    principal = await current_principal(request)
    require(principal, action, await target_for_counsellor(counsellor_id))
    row = (
        await Counsellor.select(Counsellor.id, Counsellor.first_name, Counsellor.last_name)
        .where(Counsellor.id == counsellor_id)
        .first()
    )
    if row is None:
        raise NotFound("Ce conseiller n'existe pas.")
    tz = await day_sheet.counsellor_timezone(
        counsellor_id, request_context(request).settings.default_timezone
    )
    return principal, {"id": row["id"], "name": f"{row['first_name']} {row['last_name']}", "tz": tz}


def _day(request: Request[Any, Any, Any], tz: ZoneInfo) -> date:
    raw = request.query_params.get("jour", "")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return request_context(request).clock().astimezone(tz).date()


def agenda_item(row: day_sheet.AgendaRow, now: datetime) -> dict[str, Any]:
    tz = ZoneInfo(row.tz)
    return {
        "id": row.id,
        "time": format_time(row.start, tz),
        "range": time_range(row.start, row.end, tz),
        "status": row.status,
        "status_label": STATUS.get(row.status, row.status),
        "channel": CHANNEL.get(row.channel, row.channel),
        "service": row.service,
        "venue": row.venue,
        "address": row.address,
        "resident": row.resident,
        "phone": display_phone(row.phone) if row.phone.startswith("+") else row.phone,
        "override": row.override_reason,
        "counsellor": row.counsellor,
        "started": row.start <= now,
        "day": row.start.astimezone(tz).date(),
    }


def _permanence(p: day_sheet.Permanence) -> dict[str, Any]:
    tz = ZoneInfo(p.tz)
    return {
        "range": time_range(p.start, p.end, tz),
        "venue": p.venue,
        "day": p.start.astimezone(tz).date(),
    }


async def _period(
    request: Request[Any, Any, Any], counsellor: dict[str, Any], first: date, days: int
) -> list[dict[str, Any]]:
    tz = ZoneInfo(counsellor["tz"])
    now = request_context(request).clock()
    start, _ = day_sheet.day_bounds(first, tz)
    _, end = day_sheet.day_bounds(first + timedelta(days=days - 1), tz)
    rows = [
        agenda_item(r, now)
        for r in await day_sheet.appointments_between(counsellor["id"], start, end)
    ]
    perms = [
        _permanence(p)
        for p in await day_sheet.permanences_between(
            counsellor["id"], first, first + timedelta(days=days - 1)
        )
    ]
    return [
        {
            "date": d,
            "label": long_day(d),
            "items": [r for r in rows if r["day"] == d],
            "permanences": [p for p in perms if p["day"] == d],
        }
        for d in (first + timedelta(days=i) for i in range(days))
    ]


@get("/staff/agenda", include_in_schema=False)
async def agenda_index(request: Request[Any, Any, Any]) -> Template | Redirect:
    principal = await current_principal(request)
    require(principal, Action.VIEW_AGENDA)
    reach = await counsellors_in_reach(principal, Action.VIEW_AGENDA)
    if len(reach) == 1 and principal.counsellors:
        return Redirect(f"/staff/agenda/{reach[0]['id']}")
    communes = await communes_in_reach(principal, Action.VIEW_AGENDA)
    return Template(
        "staff/agenda_index.html",
        context={"counsellors": reach, "communes": communes, "section": "agenda"},
    )


@get("/staff/agenda/{counsellor_id:int}", include_in_schema=False)
async def agenda_day(request: Request[Any, Any, Any], counsellor_id: FromPath[int]) -> Template:
    _, counsellor = await agenda_owner(request, counsellor_id)
    day = _day(request, ZoneInfo(counsellor["tz"]))
    [period] = await _period(request, counsellor, day, 1)
    return Template(
        "staff/agenda_day.html",
        context={
            "counsellor": counsellor,
            "day": period,
            "section": "agenda",
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "back": f"/staff/agenda/{counsellor_id}?jour={day.isoformat()}",
        },
    )


@get("/staff/agenda/{counsellor_id:int}/semaine", include_in_schema=False)
async def agenda_week(request: Request[Any, Any, Any], counsellor_id: FromPath[int]) -> Template:
    _, counsellor = await agenda_owner(request, counsellor_id)
    day = _day(request, ZoneInfo(counsellor["tz"]))
    monday = day - timedelta(days=day.weekday())
    return Template(
        "staff/agenda_week.html",
        context={
            "counsellor": counsellor,
            "days": await _period(request, counsellor, monday, 7),
            "monday": monday,
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "section": "agenda",
        },
    )


@get("/staff/agenda/{counsellor_id:int}/feuille", include_in_schema=False)
async def day_sheet_page(request: Request[Any, Any, Any], counsellor_id: FromPath[int]) -> Template:
    _, counsellor = await agenda_owner(request, counsellor_id)
    day = _day(request, ZoneInfo(counsellor["tz"]))
    [period] = await _period(request, counsellor, day, 1)
    return Template(
        "staff/day_sheet.html",
        context={"counsellor": counsellor, "day": period, "section": "agenda"},
    )


def _back(raw: str) -> str:
    return raw if raw.startswith("/staff/agenda/") and "//" not in raw else "/staff/agenda"


async def _appointment_in_reach(
    request: Request[Any, Any, Any], appointment_id: int
) -> tuple[Principal, Any]:
    principal = await current_principal(request)
    found = await appointments.load(appointment_id)
    require(principal, Action.BOOK, await target_for_venue(found.venue.id, found.counsellor.id))
    return principal, found


@post("/staff/rdv/{appointment_id:int}/issue", include_in_schema=False)
async def mark_outcome(request: Request[Any, Any, Any], appointment_id: FromPath[int]) -> Redirect:
    principal, _ = await _appointment_in_reach(request, appointment_id)
    form = await form_data(request)
    await appointments.mark_outcome(
        appointment_id,
        text(form, "outcome", 16),
        staff_id=principal.staff_id,
        now=request_context(request).clock(),
    )
    return Redirect(_back(text(form, "back", 200)), status_code=303)


async def _cancel_page(
    request: Request[Any, Any, Any], found: Any, back: str, errors: FieldErrors, reason: str = ""
) -> Template:
    tz = ZoneInfo(found.venue.commune.timezone)
    return Template(
        "staff/appointment_cancel.html",
        status_code=errors.status if errors else 200,
        context={
            "errors": errors,
            "reason": reason,
            "back": _back(back),
            "appointment": found,
            "section": "agenda",
            "when": long_day(aware(found.starts_at).astimezone(tz).date())
            + " à "
            + format_time(aware(found.starts_at), tz),
        },
    )


@get("/staff/rdv/{appointment_id:int}/annuler", include_in_schema=False)
async def cancel_form(request: Request[Any, Any, Any], appointment_id: FromPath[int]) -> Template:
    _, found = await _appointment_in_reach(request, appointment_id)
    return await _cancel_page(request, found, request.query_params.get("back", ""), FieldErrors())


@post("/staff/rdv/{appointment_id:int}/annuler", include_in_schema=False)
async def cancel_submit(
    request: Request[Any, Any, Any], appointment_id: FromPath[int]
) -> Template | Redirect:
    principal, found = await _appointment_in_reach(request, appointment_id)
    form = await form_data(request)
    reason, back = text(form, "reason", 300), text(form, "back", 200)
    errors = FieldErrors()
    with errors.collect("reason"):
        await appointments.cancel_by_staff(
            appointment_id,
            staff_id=principal.staff_id,
            reason=reason,
            now=request_context(request).clock(),
            links=links(request),
        )
        return Redirect(_back(back), status_code=303)
    return await _cancel_page(request, found, back, errors, reason)
