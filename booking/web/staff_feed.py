"""A counsellor's private calendar feed: turn it on (new link, shown once, with a QR code to
subscribe from a phone), or off. Tokens are stored hashed by ``booking.services.feeds``."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from booking.auth.permissions import Action
from booking.context import request_context
from booking.services import feeds
from booking.web.display import when
from booking.web.forms import form_data
from booking.web.qr import qr_svg
from booking.web.staff_agenda import agenda_owner
from calendars.feed_http import webcal_url


async def _page(
    request: Request[Any, Any, Any], counsellor: dict[str, Any], link: str = "", notice: str = ""
) -> Template:
    status = await feeds.token_status(counsellor["id"])
    since = when(status.created_at, ZoneInfo(counsellor["tz"])) if status.created_at else ""
    return Template(
        "staff/feed.html",
        context={
            "counsellor": counsellor,
            "active": status.active,
            "since": since,
            "link": link,
            "webcal": webcal_url(link) if link else "",
            "qr": qr_svg(link) if link else None,
            "notice": notice,
            "section": "agenda",
        },
    )


@get("/staff/agenda/{counsellor_id:int}/abonnement", include_in_schema=False)
async def feed_page(request: Request[Any, Any, Any], counsellor_id: FromPath[int]) -> Template:
    _, counsellor = await agenda_owner(request, counsellor_id, Action.MANAGE_FEED)
    return await _page(request, counsellor)


@post("/staff/agenda/{counsellor_id:int}/abonnement", include_in_schema=False)
async def feed_submit(request: Request[Any, Any, Any], counsellor_id: FromPath[int]) -> Template:
    principal, counsellor = await agenda_owner(request, counsellor_id, Action.MANAGE_FEED)
    now = request_context(request).clock()
    if (await form_data(request)).get("action") == "revoke":
        await feeds.revoke_token(counsellor_id, now=now, actor_id=principal.staff_id)
        return await _page(
            request, counsellor, notice="L'abonnement est coupé : l'ancien lien ne fonctionne plus."
        )
    token = await feeds.rotate_token(counsellor_id, now=now, actor_id=principal.staff_id)
    base = request_context(request).settings.public_base_url
    return await _page(
        request,
        counsellor,
        link=f"{base}/feeds/counsellor/{token}.ics",
        notice="Nouveau lien créé. L'ancien lien ne fonctionne plus.",
    )
