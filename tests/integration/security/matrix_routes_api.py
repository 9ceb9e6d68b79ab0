"""Matrix entries of the staff JSON API, sign-in and API tokens."""

from __future__ import annotations

from typing import Any

from booking.auth.permissions import Action
from tests.integration.security.matrix_objects import (
    API_BOOKING_START,
    CLOSURES_ICS,
    RESIDENT,
    World,
)
from tests.integration.security.matrix_table import Route


def _window(w: World) -> dict[str, str]:
    return {"start": "2026-11-23T00:00:00Z", "end": "2026-12-20T00:00:00Z"}


def _staff_booking(w: World) -> dict[str, Any]:
    return {
        "service_id": w.service,
        "venue_id": w.venue,
        "counsellor_id": w.counsellor,
        "start": API_BOOKING_START.isoformat(),
        "first_name": "Youna",
        "last_name": "Le Du",
        "phone": "06 22 33 44 55",
        "channel": "phone",
    }


def _series(w: World, day: str = "2026-12-16") -> dict[str, Any]:
    return {
        "convention_id": w.convention,
        "venue_id": w.venue,
        "title": "Atelier matrice",
        "start_time": "10:00:00",
        "end_time": "11:00:00",
        "first_day": day,
        "counsellor_ids": [w.counsellor],
    }


def _ics(w: World) -> dict[str, Any]:
    return {"file": ("fermetures.ics", CLOSURES_ICS, "text/calendar")}


A = Action
APPOINTMENT = "/api/staff/appointments/{appointment_id:int}"
COUNSELLOR = "/api/staff/counsellors/{counsellor_id:int}"
WORKSHOPS = "/api/staff/workshops"

API_ROUTES: tuple[Route, ...] = (
    # Sign-in and sign-out.
    Route("GET", "/staff/login", None, "public"),
    Route("POST", "/staff/login", None, "public"),
    Route("POST", "/staff/logout", None, "public"),
    Route("POST", "/staff/logout-everywhere", None, "self"),
    Route("GET", "/staff", None, "self"),
    # API tokens.
    Route(
        "POST",
        "/api/staff/tokens",
        None,
        "self_session",
        json=lambda w: {"name": "Integration", "scopes": ["view_agenda"]},
    ),
    Route("GET", "/api/staff/tokens", None, "self"),
    Route(
        "POST", "/api/staff/tokens/{token_id:int}/revoke", None, "own_token", refused_status=404
    ),  # another's token is not revealed
    # Phone desk (JSON).
    Route(
        "GET",
        "/api/staff/residents",
        A.FIND_RESIDENT,
        "any_staff",
        query=lambda w: {"phone": RESIDENT["phone"]},
        marker=(RESIDENT["last_name"], "resident"),
    ),
    Route(
        "GET",
        "/api/staff/slots",
        A.BOOK,
        "convention_members",
        query=lambda w: {"service_id": w.service, "limit": 3},
    ),
    Route("POST", "/api/staff/appointments", A.BOOK, "appointment", json=_staff_booking),
    Route(
        "POST",
        f"{APPOINTMENT}/outcome",
        A.BOOK,
        "appointment",
        json=lambda w: {"outcome": "attended"},
    ),
    Route(
        "POST",
        f"{APPOINTMENT}/cancel",
        A.BOOK,
        "appointment",
        json=lambda w: {"reason": "Conseillere en formation"},
    ),
    Route("GET", f"{COUNSELLOR}/agenda", A.VIEW_AGENDA, "counsellor", query=_window),
    Route(
        "GET",
        "/api/staff/communes/{commune_id:int}/agenda",
        A.VIEW_AGENDA,
        "commune",
        query=_window,
    ),
    # Calendars (JSON).
    Route("GET", f"{COUNSELLOR}/feed", A.MANAGE_FEED, "counsellor"),
    Route("POST", f"{COUNSELLOR}/feed/rotate", A.MANAGE_FEED, "counsellor"),
    Route("POST", f"{COUNSELLOR}/feed/revoke", A.MANAGE_FEED, "counsellor"),
    Route(
        "POST",
        "/api/staff/venues/{venue_id:int}/closure-sources",
        A.MANAGE_CONVENTION,
        "venue",
        files=_ics,
    ),
    Route(
        "POST",
        "/api/staff/communes/{commune_id:int}/closure-sources",
        A.MANAGE_CONVENTION,
        "commune",
        files=_ics,
    ),
    Route(
        "POST",
        "/api/staff/closure-sources/{source_id:int}/refresh",
        A.MANAGE_CONVENTION,
        "venue",
        files=_ics,
    ),
    # Workshops (JSON).
    Route(
        "POST", f"{WORKSHOPS}/series/preview", A.MANAGE_WORKSHOPS, "workshop_series", json=_series
    ),
    Route("POST", f"{WORKSHOPS}/series", A.MANAGE_WORKSHOPS, "workshop_series", json=_series),
    Route("GET", f"{WORKSHOPS}/series/{{series_id:int}}", A.MANAGE_WORKSHOPS, "workshop_series"),
    Route(
        "PATCH",
        f"{WORKSHOPS}/series/{{series_id:int}}",
        A.MANAGE_WORKSHOPS,
        "workshop_series",
        json=lambda w: {"description": "Boite mail, pieces jointes."},
    ),
    Route(
        "GET",
        f"{WORKSHOPS}/sessions/{{session_id:int}}/registrations",
        A.MANAGE_WORKSHOPS,
        "workshop_series",
    ),
    Route(
        "POST",
        f"{WORKSHOPS}/sessions/{{session_id:int}}/registrations",
        A.MANAGE_WORKSHOPS,
        "workshop_series",
        json=lambda w: {"first_name": "Gwen", "last_name": "Le Du", "phone": "0633445566"},
    ),
    Route(
        "PATCH",
        f"{WORKSHOPS}/sessions/{{session_id:int}}",
        A.MANAGE_WORKSHOPS,
        "workshop_series",
        json=lambda w: {"capacity": 9},
    ),
    Route(
        "POST",
        f"{WORKSHOPS}/sessions/{{session_id:int}}/attendance",
        A.MANAGE_WORKSHOPS,
        "workshop_series",
        json=lambda w: {"present": [w.registration]},
    ),
    Route(
        "POST",
        f"{WORKSHOPS}/registrations/{{registration_id:int}}/attendance",
        A.MANAGE_WORKSHOPS,
        "workshop_series",
        json=lambda w: {"outcome": "attended"},
    ),
    Route(
        "POST",
        f"{WORKSHOPS}/registrations/{{registration_id:int}}/cancel",
        A.MANAGE_WORKSHOPS,
        "workshop_series",
        json=lambda w: {},
    ),
    Route(
        "POST",
        f"{WORKSHOPS}/series/{{series_id:int}}/exceptions",
        A.MANAGE_WORKSHOPS,
        "workshop_series",
        json=lambda w: {"day": "2026-12-09"},
    ),
    Route(
        "POST",
        f"{WORKSHOPS}/sessions/{{session_id:int}}/cancel",
        A.MANAGE_WORKSHOPS,
        "workshop_series",
        json=lambda w: {"reason": "Salle indisponible"},
    ),
    # Residents' data (JSON).
    Route(
        "GET", "/api/staff/residents/{resident_id:int}/export", A.MANAGE_RESIDENT_DATA, "resident"
    ),
    Route(
        "POST", "/api/staff/residents/{resident_id:int}/erase", A.MANAGE_RESIDENT_DATA, "resident"
    ),
)
