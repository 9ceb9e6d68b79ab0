"""The phone desk: a resident waits on the line; book in three screens.

1. /staff/desk: the caller's mobile number and what they need.
2. /staff/desk/creneaux: who they are (found by phone, or new), the next free slots across
   the convention (only where this staff member may book), an optional override with a
   reason; one POST books through ``booking.services.appointments.book``.
3. /staff/desk/rdv/{id}: what to tell the caller.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from booking.api.appointments_public import links
from booking.auth.permissions import Action, Principal
from booking.auth.scopes import target_for_convention_members, target_for_venue
from booking.context import request_context
from booking.db import aware
from booking.phones import display_phone, normalise_mobile
from booking.services import appointments, residents
from booking.services.availability_data import load_service
from booking.services.slot_search import Scope, search_slots
from booking.web import slot_choice
from booking.web.abuse import limit_staff
from booking.web.desk_form import DeskForm, booking_request
from booking.web.display import time_range, when
from booking.web.forms import FieldErrors, form_data, number, text
from booking.web.guards import current_principal, require
from booking.web.staff_reach import bookable_places, residents_in_reach, services_in_reach

DESK_SLOTS = 15


async def _search_page(
    principal: Principal, errors: FieldErrors, values: dict[str, Any]
) -> Template:
    services = await services_in_reach(principal, Action.BOOK)
    options = [
        {
            "value": s["id"],
            "label": f"{s['public_label']} — {s['convention_name']}"
            + ("" if s["online_bookable"] else " (réservé aux professionnels)"),
        }
        for s in services
    ]
    return Template(
        "staff/desk.html",
        status_code=errors.status if errors else 200,
        context={"errors": errors, "values": values, "services": options, "section": "desk"},
    )


@get("/staff/desk", include_in_schema=False)
async def desk(request: Request[Any, Any, Any]) -> Template:
    principal = await current_principal(request)
    require(principal, Action.FIND_RESIDENT)
    return await _search_page(principal, FieldErrors(), {})


async def _choose_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    query: Any,
    errors: FieldErrors,
    values: dict[str, Any],
) -> Template:
    search_errors = FieldErrors()
    phone, service_id = text(query, "phone", 32), number(query.get("service"))
    with search_errors.collect("phone"):
        e164 = normalise_mobile(phone)
    if service_id is None:
        search_errors.add("service", "Choisissez le motif du rendez-vous.")
    if search_errors or service_id is None:
        return await _search_page(principal, search_errors, {"phone": phone, "service": service_id})
    service = await load_service(service_id)
    require(principal, Action.BOOK, await target_for_convention_members(service.convention_id))
    places = await bookable_places(principal, service.convention_id)
    reachable = {(p["venue_id"], p["counsellor_id"]) for p in places}
    search = await search_slots(
        service_id=service_id,
        scope=Scope(),
        now=request_context(request).clock(),
        staff=True,
        limit=DESK_SLOTS * 4,
        cache=request_context(request).slot_cache,
    )
    kept = [s for s in search.slots if (s.venue_id, s.counsellor_id) in reachable]
    search = replace(search, slots=kept[:DESK_SLOTS])
    found = await residents_in_reach(principal, await residents.find_by_phone(e164))
    people = [
        {
            "value": r.id,
            "label": f"{r.first_name} {r.last_name}",
            "hint": "accepte les SMS" if r.sms_consent else "refuse les SMS",
        }
        for r in found
    ]
    people.append(
        {
            "value": "new",
            "label": "Une autre personne avec ce numéro" if found else "Nouvelle personne",
            "hint": "",
        }
    )
    return Template(
        "staff/desk_choose.html",
        status_code=errors.status if errors else 200,
        context={
            "errors": errors,
            "values": values,
            "phone": phone,
            "phone_display": display_phone(e164),
            "service": service,
            "service_id": service_id,
            "people": people,
            "days": slot_choice.group_by_day_and_place(search),
            "places": places,
            "section": "desk",
        },
    )


@get("/staff/desk/creneaux", include_in_schema=False)
async def desk_choose(request: Request[Any, Any, Any]) -> Template:
    principal = await current_principal(request)
    require(principal, Action.FIND_RESIDENT)
    query = request.query_params
    return await _choose_page(
        request,
        principal,
        query,
        FieldErrors(),
        {"channel": "phone", "sms_consent": True, "resident": None},
    )


@post("/staff/desk/creneaux", include_in_schema=False)
async def desk_book(request: Request[Any, Any, Any]) -> Template | Redirect:
    principal = await current_principal(request)
    require(principal, Action.FIND_RESIDENT)
    form = await form_data(request)
    desk_form = DeskForm.read(form)
    errors, req = await booking_request(desk_form, principal.staff_id)
    if req is not None:
        require(principal, Action.BOOK, await target_for_venue(req.venue_id, req.counsellor_id))
        with errors.collect("slot", DeskForm.FIELDS):
            await limit_staff(request, principal.staff_id)
            booked = await appointments.book(
                req, now=request_context(request).clock(), links=links(request)
            )
            return Redirect(f"/staff/desk/rdv/{booked.appointment_id}", status_code=303)
    return await _choose_page(request, principal, form, errors, desk_form.values())


@get("/staff/desk/rdv/{appointment_id:int}", include_in_schema=False)
async def desk_booked(request: Request[Any, Any, Any], appointment_id: FromPath[int]) -> Template:
    principal = await current_principal(request)
    found = await appointments.load(appointment_id)
    require(principal, Action.BOOK, await target_for_venue(found.venue.id, found.counsellor.id))
    tz = ZoneInfo(found.venue.commune.timezone)
    start, end = aware(found.starts_at), aware(found.ends_at)
    return Template(
        "staff/desk_done.html",
        context={
            "when": when(start, tz),
            "range": time_range(start, end, tz),
            "venue": found.venue,
            "service": found.service,
            "counsellor": f"{found.counsellor.first_name} {found.counsellor.last_name}",
            "override": found.override_reason,
            "section": "desk",
        },
    )
