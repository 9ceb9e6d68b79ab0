"""Free appointment slots: availability rules minus busy time, holidays and DST traps.

Pure: no database, no clock. The same ``compute_slots`` lists slots and, through
``find_slot``, accepts a booking.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from calendars.holidays import public_holidays
from calendars.intervals import EMPTY_INTERVAL_SET, IntervalSet
from calendars.localtime import local_span, wall_offset
from calendars.recurrence import Recurrence, occurrence_dates

_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: int
    counsellor_id: int
    venue_id: int
    service_ids: frozenset[int]  # empty = every service
    tz: str  # IANA zone of the venue's commune
    holiday_region: str  # a key of calendars.holidays.HOLIDAY_REGIONS
    start_time: time  # local, naive
    end_time: time
    recurrence: Recurrence

    def offers(self, service_id: int) -> bool:
        return not self.service_ids or service_id in self.service_ids


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    id: int
    duration: timedelta
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    step: timedelta | None = None  # default: duration
    min_notice: timedelta = timedelta(hours=2)
    horizon: timedelta = timedelta(days=60)

    def __post_init__(self) -> None:
        if self.duration <= timedelta(0):
            raise ValueError("Service duration must be positive")
        if self.step is not None and self.step <= timedelta(0):
            raise ValueError("Service step must be positive")
        if min(self.buffer_before, self.buffer_after, self.min_notice) < timedelta(0):
            raise ValueError("Service buffers and minimum notice cannot be negative")
        if self.horizon <= timedelta(0):
            raise ValueError("Service horizon must be positive")

    @property
    def effective_step(self) -> timedelta:
        return self.step if self.step is not None else self.duration


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    start: datetime  # UTC aware
    end: datetime
    counsellor_id: int
    venue_id: int
    rule_id: int


@dataclass(frozen=True, slots=True)
class BusyMap:
    """Busy time in UTC: per counsellor across every venue and convention (appointments
    already widened by their own buffers, workshop sessions animated, absences), and
    per venue (closures)."""

    by_counsellor: Mapping[int, IntervalSet]
    by_venue: Mapping[int, IntervalSet]


@dataclass(frozen=True, slots=True)
class _Bounds:
    lowest: datetime  # earliest allowed start (inclusive)
    below: datetime  # starts must be < below


def _utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.astimezone(UTC)


@lru_cache(maxsize=65536)
def _day_plan(
    day: date, start_time: time, end_time: time, tz: ZoneInfo
) -> tuple[datetime, datetime, bool] | None:
    """UTC span of one occurrence, and whether no DST change touches it (then the local
    grid is a plain UTC grid: tzdata transitions are days apart)."""
    span = local_span(day, start_time, end_time, tz)
    if span is None:
        return None
    offset = wall_offset(datetime.combine(day, start_time), tz)
    regular = offset is not None and offset == wall_offset(datetime.combine(day, end_time), tz)
    return span[0], span[1], regular


def _day_starts(
    rule: RuleSpec, day: date, tz: ZoneInfo, service: ServiceSpec, bounds: _Bounds,
    busy: IntervalSet,
) -> Iterator[datetime]:
    """Candidate UTC starts of one occurrence, on the local grid ``rule start + k * step``,
    whose local start exists exactly once and whose end fits in the occurrence. On the
    usual days (no DST change) starts that ``busy`` blocks are jumped over at once: a
    full day costs its busy intervals, not its candidates."""
    plan = _day_plan(day, rule.start_time, rule.end_time, tz)
    if plan is None:
        return
    span_start, span_end, regular = plan
    last = min(span_end - service.duration, bounds.below - _TICK)
    if last < max(span_start, bounds.lowest):
        return
    step = service.effective_step
    if regular:
        skip = -((span_start - bounds.lowest) // step) if bounds.lowest > span_start else 0
        start = span_start + skip * step
        reach = service.duration + service.buffer_after
        while start <= last:
            free = busy.clear_from(start, service.buffer_before, reach)
            if free > start:  # the first grid start at or after ``free``
                start = span_start - ((span_start - free) // step) * step
                continue
            yield start
            start += step
        return
    wall = datetime.combine(day, rule.start_time)
    wall_end = datetime.combine(day, rule.end_time)
    while wall < wall_end:
        offset = wall_offset(wall, tz)
        if offset is not None:
            start = (wall - offset).replace(tzinfo=UTC)
            if start > last:
                return
            if start >= span_start and start >= bounds.lowest:
                yield start
        wall += step


def _rule_slots(
    rule: RuleSpec, service: ServiceSpec, busy: BusyMap, bounds: _Bounds
) -> Iterator[Slot]:
    tz = ZoneInfo(rule.tz)
    first_day = bounds.lowest.astimezone(tz).date()
    last_day = bounds.below.astimezone(tz).date()
    days = occurrence_dates(rule.recurrence, first_day, last_day)
    if not days:
        return
    closed_days = public_holidays(rule.holiday_region, range(days[0].year, days[-1].year + 1))
    counsellor_busy = busy.by_counsellor.get(rule.counsellor_id, EMPTY_INTERVAL_SET)
    venue_closed = busy.by_venue.get(rule.venue_id, EMPTY_INTERVAL_SET)
    duration, before, after = service.duration, service.buffer_before, service.buffer_after
    for day in days:
        if day in closed_days:
            continue
        for start in _day_starts(rule, day, tz, service, bounds, counsellor_busy):
            end = start + duration
            if counsellor_busy.overlaps(start - before, end + after):
                continue
            if venue_closed.overlaps(start, end):
                continue
            yield Slot(start, end, rule.counsellor_id, rule.venue_id, rule.id)


def _order(slot: Slot) -> tuple[datetime, int, int, int]:
    return (slot.start, slot.counsellor_id, slot.venue_id, slot.rule_id)


def compute_slots(
    rules: Sequence[RuleSpec],
    service: ServiceSpec,
    busy: BusyMap,
    *,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    respect_notice: bool = True,
    limit: int | None = None,
) -> list[Slot]:
    """Free slots of ``service`` starting in ``[window_start, window_end)``.

    Starts are also kept within ``[now + min_notice, now + horizon]`` (staff bookings,
    ``respect_notice=False``: after ``now`` and within the horizon). Sorted by
    ``(start, counsellor_id, venue_id)``, one slot per such triple (lowest rule id).
    """
    now = _utc(now, "now")
    lowest = _utc(window_start, "window_start")
    lowest = max(lowest, now + service.min_notice if respect_notice else now + _TICK)
    below = min(_utc(window_end, "window_end"), now + service.horizon + _TICK)
    if below <= lowest or (limit is not None and limit <= 0):
        return []
    bounds = _Bounds(lowest, below)
    offered = [rule for rule in rules if rule.offers(service.id)]
    streams = [_rule_slots(rule, service, busy, bounds) for rule in offered]
    result: list[Slot] = []
    previous: tuple[datetime, int, int] | None = None
    for slot in heapq.merge(*streams, key=_order):
        key = (slot.start, slot.counsellor_id, slot.venue_id)
        if key == previous:
            continue
        previous = key
        result.append(slot)
        if limit is not None and len(result) >= limit:
            break
    return result


def find_slot(
    rules: Sequence[RuleSpec],
    service: ServiceSpec,
    busy: BusyMap,
    *,
    start: datetime,
    counsellor_id: int,
    venue_id: int,
    now: datetime,
    respect_notice: bool = True,
) -> Slot | None:
    """The slot ``compute_slots`` would list at exactly ``start`` for this counsellor and
    venue, or None: the acceptance check of a booking."""
    start = _utc(start, "start")
    mine = [r for r in rules if r.counsellor_id == counsellor_id and r.venue_id == venue_id]
    listed = compute_slots(
        mine,
        service,
        busy,
        window_start=start,
        window_end=start + _TICK,
        now=now,
        respect_notice=respect_notice,
    )
    return next((slot for slot in listed if slot.start == start), None)
