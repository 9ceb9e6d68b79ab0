"""Short French dates for SMS: "mar. 3 déc. à 14h00", in the commune's local time.

Day and month abbreviations come from babel (CLDR, locale fr_FR, format context), normalised
(NFC, lower case, single ordinary spaces) so the output does not depend on CLDR spacing
details. The first day of a month is written "1er", as French usage wants.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel.dates import get_day_names, get_month_names

_LOCALE = "fr_FR"


def _normalise(word: str) -> str:
    return " ".join(unicodedata.normalize("NFC", word).lower().split())


@cache
def _day_abbreviations() -> tuple[str, ...]:
    names = get_day_names("abbreviated", context="format", locale=_LOCALE)
    return tuple(_normalise(names[weekday]) for weekday in range(7))  # 0 = Monday


@cache
def _month_abbreviations() -> tuple[str, ...]:
    names = get_month_names("abbreviated", context="format", locale=_LOCALE)
    return tuple(_normalise(names[month]) for month in range(1, 13))


def _local(start: datetime, tz: ZoneInfo) -> datetime:
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be timezone-aware")
    return start.astimezone(tz)


def format_day(start: datetime, tz: ZoneInfo) -> str:
    """ "mar. 3 déc.", "dim. 1er mars" (local day in ``tz``)."""
    local = _local(start, tz)
    day = "1er" if local.day == 1 else str(local.day)
    weekday = _day_abbreviations()[local.weekday()]
    month = _month_abbreviations()[local.month - 1]
    return f"{weekday} {day} {month}"


def format_time(start: datetime, tz: ZoneInfo) -> str:
    """ "9h05", "14h00" (local time in ``tz``)."""
    local = _local(start, tz)
    return f"{local.hour}h{local.minute:02d}"


def format_when(start: datetime, tz: ZoneInfo) -> str:
    """ "mar. 3 déc. à 14h00" (local day and time in ``tz``)."""
    return f"{format_day(start, tz)} à {format_time(start, tz)}"
