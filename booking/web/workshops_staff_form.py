"""The staff form creating a workshop series: its choices, and its reading into a draft."""

from __future__ import annotations

from typing import Any

from booking.auth.permissions import Principal
from booking.auth.scopes import conventions_of_commune, conventions_of_counsellor
from booking.services.workshop_plan import LEVELS, MODES, SeriesDraft
from booking.tables import (
    Convention,
    ConventionCommune,
    ConventionCounsellor,
    Venue,
)
from booking.web.availability_form import parse_day, parse_time
from booking.web.forms import FieldErrors, number, text

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQUENCIES = {
    "once": "Une seule date",
    "weekly": "Chaque semaine",
    "biweekly": "Toutes les deux semaines",
    "rrule": "Règle avancée (RRULE)",
}
FIELDS = (
    "convention",
    "venue",
    "title",
    "description",
    "level",
    "themes",
    "capacity",
    "registration_mode",
    "start_time",
    "end_time",
    "first_day",
    "frequency",
    "count",
    "until",
    "rrule",
    "exdates",
    "external_animators",
    "offer_minutes",
    "cutoff_minutes",
    "status",
)
DEFAULTS = {
    "level": "debutant",
    "capacity": "10",
    "registration_mode": "session",
    "start_time": "14:00",
    "end_time": "16:00",
    "frequency": "weekly",
    "count": "10",
    "offer_minutes": "1440",
    "cutoff_minutes": "120",
    "status": "published",
    "counsellors": [],
}


async def options(principal: Principal) -> dict[str, list[dict[str, Any]]]:
    """Conventions, venues and counsellors the principal may plan workshops with."""
    if principal.admin:
        conventions = [r["id"] for r in await Convention.select(Convention.id)]
    else:
        found = set(principal.conventions)
        for commune in principal.communes:
            found |= await conventions_of_commune(commune)
        for counsellor in principal.counsellors:
            found |= await conventions_of_counsellor(counsellor)
        conventions = sorted(found)
    conv_rows = (
        await Convention.select(Convention.id, Convention.name)
        .where(Convention.id.is_in(conventions or [-1]))
        .order_by(Convention.name)
    )
    communes = [
        r["commune"]
        for r in await ConventionCommune.select(ConventionCommune.commune).where(
            ConventionCommune.convention.is_in(conventions or [-1])
        )
    ]
    venues = (
        await Venue.select(Venue.id, Venue.name, Venue.commune._.name.as_alias("commune"))
        .where(
            Venue.commune.is_in(communes or [-1]) & (Venue.active == True)  # noqa: E712
        )
        .order_by(Venue.name)
    )
    counsellors = await ConventionCounsellor.select(
        ConventionCounsellor.counsellor,
        ConventionCounsellor.counsellor._.first_name,
        ConventionCounsellor.counsellor._.last_name,
    ).where(ConventionCounsellor.convention.is_in(conventions or [-1]))
    seen: dict[int, str] = {}
    for c in counsellors:
        seen[c["counsellor"]] = f"{c['counsellor.first_name']} {c['counsellor.last_name']}"
    return {
        "conventions": [{"value": c["id"], "label": c["name"]} for c in conv_rows],
        "venues": [{"value": v["id"], "label": f"{v['name']} ({v['commune']})"} for v in venues],
        "counsellors": [
            {"value": k, "label": v} for k, v in sorted(seen.items(), key=lambda i: i[1])
        ],
        "levels": [{"value": k, "label": v} for k, v in LEVELS.items()],
        "modes": [{"value": k, "label": v} for k, v in MODES.items()],
        "frequencies": [{"value": k, "label": v} for k, v in FREQUENCIES.items()],
        "statuses": [
            {"value": "published", "label": "Publié (visible du public)"},
            {"value": "draft", "label": "Brouillon (invisible)"},
        ],
    }


def values_of(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: text(form, name, 2000 if name == "description" else 300) for name in FIELDS
    }
    values["counsellors"] = [v for v in (number(c) for c in form.getall("counsellors", [])) if v]
    values["force"] = form.get("force") == "oui"
    values["skip_holidays"] = form.get("skip_holidays") == "oui"
    return values


def _rrule(values: dict[str, Any], errors: FieldErrors, weekday: str) -> str:
    frequency = values["frequency"]
    if frequency == "once":
        return ""
    if frequency == "rrule":
        return str(values["rrule"])
    if frequency not in FREQUENCIES:
        errors.add("frequency", "Choisissez la fréquence.")
        return ""
    count = number(values["count"]) if values["count"] else None
    if values["count"] and count is None:
        errors.add("count", "Indiquez un nombre de séances, par exemple 10.")
    interval = ";INTERVAL=2" if frequency == "biweekly" else ""
    return f"FREQ=WEEKLY{interval};BYDAY={weekday}" + (f";COUNT={count}" if count else "")


def draft_of(values: dict[str, Any], errors: FieldErrors) -> SeriesDraft | None:
    """The draft, or None with the reasons in ``errors`` (field by field)."""
    convention, venue = number(values["convention"]), number(values["venue"])
    if convention is None:
        errors.add("convention", "Choisissez la convention.")
    if venue is None:
        errors.add("venue", "Choisissez le lieu.")
    if not values["title"]:
        errors.add("title", "Indiquez le titre de l'atelier.")
    start, end = parse_time(values["start_time"]), parse_time(values["end_time"])
    if start is None:
        errors.add("start_time", "Indiquez l'heure de début, par exemple 14:00.")
    if end is None:
        errors.add("end_time", "Indiquez l'heure de fin, par exemple 16:00.")
    first_day = parse_day(values["first_day"])
    if first_day is None:
        errors.add("first_day", "Indiquez la première date, par exemple 24/11/2026.")
    until = parse_day(values["until"]) if values["until"] else None
    if values["until"] and until is None:
        errors.add("until", "Indiquez la date de fin, par exemple 30/06/2027.")
    numbers = {}
    for name, label in (
        ("capacity", "le nombre de places"),
        ("offer_minutes", "le délai de confirmation"),
        ("cutoff_minutes", "la clôture des inscriptions"),
    ):
        raw = values[name]
        numbers[name] = int(raw) if raw.isdigit() and len(raw) < 7 else None
        if numbers[name] is None:
            errors.add(name, f"Indiquez {label} en chiffres.")
    exdates = [parse_day(d) for d in values["exdates"].replace(",", "\n").splitlines() if d.strip()]
    if any(d is None for d in exdates):
        errors.add("exdates", "Une date exclue est illisible : écrivez-les comme 24/11/2026.")
    rrule = _rrule(values, errors, WEEKDAYS[first_day.weekday()] if first_day else "MO")
    if (
        errors
        or convention is None
        or venue is None
        or start is None
        or end is None
        or first_day is None
    ):
        return None
    return SeriesDraft(
        convention_id=convention,
        venue_id=venue,
        title=values["title"],
        description=values["description"],
        level=values["level"],
        themes=tuple(t.strip() for t in values["themes"].split(",") if t.strip()),
        capacity=numbers["capacity"] or 0,
        registration_mode=values["registration_mode"],
        start_time=start,
        end_time=end,
        first_day=first_day,
        rrule=rrule,
        until=until,
        exdates=tuple(d for d in exdates if d is not None),
        counsellor_ids=tuple(values["counsellors"]),
        external_animators=tuple(
            a.strip() for a in values["external_animators"].split(",") if a.strip()
        ),
        offer_minutes=numbers["offer_minutes"] or 0,
        cutoff_minutes=numbers["cutoff_minutes"] or 0,
        status=values["status"],
        skip_holidays=values["skip_holidays"],
    )
