"""Town-hall tools: public links, feed and embed snippets to copy; the SMS outbox."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get
from litestar.response import Template

from booking.auth.permissions import Action
from booking.context import request_context
from booking.services import outbox_view
from booking.web.display import mask_phone, when
from booking.web.guards import current_principal, require
from booking.web.staff_reach import communes_in_reach
from calendars.feed_http import webcal_url

KINDS = {
    "appointment_confirmation": "Confirmation de rendez-vous",
    "appointment_reminder": "Rappel de rendez-vous",
    "appointment_cancelled_by_resident": "Annulation (par la personne)",
    "appointment_cancelled_by_staff": "Annulation (par l'équipe)",
    "appointment_rescheduled": "Rendez-vous déplacé",
    "workshop_registration": "Inscription à un atelier",
    "workshop_reminder": "Rappel d'atelier",
    "waitlist_offer": "Place libérée (liste d'attente)",
    "session_cancelled": "Atelier annulé",
}
STATUSES = {
    "pending": "En attente",
    "claimed": "En cours d'envoi",
    "sent": "Envoyé",
    "delivered": "✓ Reçu",
    "failed": "✕ Échec",
    "cancelled": "Annulé",
    "skipped": "Non envoyé",
}


def _snippets(base: str, commune: dict[str, Any]) -> dict[str, Any]:
    feed = f"{base}/feeds/communes/{commune['id']}.ics"
    embed = f"{base}/embed/ateliers/commune/{commune['slug']}"
    return {
        **commune,
        "page": f"{base}/ateliers/commune/{commune['slug']}",
        "feed": feed,
        "webcal": webcal_url(feed),
        "feed_permanences": f"{feed}?permanences=1",
        "embed": (
            f'<iframe src="{embed}" title="Ateliers numériques à {commune["name"]}" '
            'width="100%" height="640" loading="lazy"></iframe>'
        ),
    }


@get("/staff/mairie", include_in_schema=False)
async def townhall(request: Request[Any, Any, Any]) -> Template:
    principal = await current_principal(request)
    require(principal, Action.MANAGE_WORKSHOPS)
    settings = request_context(request).settings
    communes = await communes_in_reach(principal, Action.MANAGE_WORKSHOPS)
    return Template(
        "staff/townhall.html",
        context={
            "communes": [_snippets(settings.public_base_url, c) for c in communes],
            "booking_url": f"{settings.public_base_url}/rdv",
            "embed_allowed": bool(settings.embed_allowed_origins),
            "section": "townhall",
        },
    )


@get("/staff/outbox", include_in_schema=False)
async def outbox(request: Request[Any, Any, Any]) -> Template:
    principal = await current_principal(request)
    require(principal, Action.VIEW_OUTBOX)
    status = request.query_params.get("statut", "")
    status = status if status in STATUSES else ""
    communes = (
        None
        if principal.admin
        else {c["id"] for c in await communes_in_reach(principal, Action.VIEW_OUTBOX)}
    )
    lines = await outbox_view.recent(communes=communes, status=status)
    return Template(
        "staff/outbox.html",
        context={
            "status": status,
            "statuses": [{"value": k, "label": v} for k, v in STATUSES.items()],
            "section": "outbox",
            "messages": [
                {
                    "kind": KINDS.get(m.kind, m.kind),
                    "status": m.status,
                    "status_label": STATUSES.get(m.status, m.status),
                    "phone": mask_phone(m.phone),
                    "due": when(m.due_at, ZoneInfo(m.timezone)),
                    "attempts": m.attempts,
                    "error": m.last_error,
                }
                for m in lines
            ],
        },
    )
