"""The resident's management link for a workshop registration: see it, cancel it, confirm a
seat offered from the waiting list. The link is the only credential: no name is shown."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from booking.context import request_context
from booking.errors import DomainError
from booking.services import registrations
from booking.services.registration_view import RegistrationView, waitlist_positions
from booking.services.workshop_links import links_from_settings
from booking.web.display import day_of, long_day, time_range, when
from booking.web.forms import FieldErrors
from booking.web.workshops_display import STATUS_LABELS, party_label

NOTICES = {
    "nouveau": "Votre inscription est enregistrée. Gardez ce lien : il vous permet de la "
    "consulter et de l'annuler.",
    "annulee": "Votre inscription est annulée. Merci d'avoir libéré votre place.",
    "confirmee": "Votre place est confirmée. Vous allez recevoir un SMS de confirmation.",
}


def _rows(view: RegistrationView) -> list[dict[str, Any]]:
    out = []
    for r in view.rows:
        tz = ZoneInfo(r.tz)
        status = (
            "Séance annulée"
            if r.session_status == "cancelled"
            else STATUS_LABELS.get(r.status, r.status)
        )
        out.append(
            {
                "day": long_day(day_of(r.starts_at, tz)),
                "hours": time_range(r.starts_at, r.ends_at, tz),
                "place": r.place,
                "address": r.address,
                "party": party_label(r.party_size),
                "status": status,
                "offered": r.status == "offered",
            }
        )
    return out


async def _page(
    request: Request[Any, Any, Any],
    token: str,
    name: str,
    *,
    errors: FieldErrors | None = None,
    notice: str = "",
) -> Template:
    now = request_context(request).clock()
    view = await registrations.by_token(token, now)
    until = view.offer_open(now)
    positions = await waitlist_positions(view)
    errors = errors or FieldErrors()
    return Template(
        f"workshops/{name}.html",
        status_code=errors.status if errors else 200,
        context={
            "view": view,
            "token": token,
            "rows": _rows(view),
            "summary": view.summary(),
            "status_label": STATUS_LABELS.get(view.summary(), ""),
            "errors": errors,
            "offer_until": when(until, ZoneInfo(view.rows[0].tz)) if until else "",
            "position": min(positions.values()) if positions else None,
            "party": party_label(view.rows[0].party_size),
            "cancellable": view.cancellable(now),
            "notice": notice,
        },
    )


def _notice(request: Request[Any, Any, Any]) -> str:
    return next((text for key, text in NOTICES.items() if key in request.query_params), "")


@get("/a/{token:str}", include_in_schema=False)
async def manage(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    return await _page(request, token, "manage", notice=_notice(request))


@post("/a/{token:str}/annuler", include_in_schema=False)
async def cancel(request: Request[Any, Any, Any], token: FromPath[str]) -> Template | Redirect:
    ctx = request_context(request)
    errors = FieldErrors()
    try:
        await registrations.cancel_by_resident(
            token, now=ctx.clock(), links=links_from_settings(ctx.settings)
        )
    except DomainError as err:
        errors.add("annuler", err.message, err.status)
        return await _page(request, token, "manage", errors=errors)
    return Redirect(f"/a/{token}?annulee=1", status_code=303)


@get("/a/{token:str}/confirmer", include_in_schema=False)
async def offer(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    return await _page(request, token, "offer")


@post("/a/{token:str}/confirmer", include_in_schema=False)
async def confirm(request: Request[Any, Any, Any], token: FromPath[str]) -> Template | Redirect:
    ctx = request_context(request)
    errors = FieldErrors()
    try:
        await registrations.confirm_offer(
            token, now=ctx.clock(), links=links_from_settings(ctx.settings)
        )
    except DomainError as err:
        errors.add("offre", err.message, err.status)
        return await _page(request, token, "offer", errors=errors)
    return Redirect(f"/a/{token}?confirmee=1", status_code=303)


HANDLERS = [manage, cancel, offer, confirm]
