"""Public workshop pages: listings per commune, venue or convention (and their embeddable
variant for town-hall websites), a series' page and the registration form. No JavaScript,
no personal data shown."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from booking.context import request_context
from booking.errors import DomainError, NotFound
from booking.services import registrations, workshop_listing
from booking.services.registrations import MAX_PARTY, RegistrationRequest
from booking.services.workshop_links import links_from_settings
from booking.services.workshop_listing import PublicSeries
from booking.web.abuse import limit_address, limit_phone
from booking.web.forms import FieldErrors, form_data, number, text
from booking.web.resident_details import details_errors, person_from
from booking.web.workshops_display import MODE_HINTS, lines, party_label, seats_label

KINDS = {"commune": "commune", "lieu": "lieu", "convention": "convention"}
WHOLE = "parcours"


def page(name: str, status: int = 200, **context: Any) -> Template:
    return Template(
        f"workshops/{name}.html",
        status_code=status,
        context={"mode_hint": MODE_HINTS.get, "seats": seats_label, **context},
    )


async def _listing(
    request: Request[Any, Any, Any], kind: FromPath[str], slug: FromPath[str]
) -> dict[str, Any]:
    if kind not in KINDS:
        raise NotFound("Page introuvable.")
    found = await workshop_listing.listing(kind, slug[:140], now=request_context(request).clock())
    return {"place": found.place, "series": [(s, lines(s)) for s in found.series]}


@get("/ateliers/{kind:str}/{slug:str}", include_in_schema=False)
async def listing_page(
    request: Request[Any, Any, Any], kind: FromPath[str], slug: FromPath[str]
) -> Template:
    return page("listing", **await _listing(request, kind, slug))


@get("/embed/ateliers/{kind:str}/{slug:str}", include_in_schema=False)
async def listing_embed(
    request: Request[Any, Any, Any], kind: FromPath[str], slug: FromPath[str]
) -> Template:
    """For an iframe on a town-hall website: no site chrome, links open the full site in a
    new tab (registration forms need the site's own cookies)."""
    base = request_context(request).settings.public_base_url
    return page("embed", base=base, **await _listing(request, kind, slug))


async def _series(request: Request[Any, Any, Any], ref: FromPath[str]) -> PublicSeries:
    return await workshop_listing.public_series(ref[:140], now=request_context(request).clock())


@get("/atelier/{ref:str}", include_in_schema=False)
async def series_page(request: Request[Any, Any, Any], ref: FromPath[str]) -> Template:
    series = await _series(request, ref)
    return page("series", s=series, rows=lines(series))


def _choices(series: PublicSeries) -> list[dict[str, Any]]:
    options = []
    if series.registration_mode != "session" and series.open_sessions:
        options.append(
            {
                "value": WHOLE,
                "label": f"Le parcours complet ({len(series.open_sessions)} séances)",
                "hint": seats_label(series.series_seats_left),
            }
        )
    if series.registration_mode != "series":
        options.extend(
            {"value": str(r.id), "label": f"{r.day}, {r.hours}", "hint": f"{r.venue} · {r.seats}"}
            for r in lines(series)
            if r.open
        )
    return options


def _form_page(series: PublicSeries, values: dict[str, Any], errors: FieldErrors) -> Template:
    return page(
        "register",
        errors.status if errors else 200,
        s=series,
        choices=_choices(series),
        values=values,
        errors=errors,
        party_options=[{"value": n, "label": party_label(n)} for n in range(1, MAX_PARTY + 1)],
    )


@get("/atelier/{ref:str}/inscription", include_in_schema=False)
async def register_form(request: Request[Any, Any, Any], ref: FromPath[str]) -> Template:
    series = await _series(request, ref)
    query = request.query_params
    choices = [c["value"] for c in _choices(series)]
    wanted = WHOLE if query.get("parcours") else text(query, "seance", 12)
    choice = wanted if wanted in choices else (choices[0] if len(choices) == 1 else None)
    return _form_page(
        series, {"choice": choice, "party_size": 1, "sms_consent": True}, FieldErrors()
    )


@post("/atelier/{ref:str}/inscription", include_in_schema=False)
async def register_submit(
    request: Request[Any, Any, Any], ref: FromPath[str]
) -> Template | Redirect:
    series = await _series(request, ref)
    form = await form_data(request)
    values: dict[str, Any] = {
        name: text(form, name, 254)
        for name in ("first_name", "last_name", "phone", "email", "choice")
    }
    values["sms_consent"] = form.get("sms_consent") == "oui"
    values["party_size"] = number(form.get("party_size")) or 0
    errors = FieldErrors()
    if values["choice"] not in [c["value"] for c in _choices(series)]:
        errors.add("choice", "Choisissez une séance, ou le parcours complet.")
    if not 1 <= values["party_size"] <= MAX_PARTY:
        errors.add("party_size", f"Indiquez combien vous serez (de 1 à {MAX_PARTY}).")
    for field, message in details_errors(values).items.items():
        errors.add(field, message)
    if errors:
        return _form_page(series, values, errors)
    ctx = request_context(request)
    try:
        person = person_from(values)
        await limit_address(request, "workshop")
        await limit_phone(request, "workshop", person.phone)
        done = await registrations.register(
            RegistrationRequest(
                series_id=series.id,
                person=person,
                party_size=values["party_size"],
                session_id=None if values["choice"] == WHOLE else int(values["choice"]),
            ),
            now=ctx.clock(),
            links=links_from_settings(ctx.settings),
        )
    except DomainError as err:
        field = "choice" if err.field in (None, "session_id") else err.field
        errors.add(field or "choice", err.message, err.status)
        return _form_page(series, values, errors)
    return Redirect(f"/a/{done.manage_token}?nouveau=1", status_code=303)


HANDLERS = [listing_page, listing_embed, series_page, register_form, register_submit]
