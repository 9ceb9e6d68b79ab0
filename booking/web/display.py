"""How dates, times and phone numbers are shown on pages (French, plain words)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from booking.phones import display_phone
from notifications.datetime_fr import format_time

_LOCALE = "fr_FR"


def long_day(day: date) -> str:
    """ "mardi 24 novembre 2026" """
    return format_date(day, "EEEE d MMMM y", locale=_LOCALE)


def day_of(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def when(moment: datetime, tz: ZoneInfo) -> str:
    """ "mardi 24 novembre 2026 à 9h00" """
    return f"{long_day(day_of(moment, tz))} à {format_time(moment, tz)}"


def time_range(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """ "9h00 – 9h45" """
    return f"{format_time(start, tz)} – {format_time(end, tz)}"


def mask_phone(e164: str) -> str:
    """ "06 •• •• •• 78": enough to recognise a number, not to use it."""
    try:
        shown = display_phone(e164)
    except Exception:
        return "••"
    groups = shown.split(" ")
    if len(groups) < 3:
        return "•• " + shown[-2:]
    return " ".join([groups[0], *("••" for _ in groups[1:-1]), groups[-1]])
