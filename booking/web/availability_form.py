"""Reading the availability-rule and absence forms into drafts, field by field."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from booking.services import rules
from booking.services.absences import AbsenceDraft
from booking.services.rules import RuleDraft
from booking.web.forms import FieldErrors, number, text


def parse_day(raw: str) -> date | None:
    """ISO (2026-11-24, from a date input) or French (24/11/2026)."""
    raw = raw.strip()
    try:
        if "/" in raw:
            day, month, year = (int(p) for p in raw.split("/"))
            return date(year, month, day)
        return date.fromisoformat(raw)
    except ValueError:
        return None


def parse_time(raw: str) -> time | None:
    try:
        return time.fromisoformat(raw.strip().replace("h", ":")) if raw.strip() else None
    except ValueError:
        return None


def rule_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: text(form, name, 40)
        for name in (
            "venue",
            "kind",
            "interval",
            "ordinal",
            "month_weekday",
            "first_day",
            "until",
            "start_time",
            "end_time",
        )
    }
    values["exdates"] = text(form, "exdates", 2000)
    values["services"] = [v for v in (number(s) for s in form.getall("services", [])) if v]
    values["weekdays"] = [d for d in form.getall("weekdays", []) if d in rules.WEEKDAYS]
    return values


def rule_draft(counsellor_id: int, values: dict[str, Any]) -> tuple[FieldErrors, RuleDraft | None]:
    errors = FieldErrors()
    venue = number(values["venue"])
    if venue is None:
        errors.add("venue", "Choisissez le lieu.")
    rrule = ""
    with errors.collect("kind", ("weekdays", "interval", "ordinal", "kind")):
        rrule = rules.build_rrule(
            values["kind"],
            values["weekdays"],
            number(values["interval"] or "1") or 0,
            values["ordinal"],
            values["month_weekday"],
        )
    first_day = parse_day(values["first_day"])
    if first_day is None:
        errors.add("first_day", "Indiquez le premier jour, par exemple 24/11/2026.")
    until = parse_day(values["until"]) if values["until"] else None
    if values["until"] and until is None:
        errors.add("until", "Indiquez la date de fin, par exemple 30/06/2027.")
    start, end = parse_time(values["start_time"]), parse_time(values["end_time"])
    if start is None:
        errors.add("start_time", "Indiquez l'heure de début, par exemple 09:00.")
    if end is None:
        errors.add("end_time", "Indiquez l'heure de fin, par exemple 12:00.")
    exdates = []
    for line in values["exdates"].replace(",", "\n").splitlines():
        if line.strip():
            day = parse_day(line)
            if day is None:
                errors.add("exdates", f"Date exclue illisible : « {line.strip()[:20]} ».")
            else:
                exdates.append(day)
    if errors or venue is None or first_day is None or start is None or end is None:
        return errors, None
    draft = RuleDraft(
        counsellor_id=counsellor_id,
        venue_id=venue,
        service_ids=tuple(values["services"]),
        start_time=start,
        end_time=end,
        rrule=rrule,
        first_day=first_day,
        until=until,
        exdates=tuple(exdates),
    )
    with errors.collect("kind", ("end_time", "until", "kind")):
        rules.check(draft)
    return errors, None if errors else draft


def absence_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: text(form, name, 40)
        for name in ("start_day", "start_time", "end_day", "end_time", "weekly_until")
    }
    values["reason"] = text(form, "reason", 200)
    return values


def absence_draft(
    counsellor_id: int, tz: str, values: dict[str, Any]
) -> tuple[FieldErrors, AbsenceDraft | None]:
    """Without times, an absence covers whole days (from midnight to the next midnight)."""
    errors = FieldErrors()
    zone = ZoneInfo(tz)
    first, last = (
        parse_day(values["start_day"]),
        parse_day(values["end_day"] or values["start_day"]),
    )
    if first is None:
        errors.add("start_day", "Indiquez le premier jour de l'absence.")
    if last is None:
        errors.add("end_day", "Indiquez le dernier jour de l'absence.")
    start_t = parse_time(values["start_time"]) if values["start_time"] else time(0)
    end_t = parse_time(values["end_time"]) if values["end_time"] else None
    if start_t is None:
        errors.add("start_time", "Heure de début illisible, par exemple 09:00.")
    if values["end_time"] and end_t is None:
        errors.add("end_time", "Heure de fin illisible, par exemple 17:00.")
    until = parse_day(values["weekly_until"]) if values["weekly_until"] else None
    if values["weekly_until"] and until is None:
        errors.add("weekly_until", "Date de fin de répétition illisible.")
    if errors or first is None or last is None or start_t is None:
        return errors, None
    starts = datetime.combine(first, start_t, zone)
    ends = (
        datetime.combine(last, end_t, zone)
        if end_t is not None
        else datetime.combine(last + timedelta(days=1), time(0), zone)
    )
    return errors, AbsenceDraft(
        counsellor_id=counsellor_id,
        starts_at=starts,
        ends_at=ends,
        timezone=tz,
        reason=values["reason"],
        weekly_until=until,
    )
