"""Workshop series drafts: validation and the sessions their recurrence yields.

Pure (no database, no clock): ``now`` is an argument. Sessions are expanded in the
commune's local time; public holidays of the commune's region are left out unless asked.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from booking.errors import InvalidInput
from calendars.holidays import holiday_name
from calendars.recurrence import Recurrence, iter_occurrence_dates, local_span, parse_rrule

LEVELS = {"debutant": "Débutant", "intermediaire": "Intermédiaire", "avance": "Avancé"}
MODES = {
    "session": "Inscription séance par séance",
    "series": "Inscription au parcours complet",
    "both": "Par séance ou au parcours complet",
}
STATUSES = ("published", "draft")
MAX_SESSIONS = 80
MAX_CAPACITY = 200
MAX_THEMES = 8
MAX_LENGTH = timedelta(hours=10)


@dataclass(frozen=True, slots=True)
class SeriesDraft:
    convention_id: int
    venue_id: int
    title: str
    start_time: time
    end_time: time
    first_day: date
    rrule: str = ""
    until: date | None = None
    rdates: tuple[date, ...] = ()
    exdates: tuple[date, ...] = ()
    description: str = ""
    level: str = "debutant"
    themes: tuple[str, ...] = ()
    capacity: int = 10
    registration_mode: str = "session"
    counsellor_ids: tuple[int, ...] = ()
    external_animators: tuple[str, ...] = ()
    offer_minutes: int = 1440
    cutoff_minutes: int = 120
    status: str = "published"
    skip_holidays: bool = True

    @property
    def recurrence(self) -> Recurrence:
        return Recurrence(
            first_day=self.first_day,
            rrule=self.rrule,
            until=self.until,
            rdates=self.rdates,
            exdates=self.exdates,
        )


@dataclass(frozen=True, slots=True)
class PlannedSession:
    day: date
    start: datetime  # UTC
    end: datetime
    excluded: str = ""  # why the day yields no session ("" when it does)


def _text(value: str, field: str, label: str, limit: int, *, required: bool = False) -> str:
    text = " ".join(unicodedata.normalize("NFC", value or "").split())
    if required and not text:
        raise InvalidInput(f"Indiquez {label}.", field=field)
    if len(text) > limit:
        raise InvalidInput(
            f"{label[0].upper()}{label[1:]} : {limit} caractères au plus.", field=field
        )
    return text


def _bounded(value: int, field: str, low: int, high: int, label: str) -> int:
    if not low <= value <= high:
        raise InvalidInput(f"{label} : entre {low} et {high}.", field=field)
    return value


def clean_draft(draft: SeriesDraft) -> SeriesDraft:
    """The draft with texts normalised and its rule canonical; InvalidInput names the field."""
    try:
        rule = parse_rrule(draft.rrule)
    except ValueError as exc:
        raise InvalidInput(f"La récurrence n'est pas valide ({exc}).", field="rrule") from exc
    if draft.level not in LEVELS:
        raise InvalidInput("Niveau inconnu.", field="level")
    if draft.registration_mode not in MODES:
        raise InvalidInput("Mode d'inscription inconnu.", field="registration_mode")
    if draft.status not in STATUSES:
        raise InvalidInput("Statut inconnu.", field="status")
    if draft.end_time <= draft.start_time:
        raise InvalidInput("L'heure de fin doit suivre l'heure de début.", field="end_time")
    length = datetime.combine(draft.first_day, draft.end_time) - datetime.combine(
        draft.first_day, draft.start_time
    )
    if length > MAX_LENGTH:
        raise InvalidInput("Une séance dure dix heures au plus.", field="end_time")
    if draft.until is not None and draft.until < draft.first_day:
        raise InvalidInput("La date de fin précède la première date.", field="until")
    if rule and draft.until is None and "COUNT=" not in rule:
        raise InvalidInput("Indiquez une date de fin ou un nombre de séances.", field="until")
    themes = tuple(
        dict.fromkeys(t for t in (_text(x, "themes", "un thème", 60) for x in draft.themes) if t)
    )
    if len(themes) > MAX_THEMES:
        raise InvalidInput(f"{MAX_THEMES} thèmes au plus.", field="themes")
    animators = tuple(
        dict.fromkeys(
            a
            for a in (
                _text(x, "external_animators", "un intervenant", 120)
                for x in draft.external_animators
            )
            if a
        )
    )
    return replace(
        draft,
        rrule=rule,
        themes=themes,
        external_animators=animators,
        title=_text(draft.title, "title", "le titre de l'atelier", 200, required=True),
        description=_text(draft.description, "description", "la description", 2000),
        capacity=_bounded(draft.capacity, "capacity", 1, MAX_CAPACITY, "Nombre de places"),
        offer_minutes=_bounded(
            draft.offer_minutes,
            "offer_minutes",
            15,
            10080,
            "Délai pour confirmer une place (minutes)",
        ),
        cutoff_minutes=_bounded(
            draft.cutoff_minutes,
            "cutoff_minutes",
            0,
            10080,
            "Clôture des inscriptions (minutes avant)",
        ),
        counsellor_ids=tuple(sorted(set(draft.counsellor_ids))),
        rdates=tuple(sorted(set(draft.rdates))),
        exdates=tuple(sorted(set(draft.exdates))),
    )


def plan_sessions(
    draft: SeriesDraft, *, tz: ZoneInfo, holiday_region: str, now: datetime
) -> list[PlannedSession]:
    """Every day of the recurrence with its UTC span; past days and (unless told otherwise)
    public holidays are listed with the reason they yield no session."""
    planned: list[PlannedSession] = []
    for day in islice(iter_occurrence_dates(draft.recurrence), 3 * MAX_SESSIONS):
        span = local_span(day, draft.start_time, draft.end_time, tz)
        if span is None:
            continue
        holiday = holiday_name(holiday_region, day) if draft.skip_holidays else None
        reason = f"jour férié ({holiday})" if holiday else "date passée" if span[0] <= now else ""
        planned.append(PlannedSession(day, span[0], span[1], reason))
    if sum(1 for p in planned if not p.excluded) > MAX_SESSIONS:
        raise InvalidInput(f"Une série compte {MAX_SESSIONS} séances au plus.", field="until")
    return planned


def included(planned: list[PlannedSession]) -> list[PlannedSession]:
    return [p for p in planned if not p.excluded]


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(ch if ch.isalnum() else " " for ch in ascii_text.lower()).split()
    return "-".join(words)[:120].rstrip("-") or "atelier"
