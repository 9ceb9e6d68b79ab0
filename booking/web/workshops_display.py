"""How workshops are shown on pages: French labels for sessions, seats and statuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from booking.services.workshop_listing import PublicSeries, PublicSession
from booking.web.display import day_of, long_day, time_range, when

STATUS_LABELS = {
    "confirmed": "Inscription confirmée",
    "waitlisted": "En liste d'attente",
    "offered": "Une place vous attend : confirmez-la",
    "cancelled": "Annulée",
    "expired": "Proposition expirée",
    "attended": "Présent",
    "no_show": "Absent",
}
MODE_HINTS = {
    "session": "Inscription séance par séance.",
    "series": "Parcours : l'inscription vaut pour toutes les séances.",
    "both": "Inscription à une séance ou au parcours complet.",
}


def seats_label(seats_left: int) -> str:
    if seats_left <= 0:
        return "Complet : inscription sur liste d'attente"
    plural = "s" if seats_left > 1 else ""
    return f"{seats_left} place{plural} restante{plural}"


def party_label(size: int) -> str:
    return "1 personne" if size == 1 else f"{size} personnes"


@dataclass(frozen=True, slots=True)
class SessionLine:
    id: int
    day: str
    hours: str
    when: str
    venue: str
    address: str
    commune: str
    seats_left: int
    seats: str
    cancelled: bool
    open: bool


def session_line(session: PublicSession) -> SessionLine:
    tz = ZoneInfo(session.tz)
    return SessionLine(
        id=session.id,
        day=long_day(day_of(session.starts_at, tz)),
        hours=time_range(session.starts_at, session.ends_at, tz),
        when=when(session.starts_at, tz),
        venue=session.venue,
        address=session.address,
        commune=session.commune,
        seats_left=session.seats_left,
        seats=seats_label(session.seats_left),
        cancelled=session.cancelled,
        open=session.open,
    )


def lines(series: PublicSeries) -> list[SessionLine]:
    return [session_line(s) for s in series.sessions]


def moment(value: datetime, tz: str) -> str:
    return when(value, ZoneInfo(tz))
