"""Recurring days (RFC 5545 RRULE through dateutil) and DST-safe local spans (zoneinfo)."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from calendars.localtime import is_unambiguous_local, local_span

__all__ = [
    "Recurrence",
    "is_unambiguous_local",
    "iter_occurrence_dates",
    "local_span",
    "occurrence_dates",
    "parse_rrule",
    "preview_occurrences",
]


@dataclass(frozen=True, slots=True)
class Recurrence:
    """Which days a rule applies to.

    With an ``rrule``, ``first_day`` only bounds the rule (as in dateutil, it is not an
    occurrence unless the rule matches it); with ``rrule == ""`` the only days are
    ``first_day`` and ``rdates``. ``until`` (inclusive) bounds ``first_day`` and the rule;
    ``rdates`` are explicit extra days (RFC 5545 RDATE), ``exdates`` always win.
    """

    first_day: date
    rrule: str = ""
    until: date | None = None
    rdates: tuple[date, ...] = ()
    exdates: tuple[date, ...] = ()


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FREQS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
_KEY_ORDER = (
    "FREQ",
    "INTERVAL",
    "COUNT",
    "BYMONTH",
    "BYWEEKNO",
    "BYYEARDAY",
    "BYMONTHDAY",
    "BYDAY",
    "BYSETPOS",
    "WKST",
)
# Signed ranges of the integer list parts.
_INT_LISTS = {
    "BYMONTH": (1, 12, False),
    "BYWEEKNO": (1, 53, True),
    "BYYEARDAY": (1, 366, True),
    "BYMONTHDAY": (1, 31, True),
    "BYSETPOS": (1, 366, True),
}
_INT_RE = re.compile(r"[+-]?\d{1,4}")
_BYDAY_RE = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
# A 28-year span without a skipped leap year holds every calendar pattern: a rule that
# yields nothing there yields nothing at all (and dateutil would scan until year 9999).
_PROBE_START = datetime(9972, 1, 1)


def _int(key: str, raw: str, low: int, high: int, signed: bool) -> int:
    if not _INT_RE.fullmatch(raw):
        raise ValueError(f"{key} expects integers, got {raw!r}")
    value = int(raw)
    if not (low <= abs(value) <= high) or (value < 0 and not signed):
        bounds = f"±{low}..{high}" if signed else f"{low}..{high}"
        raise ValueError(f"{key} value {value} is out of range {bounds}")
    return value


def _byday(raw: str, freq: str) -> list[str]:
    days: list[tuple[int, int]] = []
    for token in raw.split(","):
        match = _BYDAY_RE.fullmatch(token)
        if not match:
            raise ValueError(f"BYDAY expects days like MO, TU or 1TU, -1FR; got {token!r}")
        ordinal = int(match.group(1) or 0)
        if ordinal and freq not in ("MONTHLY", "YEARLY"):
            raise ValueError("BYDAY with an ordinal (1TU) needs FREQ=MONTHLY or FREQ=YEARLY")
        if abs(ordinal) > (5 if freq == "MONTHLY" else 53):
            raise ValueError(f"BYDAY ordinal {ordinal} is out of range")
        days.append((_WEEKDAYS.index(match.group(2)), ordinal))
    return [f"{ordinal or ''}{_WEEKDAYS[day]}" for day, ordinal in sorted(set(days))]


def _normalise(text: str) -> str:
    body = text.strip().upper()
    body = body.removeprefix("RRULE:")
    parts: dict[str, str] = {}
    for chunk in filter(None, (c.strip() for c in body.split(";"))):
        key, sep, value = chunk.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise ValueError(f"Malformed rule part {chunk!r}: expected KEY=VALUE")
        if key in parts:
            raise ValueError(f"{key} appears twice")
        parts[key] = value
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValueError("COUNT and UNTIL cannot be used together")
    if "UNTIL" in parts:
        raise ValueError("UNTIL is not allowed in the rule: use the separate end date")
    if "DTSTART" in parts:
        raise ValueError("DTSTART is not allowed in the rule: use the separate first day")
    for key in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        if key in parts:
            raise ValueError(f"{key} is not allowed: times of day come from the rule's hours")
    unknown = sorted(set(parts) - set(_KEY_ORDER))
    if unknown:
        raise ValueError(f"Unknown rule part(s): {', '.join(unknown)}")
    freq = parts.get("FREQ")
    if freq is None:
        raise ValueError("FREQ is required (DAILY, WEEKLY, MONTHLY or YEARLY)")
    if freq in ("HOURLY", "MINUTELY", "SECONDLY"):
        raise ValueError(f"FREQ={freq} is finer than a day: use DAILY, WEEKLY, MONTHLY or YEARLY")
    if freq not in _FREQS:
        raise ValueError(f"Unknown FREQ {freq!r}: use DAILY, WEEKLY, MONTHLY or YEARLY")
    out: dict[str, str] = {"FREQ": freq}
    for key in ("INTERVAL", "COUNT"):
        if key in parts:
            out[key] = str(_int(key, parts[key], 1, 9999, False))
    if out.get("INTERVAL") == "1":
        del out["INTERVAL"]
    for key, (low, high, signed) in _INT_LISTS.items():
        if key in parts:
            values = {_int(key, raw, low, high, signed) for raw in parts[key].split(",")}
            out[key] = ",".join(str(v) for v in sorted(values))
    if "BYWEEKNO" in out and freq != "YEARLY":
        raise ValueError("BYWEEKNO needs FREQ=YEARLY")
    if "BYDAY" in parts:
        out["BYDAY"] = ",".join(_byday(parts["BYDAY"], freq))
    if "BYSETPOS" in out and not any(k.startswith("BY") and k != "BYSETPOS" for k in out):
        raise ValueError("BYSETPOS needs another BYxxx part (e.g. BYDAY)")
    if "WKST" in parts:
        if parts["WKST"] not in _WEEKDAYS:
            raise ValueError(f"WKST expects a weekday (MO..SU), got {parts['WKST']!r}")
        out["WKST"] = parts["WKST"]
    return ";".join(f"{key}={out[key]}" for key in _KEY_ORDER if key in out)


@lru_cache(maxsize=1024)
def parse_rrule(text: str) -> str:
    """Validate an RRULE value (without ``RRULE:``) and return its canonical form.

    ``""`` stays ``""`` (no rule). Raises ``ValueError`` with an English message.
    """
    if not text.strip():
        return ""
    normal = _normalise(text)
    try:
        probe = rrulestr(normal, dtstart=_PROBE_START)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"Invalid rule {text!r}: {exc}") from exc
    if probe.after(_PROBE_START, inc=True) is None:
        raise ValueError(f"The rule {normal!r} never produces any date")
    return normal


@lru_cache(maxsize=1024)
def _compiled(rule_text: str, first_day: date) -> rrule:
    rule = rrulestr(parse_rrule(rule_text), dtstart=datetime.combine(first_day, time()), cache=True)
    if not isinstance(rule, rrule):  # pragma: no cover - a single RRULE value gives an rrule
        raise TypeError(f"Expected one rule, got {type(rule).__name__}")
    return rule


def occurrence_dates(rec: Recurrence, start: date, end: date) -> list[date]:
    """Days of ``rec`` within ``[start, end]`` (inclusive), sorted and unique."""
    return list(_occurrence_days(rec, start, end))


@lru_cache(maxsize=8192)
def _occurrence_days(rec: Recurrence, start: date, end: date) -> tuple[date, ...]:
    """Kept: every slot search expands the same rules over the same days (they move daily)."""
    if end < start:
        return ()
    days: set[date] = {d for d in rec.rdates if start <= d <= end}
    low = max(start, rec.first_day)
    high = min(end, rec.until) if rec.until is not None else end
    if low <= high:
        if rec.rrule:
            rule = _compiled(rec.rrule, rec.first_day)
            lo_dt, hi_dt = datetime.combine(low, time()), datetime.combine(high, time())
            days.update(moment.date() for moment in rule.between(lo_dt, hi_dt, inc=True))
        elif low == rec.first_day:
            days.add(rec.first_day)
    days.difference_update(rec.exdates)
    return tuple(sorted(days))


def iter_occurrence_dates(rec: Recurrence) -> Iterator[date]:
    """Every day of ``rec`` in order, lazily (may be infinite)."""
    rule_days: Iterator[date]
    if rec.rrule:
        moments = _compiled(rec.rrule, rec.first_day).xafter(
            datetime.combine(rec.first_day, time()), inc=True
        )
        rule_days = (moment.date() for moment in moments)
    else:
        rule_days = iter((rec.first_day,))
    if rec.until is not None:
        rule_days = _stop_after(rule_days, rec.until)
    excluded = set(rec.exdates)
    previous: date | None = None
    for day in heapq.merge(rule_days, sorted(set(rec.rdates))):
        if day != previous and day not in excluded:
            yield day
        previous = day


def _stop_after(days: Iterator[date], last: date) -> Iterator[date]:
    for day in days:
        if day > last:
            return
        yield day


def preview_occurrences(
    rec: Recurrence, start_time: time, end_time: time, tz: ZoneInfo, limit: int
) -> list[tuple[datetime, datetime]]:
    """The first ``limit`` occurrences as UTC ``(start, end)`` pairs, skipping days whose
    span vanishes in a DST change (at most ``10 * limit + 100`` days are looked at)."""
    if limit <= 0 or end_time <= start_time:
        return []
    days = islice(iter_occurrence_dates(rec), 10 * limit + 100)
    spans = (local_span(day, start_time, end_time, tz) for day in days)
    return list(islice((span for span in spans if span is not None), limit))
