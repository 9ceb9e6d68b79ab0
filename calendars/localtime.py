"""Local wall times and UTC instants in a zone, safe across DST changes (zoneinfo).

tzdata transitions after 1970 are at least two days apart, so a span of less than a day
meets at most one of them.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def wall_offset(wall: datetime, tz: ZoneInfo) -> timedelta | None:
    """The UTC offset of a naive wall time that exists exactly once in ``tz``, else None
    (None in a DST gap or fold)."""
    first = wall.replace(tzinfo=tz, fold=0).utcoffset()
    second = wall.replace(tzinfo=tz, fold=1).utcoffset()
    return first if first == second else None


def _transition_in(low: datetime, high: datetime, tz: ZoneInfo) -> datetime:
    """The instant in ``(low, high]`` where the UTC offset of ``tz`` changes (whole seconds)."""
    before = low.astimezone(tz).utcoffset()
    lo, hi = math.floor(low.timestamp()), math.ceil(high.timestamp())
    while hi - lo > 1:
        middle = (lo + hi) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == before:
            lo = middle
        else:
            hi = middle
    return datetime.fromtimestamp(hi, UTC)


def wall_to_utc(wall: datetime, tz: ZoneInfo, *, later: bool) -> datetime:
    """UTC instant of a naive local wall time.

    A time in a DST gap maps to the end of the gap (when the clock jumps); an ambiguous
    time maps to its later occurrence when ``later`` is true, else to its earlier one.
    """
    off0 = wall.replace(tzinfo=tz, fold=0).utcoffset()
    off1 = wall.replace(tzinfo=tz, fold=1).utcoffset()
    assert off0 is not None and off1 is not None
    naive = wall.replace(tzinfo=None, fold=0)
    if off0 == off1:
        return (naive - off0).replace(tzinfo=UTC)
    first, second = (naive - off0).replace(tzinfo=UTC), (naive - off1).replace(tzinfo=UTC)
    if off0 > off1:  # clocks went back: the wall time shows twice
        return second if later else first
    return _transition_in(second, first, tz)  # clocks jumped forward over this wall time


def local_span(day: date, start: time, end: time, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """UTC instants of the local ``[start, end)`` on ``day``; None when empty.

    Bounds in a DST gap move to the end of the gap; ambiguous bounds take the occurrence
    that keeps the span shortest (later start, earlier end).
    """
    if start.tzinfo is not None or end.tzinfo is not None:
        raise ValueError("local_span expects naive local times of day")
    if end <= start:
        return None
    begin = wall_to_utc(datetime.combine(day, start), tz, later=True)
    finish = wall_to_utc(datetime.combine(day, end), tz, later=False)
    return (begin, finish) if begin < finish else None


def is_unambiguous_local(moment_utc: datetime, tz: ZoneInfo) -> bool:
    """True when the local wall time of this instant exists exactly once in ``tz``."""
    if moment_utc.tzinfo is None:
        raise ValueError("is_unambiguous_local expects an aware datetime")
    wall = moment_utc.astimezone(tz).replace(tzinfo=None, fold=0)
    return wall_offset(wall, tz) is not None
