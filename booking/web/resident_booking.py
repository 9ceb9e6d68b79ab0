"""Residents book an appointment in four page submissions, without an account or JavaScript.

/rdv (commune or postcode) → /rdv/motif (what for) → /rdv/creneau (a slot, the next ones
first, grouped by day and place) → /rdv/coordonnees (name, mobile) → /rdv/confirmation.
Every step is a plain GET form but the last, a POST that books through
``booking.services.appointments.book`` (the JSON API's use case).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.response import Redirect, Template

from booking.api.appointments_public import links
from booking.context import request_context
from booking.errors import DomainError, NotFound
from booking.services import appointments, catalogue
from booking.services.appointments import BookingRequest
from booking.services.slot_search import Scope, search_slots, venues_info
from booking.web import slot_choice
from booking.web.abuse import limit_address, limit_phone, reject_honeypot
from booking.web.display import when
from booking.web.forms import FieldErrors, form_data, number, text
from booking.web.resident_details import details_errors, person_from

PAGE_SIZE = 12
DETAIL_FIELDS = ("first_name", "last_name", "phone", "email")
POSTCODE = re.compile(r"\d{5}")


def _page(name: str, status: int = 200, **context: Any) -> Template:
    return Template(f"resident/{name}.html", context=context, status_code=status)


@get("/rdv", include_in_schema=False)
async def start(request: Request[Any, Any, Any]) -> Template:
    return _page(
        "start", communes=await catalogue.communes_served(), errors=FieldErrors(), values={}
    )


@get("/rdv/motif", include_in_schema=False)
async def choose_service(request: Request[Any, Any, Any]) -> Template:
    query = request.query_params
    chosen, postcode = number(query.get("commune")), text(query, "postcode", 10)
    errors = FieldErrors()
    communes: list[dict[str, Any]] = []
    if chosen is not None:
        found = await catalogue.commune(chosen)
        communes = [found] if found else []
        if not communes:
            errors.add("commune", "Cette commune n'est pas desservie. Choisissez-en une autre.")
    elif postcode:
        if not POSTCODE.fullmatch(postcode):
            errors.add("postcode", "Le code postal compte 5 chiffres, par exemple 22690.")
        else:
            communes = await catalogue.communes_with_postcode(postcode)
            if not communes:
                errors.add(
                    "postcode",
                    f"Aucune commune desservie n'a le code postal {postcode}. "
                    "Choisissez votre commune dans la liste.",
                )
    else:
        errors.add("commune", "Choisissez votre commune ou indiquez votre code postal.")
    services = await catalogue.online_services([c["id"] for c in communes]) if communes else []
    if communes and not services:
        errors.add(
            "commune",
            "Aucun rendez-vous ne se prend en ligne pour cette commune : appelez votre mairie.",
        )
    if errors:
        return _page(
            "start",
            errors.status,
            communes=await catalogue.communes_served(),
            errors=errors,
            values={"commune": chosen, "postcode": postcode},
        )
    return _page(
        "service",
        communes=communes,
        services=services,
        errors=FieldErrors(),
        postcode=postcode,
        values={},
    )


async def _service_step_errors(query: Any) -> tuple[FieldErrors, int | None, int | None]:
    errors = FieldErrors()
    commune_id, service_id = number(query.get("commune")), number(query.get("service"))
    if commune_id is None or await catalogue.commune(commune_id) is None:
        errors.add("commune", "Choisissez votre commune.")
    if service_id is None:
        errors.add("service", "Choisissez ce pour quoi vous avez besoin d'aide.")
    elif commune_id is not None and not await catalogue.service_serves_commune(
        service_id, commune_id
    ):
        errors.add("service", "Ce motif n'est pas proposé dans votre commune.")
    return errors, commune_id, service_id


@get("/rdv/creneau", include_in_schema=False)
async def choose_slot(request: Request[Any, Any, Any]) -> Template:
    return await _slot_page(request, request.query_params, FieldErrors())


async def _slot_page(
    request: Request[Any, Any, Any], query: Any, slot_errors: FieldErrors
) -> Template:
    errors, commune_id, service_id = await _service_step_errors(query)
    if errors or commune_id is None or service_id is None:
        communes = [c for c in [await catalogue.commune(commune_id or 0)] if c]
        services = await catalogue.online_services([c["id"] for c in communes])
        return _page(
            "service",
            errors.status,
            communes=communes,
            services=services,
            errors=errors,
            postcode="",
            values={"service": service_id},
        )
    now = request_context(request).clock()
    after = _after(text(query, "after", 40), now)
    venue_id = number(query.get("venue"))
    try:
        search = await search_slots(
            service_id=service_id,
            scope=Scope(venue_id=venue_id),
            now=now,
            start=after,
            limit=PAGE_SIZE,
            cache=request_context(request).slot_cache,
        )
    except DomainError as err:
        raise NotFound(err.message) from err
    next_after = (
        (search.slots[-1].start + timedelta(seconds=1)).isoformat()
        if len(search.slots) == PAGE_SIZE
        else ""
    )
    return _page(
        "slot",
        slot_errors.status if slot_errors else 200,
        commune=await catalogue.commune(commune_id),
        service_id=service_id,
        service=search.service,
        days=slot_choice.group_by_day_and_place(search),
        errors=slot_errors,
        next_after=next_after,
        later=after is not None,
        venue_id=venue_id,
    )


def _after(raw: str, now: datetime) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    if moment is None or moment.tzinfo is None or moment <= now:
        return None
    return moment


async def _slot_context(query: Any) -> tuple[FieldErrors, dict[str, Any]]:
    errors, commune_id, service_id = await _service_step_errors(query)
    choice = slot_choice.decode(text(query, "slot", 40))
    context: dict[str, Any] = {"commune_id": commune_id, "service_id": service_id}
    if choice is None:
        errors.add("slot", "Choisissez un créneau.")
        return errors, context
    venue = (await venues_info([choice.venue_id])).get(choice.venue_id)
    if venue is None or service_id is None:
        errors.add("slot", "Ce créneau n'existe pas. Choisissez-en un autre.")
        return errors, context
    service = await catalogue.online_services([venue.commune_id])
    label = next((s["public_label"] for s in service if s["id"] == service_id), "")
    context.update(
        choice=choice,
        venue=venue,
        service_label=label,
        when=when(choice.start, ZoneInfo(venue.timezone)),
    )
    return errors, context


@get("/rdv/coordonnees", include_in_schema=False)
async def details_form(request: Request[Any, Any, Any]) -> Template:
    errors, context = await _slot_context(request.query_params)
    if errors:
        return await _slot_page(request, request.query_params, errors)
    return _page("details", errors=errors, values={"sms_consent": True}, **context)


@post("/rdv/coordonnees", include_in_schema=False)
async def details_submit(request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await form_data(request)
    errors, context = await _slot_context(form)
    if "choice" not in context:
        return await _slot_page(request, form, errors)
    values: dict[str, Any] = {
        name: text(form, name, 254) for name in ("first_name", "last_name", "phone", "email")
    }
    values["sms_consent"] = form.get("sms_consent") == "oui"
    errors = details_errors(values)
    if not errors:
        choice = context["choice"]
        with errors.collect("slot", DETAIL_FIELDS):
            reject_honeypot(text(form, "website", 200))
            await limit_address(request, "book")
            person = person_from(values)
            await limit_phone(request, "book", person.phone)
            booked = await appointments.book(
                BookingRequest(
                    service_id=context["service_id"],
                    venue_id=choice.venue_id,
                    counsellor_id=choice.counsellor_id,
                    start=choice.start,
                    person=person,
                    channel="online",
                ),
                now=request_context(request).clock(),
                links=links(request),
            )
            return Redirect(f"/rdv/confirmation/{booked.manage_token}", status_code=303)
    return _page("details", errors.status, errors=errors, values=values, **context)
