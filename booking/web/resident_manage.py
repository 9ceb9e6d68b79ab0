"""A resident's appointment from the SMS link: see it, cancel it, move it, add it to a calendar.

Past the cut-off the page explains why nothing can be changed online and gives the venue's
phone. The same use cases as the JSON API run here (``booking.services.appointments``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from booking.api.appointments_public import cutoff, links
from booking.context import request_context
from booking.db import aware
from booking.services import appointments
from booking.services.slot_search import Scope, search_slots
from booking.tables import Appointment, Resident
from booking.web import slot_choice
from booking.web.abuse import limit_address
from booking.web.display import mask_phone, time_range, when
from booking.web.forms import FieldErrors, form_data, text
from notifications.tables import OutboxMessage

NOTICES = {
    "annule": "Votre rendez-vous est annulé.",
    "deplace": "Votre rendez-vous est déplacé. Voici le nouvel horaire.",
}
MOVE_CHOICES = 12


async def _sms_plan(appointment_id: int) -> dict[str, bool]:
    kinds = {
        r["kind"]
        for r in await OutboxMessage.select(OutboxMessage.kind).where(
            (OutboxMessage.subject_kind == "appointment")
            & (OutboxMessage.subject_id == appointment_id)
            & OutboxMessage.status.not_in(["cancelled", "skipped", "failed"])
        )
    }
    return {
        "confirmation": bool(kinds & {"appointment_confirmation", "appointment_rescheduled"}),
        "reminder": "appointment_reminder" in kinds,
    }


async def _view(found: Appointment, token: str, now: datetime, limit: timedelta) -> dict[str, Any]:
    tz = ZoneInfo(found.venue.commune.timezone)
    start, end = aware(found.starts_at), aware(found.ends_at)
    person = (
        await Resident.select(Resident.phone, Resident.sms_consent)
        .where(Resident.id == found.resident)
        .first()
    )
    return {
        "token": token,
        "status": found.status,
        "when": when(start, tz),
        "range": time_range(start, end, tz),
        "service": found.service.public_label,
        "what_to_bring": found.service.what_to_bring,
        "venue": found.venue.name,
        "address": found.venue.address,
        "venue_phone": found.venue.phone,
        "accessibility": found.venue.accessibility,
        "commune": found.venue.commune.name,
        "past": start <= now,
        "can_change": found.status == "booked" and start - now >= limit,
        "cutoff_hours": int(limit.total_seconds() // 3600),
        "phone": mask_phone(person["phone"]) if person else "",
        "sms_consent": bool(person and person["sms_consent"]),
        "sms": await _sms_plan(int(found.id)),
        "calendar_url": f"/r/{token}/rdv.ics",
    }


async def _appointment(request: Request[Any, Any, Any], token: FromPath[str]) -> dict[str, Any]:
    now = request_context(request).clock()
    found = await appointments.by_token(token, now)
    view = await _view(found, token, now, cutoff(request))
    view["service_id"] = found.service.id
    return view


@get("/rdv/confirmation/{token:str}", include_in_schema=False)
async def confirmation(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    return Template(
        "resident/confirmation.html", context={"rdv": await _appointment(request, token)}
    )


@get("/r/{token:str}", include_in_schema=False)
async def manage(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    notice = NOTICES.get(request.query_params.get("notice", ""), "")
    return Template(
        "resident/manage.html",
        context={"rdv": await _appointment(request, token), "notice": notice},
    )


@get("/r/{token:str}/annuler", include_in_schema=False)
async def cancel_confirm(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    rdv = await _appointment(request, token)
    template = "resident/cancel.html" if rdv["can_change"] else "resident/manage.html"
    return Template(template, context={"rdv": rdv, "notice": "", "errors": FieldErrors()})


@post("/r/{token:str}/annuler", include_in_schema=False)
async def cancel_submit(
    request: Request[Any, Any, Any], token: FromPath[str]
) -> Template | Redirect:
    errors = FieldErrors()
    with errors.collect("confirm"):
        await limit_address(request, "manage")
        await appointments.cancel_by_resident(
            token,
            now=request_context(request).clock(),
            cutoff=cutoff(request),
            links=links(request),
        )
        return Redirect(f"/r/{token}?notice=annule", status_code=303)
    return Template(
        "resident/manage.html",
        status_code=errors.status,
        context={"rdv": await _appointment(request, token), "notice": "", "errors": errors},
    )


async def _move_page(request: Request[Any, Any, Any], token: str, errors: FieldErrors) -> Template:
    rdv = await _appointment(request, token)
    if not rdv["can_change"]:
        return Template(
            "resident/manage.html",
            status_code=errors.status if errors else 200,
            context={"rdv": rdv, "notice": "", "errors": errors},
        )
    search = await search_slots(
        service_id=rdv["service_id"],
        scope=Scope(),
        now=request_context(request).clock(),
        limit=MOVE_CHOICES,
        cache=request_context(request).slot_cache,
    )
    return Template(
        "resident/move.html",
        status_code=errors.status if errors else 200,
        context={"rdv": rdv, "days": slot_choice.group_by_day_and_place(search), "errors": errors},
    )


@get("/r/{token:str}/deplacer", include_in_schema=False)
async def move_form(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    return await _move_page(request, token, FieldErrors())


@post("/r/{token:str}/deplacer", include_in_schema=False)
async def move_submit(request: Request[Any, Any, Any], token: FromPath[str]) -> Template | Redirect:
    choice = slot_choice.decode(text(await form_data(request), "slot", 40))
    errors = FieldErrors()
    if choice is None:
        errors.add("slot", "Choisissez un nouveau créneau.")
        return await _move_page(request, token, errors)
    with errors.collect("slot"):
        await limit_address(request, "manage")
        moved = await appointments.reschedule_by_resident(
            token,
            start=choice.start,
            venue_id=choice.venue_id,
            counsellor_id=choice.counsellor_id,
            now=request_context(request).clock(),
            cutoff=cutoff(request),
            links=links(request),
        )
        return Redirect(f"/r/{moved.manage_token}?notice=deplace", status_code=303)
    return await _move_page(request, token, errors)
