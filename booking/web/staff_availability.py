"""A counsellor's availability rules (with a preview of the slots they make) and absences."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from booking.auth.permissions import Action
from booking.context import request_context
from booking.db import aware
from booking.services import absences, rules
from booking.tables import ConventionCommune, ConventionCounsellor, Service, Venue
from booking.web.availability_form import absence_draft, absence_values, rule_draft, rule_values
from booking.web.display import long_day, time_range, when
from booking.web.forms import FieldErrors, form_data
from booking.web.staff_agenda import agenda_owner

PREVIEW = 8
SAVED = {
    "plage": "La plage d'ouverture est enregistrée.",
    "retiree": "La plage d'ouverture est retirée.",
    "absence": "L'absence est enregistrée.",
}


async def _choices(counsellor_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    conventions = [
        r["convention"]
        for r in await ConventionCounsellor.select(ConventionCounsellor.convention).where(
            ConventionCounsellor.counsellor == counsellor_id
        )
    ]
    communes = [
        r["commune"]
        for r in await ConventionCommune.select(ConventionCommune.commune).where(
            ConventionCommune.convention.is_in(conventions or [-1])
        )
    ]
    venues = (
        await Venue.select(Venue.id, Venue.name)
        .where(Venue.commune.is_in(communes or [-1]) & Venue.active.eq(True))
        .order_by(Venue.name)
    )
    services = (
        await Service.select(
            Service.id,
            Service.public_label,
            Service.duration_minutes,
            Service.buffer_after_minutes,
            Service.buffer_before_minutes,
            Service.step_minutes,
        )
        .where(Service.convention.is_in(conventions or [-1]) & Service.active.eq(True))
        .order_by(Service.id)
    )
    return ([{"value": v["id"], "label": v["name"]} for v in venues], list(services))


def _slot_counts(span: timedelta, services: list[dict[str, Any]], chosen: list[int]) -> list[str]:
    counts = []
    for s in services:
        if chosen and s["id"] not in chosen:
            continue
        duration = timedelta(minutes=s["duration_minutes"])
        step = timedelta(minutes=s["step_minutes"] or s["duration_minutes"])
        n = 0 if span < duration else (span - duration) // step + 1
        counts.append(
            f"{n} créneau{'x' if n > 1 else ''} « {s['public_label']} » "
            f"({s['duration_minutes']} min)"
        )
    return counts


async def _rules_page(
    request: Request[Any, Any, Any],
    counsellor: dict[str, Any],
    errors: FieldErrors,
    values: dict[str, Any],
    preview: dict[str, Any] | None = None,
) -> Template:
    venues, services = await _choices(counsellor["id"])
    existing = [
        {
            **r,
            "description": rules.describe_rrule(r["rrule"], r["first_day"]),
            "hours": f"{r['start_time'].strftime('%H:%M')} – {r['end_time'].strftime('%H:%M')}",
        }
        for r in await rules.rules_of(counsellor["id"])
    ]
    notice = SAVED.get(request.query_params.get("ok", ""), "")
    return Template(
        "staff/rules.html",
        status_code=errors.status if errors else 200,
        context={
            "counsellor": counsellor,
            "rules": existing,
            "venues": venues,
            "services": services,
            "errors": errors,
            "values": values,
            "preview": preview,
            "notice": notice,
            "section": "agenda",
        },
    )


@get("/staff/agenda/{counsellor_id:int}/plages", include_in_schema=False)
async def rules_list(request: Request[Any, Any, Any], counsellor_id: FromPath[int]) -> Template:
    _, counsellor = await agenda_owner(request, counsellor_id, Action.MANAGE_AVAILABILITY)
    today = request_context(request).clock().astimezone(ZoneInfo(counsellor["tz"])).date()
    return await _rules_page(
        request,
        counsellor,
        FieldErrors(),
        {
            "kind": "weekly",
            "interval": "1",
            "first_day": today.isoformat(),
            "weekdays": [],
            "services": [],
            "start_time": "09:00",
            "end_time": "12:00",
        },
    )


@post("/staff/agenda/{counsellor_id:int}/plages", include_in_schema=False)
async def rules_submit(
    request: Request[Any, Any, Any], counsellor_id: FromPath[int]
) -> Template | Redirect:
    principal, counsellor = await agenda_owner(request, counsellor_id, Action.MANAGE_AVAILABILITY)
    form = await form_data(request)
    values = rule_values(form)
    errors, draft = rule_draft(counsellor_id, values)
    if draft is None:
        return await _rules_page(request, counsellor, errors, values)
    tz = ""
    with errors.collect("venue", ("venue", "services")):
        tz = await rules.check_scope(draft)
    if errors:
        return await _rules_page(request, counsellor, errors, values)
    now = request_context(request).clock()
    if form.get("action") == "enregistrer":
        await rules.create(draft, staff_id=principal.staff_id, now=now)
        return Redirect(f"/staff/agenda/{counsellor_id}/plages?ok=plage", status_code=303)
    _, services = await _choices(counsellor_id)
    zone = ZoneInfo(tz)
    spans = rules.preview(draft, zone, PREVIEW)
    preview = {
        "days": [
            {"when": long_day(start.astimezone(zone).date()), "range": time_range(start, end, zone)}
            for start, end in spans
        ],
        "slots": _slot_counts(spans[0][1] - spans[0][0], services, list(draft.service_ids))
        if spans
        else [],
    }
    if not spans:
        errors.add("kind", "Cette plage ne donne aucun jour : vérifiez les dates et les jours.")
    return await _rules_page(request, counsellor, errors, values, preview)


@post("/staff/agenda/{counsellor_id:int}/plages/{rule_id:int}/retirer", include_in_schema=False)
async def rule_deactivate(
    request: Request[Any, Any, Any], counsellor_id: FromPath[int], rule_id: FromPath[int]
) -> Redirect:
    principal, _ = await agenda_owner(request, counsellor_id, Action.MANAGE_AVAILABILITY)
    await rules.deactivate(
        rule_id,
        counsellor_id=counsellor_id,
        staff_id=principal.staff_id,
        now=request_context(request).clock(),
    )
    return Redirect(f"/staff/agenda/{counsellor_id}/plages?ok=retiree", status_code=303)


async def _absences_page(
    request: Request[Any, Any, Any],
    counsellor: dict[str, Any],
    errors: FieldErrors,
    values: dict[str, Any],
) -> Template:
    now = request_context(request).clock()
    items = []
    for a in await absences.upcoming(counsellor["id"], now):
        zone = ZoneInfo(a["timezone"])
        items.append(
            {
                "from": when(aware(a["starts_at"]), zone),
                "to": when(aware(a["ends_at"]), zone),
                "reason": a["reason"],
                "weekly_until": a["until"].strftime("%d/%m/%Y") if a["until"] else "",
            }
        )
    return Template(
        "staff/absences.html",
        status_code=errors.status if errors else 200,
        context={
            "counsellor": counsellor,
            "absences": items,
            "errors": errors,
            "values": values,
            "section": "agenda",
            "notice": SAVED.get(request.query_params.get("ok", ""), ""),
        },
    )


@get("/staff/agenda/{counsellor_id:int}/absences", include_in_schema=False)
async def absences_list(request: Request[Any, Any, Any], counsellor_id: FromPath[int]) -> Template:
    _, counsellor = await agenda_owner(request, counsellor_id, Action.MANAGE_AVAILABILITY)
    return await _absences_page(request, counsellor, FieldErrors(), {})


@post("/staff/agenda/{counsellor_id:int}/absences", include_in_schema=False)
async def absences_submit(
    request: Request[Any, Any, Any], counsellor_id: FromPath[int]
) -> Template | Redirect:
    principal, counsellor = await agenda_owner(request, counsellor_id, Action.MANAGE_AVAILABILITY)
    values = absence_values(await form_data(request))
    errors, draft = absence_draft(counsellor_id, counsellor["tz"], values)
    if draft is not None:
        with errors.collect("start_day", ("start_day", "end_day", "weekly_until")):
            await absences.create(
                draft, staff_id=principal.staff_id, now=request_context(request).clock()
            )
            return Redirect(f"/staff/agenda/{counsellor_id}/absences?ok=absence", status_code=303)
    return await _absences_page(request, counsellor, errors, values)
