"""Matrix entries of the staff pages."""

from __future__ import annotations

from typing import Any

from booking.auth.permissions import Action
from booking.web.slot_choice import Choice
from tests.integration.security.matrix_objects import (
    PAGE_BOOKING_START,
    RESIDENT,
    SERIES_TITLE,
    World,
)
from tests.integration.security.matrix_table import Route


def _desk_form(w: World) -> dict[str, Any]:
    return {
        "phone": RESIDENT["phone"],
        "service": w.service,
        "resident": "new",
        "first_name": "Erwan",
        "last_name": "Le Du",
        "channel": "desk",
        "sms_consent": "oui",
        "slot": Choice(w.venue, w.counsellor, PAGE_BOOKING_START).value,
    }


def _series_form(w: World) -> dict[str, Any]:
    return {
        "convention": w.convention,
        "venue": w.venue,
        "title": "Atelier matrice (page)",
        "level": "debutant",
        "capacity": "8",
        "registration_mode": "session",
        "counsellors": w.counsellor,
        "first_day": "2026-12-18",
        "start_time": "10:00",
        "end_time": "11:00",
        "frequency": "once",
        "offer_minutes": "1440",
        "cutoff_minutes": "120",
        "status": "published",
        "action": "create",
    }


def _rule_form(w: World) -> dict[str, Any]:
    return {
        "venue": w.venue,
        "kind": "weekly",
        "weekdays": "FR",
        "interval": "1",
        "first_day": "2026-11-27",
        "start_time": "09:00",
        "end_time": "12:00",
        "action": "enregistrer",
    }


A = Action
AGENDA = "/staff/agenda/{counsellor_id:int}"
SESSION_PAGE = "/staff/workshops/sessions/{session_id:int}"

PAGE_ROUTES: tuple[Route, ...] = (
    # Phone desk (pages).
    Route(
        "GET",
        "/staff/desk",
        A.FIND_RESIDENT,
        "any_staff",
        marker=("Convention numérique de la Rance", "convention_members"),
    ),
    Route(
        "GET",
        "/staff/desk/creneaux",
        A.BOOK,
        "convention_members",
        also=A.FIND_RESIDENT,
        query=lambda w: {"phone": RESIDENT["phone"], "service": w.service},
        marker=(RESIDENT["last_name"], "resident"),
    ),
    Route(
        "POST", "/staff/desk/creneaux", A.BOOK, "appointment", also=A.FIND_RESIDENT, form=_desk_form
    ),
    Route("GET", "/staff/desk/rdv/{appointment_id:int}", A.BOOK, "appointment"),
    # Agendas (pages).
    Route(
        "GET",
        "/staff/agenda",
        A.VIEW_AGENDA,
        "any_staff",
        marker=("Pleudihen-sur-Rance", "commune"),
    ),
    Route("GET", AGENDA, A.VIEW_AGENDA, "counsellor"),
    Route("GET", f"{AGENDA}/semaine", A.VIEW_AGENDA, "counsellor"),
    Route("GET", f"{AGENDA}/feuille", A.VIEW_AGENDA, "counsellor"),
    Route("GET", "/staff/agenda/commune/{commune_id:int}", A.VIEW_AGENDA, "commune"),
    Route("GET", "/staff/rdv/{appointment_id:int}/annuler", A.BOOK, "appointment"),
    Route(
        "POST",
        "/staff/rdv/{appointment_id:int}/issue",
        A.BOOK,
        "appointment",
        form=lambda w: {"outcome": "no_show", "back": "/staff/agenda"},
    ),
    Route(
        "POST",
        "/staff/rdv/{appointment_id:int}/annuler",
        A.BOOK,
        "appointment",
        form=lambda w: {"reason": "Mairie fermee", "back": "/staff/agenda"},
    ),
    # Availability and feed (pages).
    Route("GET", f"{AGENDA}/plages", A.MANAGE_AVAILABILITY, "counsellor"),
    Route("POST", f"{AGENDA}/plages", A.MANAGE_AVAILABILITY, "counsellor", form=_rule_form),
    Route("POST", f"{AGENDA}/plages/{{rule_id:int}}/retirer", A.MANAGE_AVAILABILITY, "counsellor"),
    Route("GET", f"{AGENDA}/absences", A.MANAGE_AVAILABILITY, "counsellor"),
    Route(
        "POST",
        f"{AGENDA}/absences",
        A.MANAGE_AVAILABILITY,
        "counsellor",
        form=lambda w: {"start_day": "2027-01-12", "end_day": "2027-01-12", "reason": "Conges"},
    ),
    Route("GET", f"{AGENDA}/abonnement", A.MANAGE_FEED, "counsellor"),
    Route(
        "POST",
        f"{AGENDA}/abonnement",
        A.MANAGE_FEED,
        "counsellor",
        form=lambda w: {"action": "rotate"},
    ),
    # Town hall and outbox (pages).
    Route(
        "GET",
        "/staff/mairie",
        A.MANAGE_WORKSHOPS,
        "any_staff",
        marker=("Pleudihen-sur-Rance", "commune"),
    ),
    Route(
        "GET",
        "/staff/outbox",
        A.VIEW_OUTBOX,
        "any_staff",
        marker=("Confirmation de rendez-vous", "commune"),
    ),
    # Workshops (pages).
    Route(
        "GET",
        "/staff/workshops",
        A.MANAGE_WORKSHOPS,
        "any_staff",
        marker=(SERIES_TITLE, "workshop_series"),
    ),
    Route("GET", "/staff/workshops/new", A.MANAGE_WORKSHOPS, "any_staff"),
    Route("POST", "/staff/workshops/new", A.MANAGE_WORKSHOPS, "workshop_series", form=_series_form),
    Route("GET", "/staff/workshops/series/{series_id:int}", A.MANAGE_WORKSHOPS, "workshop_series"),
    Route("GET", SESSION_PAGE, A.MANAGE_WORKSHOPS, "workshop_series"),
    Route("GET", f"{SESSION_PAGE}/emargement", A.MANAGE_WORKSHOPS, "workshop_series"),
    Route("GET", f"{SESSION_PAGE}/emargement.csv", A.MANAGE_WORKSHOPS, "workshop_series"),
    Route(
        "POST",
        f"{SESSION_PAGE}/presence",
        A.MANAGE_WORKSHOPS,
        "workshop_series",
        form=lambda w: {"present": w.registration},
    ),
    Route(
        "POST",
        f"{SESSION_PAGE}/annuler",
        A.MANAGE_WORKSHOPS,
        "workshop_series",
        form=lambda w: {"reason": "Animatrice malade"},
    ),
)
