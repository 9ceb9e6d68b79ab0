"""Property-based tests: compute_slots against a slow, candidate-by-candidate oracle."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.slots import BusyMap, RuleSpec, ServiceSpec, Slot, compute_slots, find_slot
from calendars.holidays import public_holidays
from calendars.intervals import Interval, IntervalSet
from calendars.recurrence import Recurrence, is_unambiguous_local, local_span, occurrence_dates

# Whole-hour offsets only, so every candidate start is a multiple of 5 minutes in UTC.
ZONES = ("Europe/Paris", "America/Miquelon", "Indian/Reunion", "America/Guadeloupe")
REGIONS = ("", "6AE", "57", "971", "974")
DST_DAYS = (
    date(2026, 3, 29),  # Paris spring forward
    date(2026, 10, 25),  # Paris fall back
    date(2026, 3, 8),  # Miquelon spring forward
)
ANCHORS = (
    date(2026, 4, 3),  # Good Friday
    date(2026, 12, 24),
    date(2026, 6, 1),
)
RRULES = (
    "",
    "FREQ=DAILY",
    "FREQ=DAILY;INTERVAL=2",
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE,SA,SU",
    "FREQ=WEEKLY;BYDAY=SU",
    "FREQ=MONTHLY;BYDAY=1TU,-1SU",
)
FIVE = timedelta(minutes=5)


@dataclass(frozen=True)
class Case:
    rules: list[RuleSpec]
    service: ServiceSpec
    busy: dict[int, list[Interval]]
    closed: dict[int, list[Interval]]
    now: datetime
    window_start: datetime
    window_end: datetime
    respect_notice: bool

    def busy_map(self) -> BusyMap:
        return BusyMap(
            {k: IntervalSet(v) for k, v in self.busy.items()},
            {k: IntervalSet(v) for k, v in self.closed.items()},
        )


def fives(low: int, high: int) -> st.SearchStrategy[timedelta]:
    return st.integers(low, high).map(lambda n: n * FIVE)


@st.composite
def cases(draw: st.DrawFn, dst_night: bool = False) -> Case:
    """Random rules, service, busy time and clock; ``dst_night`` focuses on the nights
    of DST changes (rules between 00:00 and 06:00 local, window around that day)."""
    if dst_night:
        base = draw(st.sampled_from(DST_DAYS))
    else:
        anchor = draw(st.sampled_from(DST_DAYS) | st.sampled_from(ANCHORS))
        base = anchor + timedelta(days=draw(st.integers(-2, 2)))
    midnight = datetime.combine(base, time(), UTC)

    def near(days_before: int, days_after: int) -> date:
        return base + timedelta(days=draw(st.integers(-days_before, days_after)))

    rules = []
    for rule_id in range(1, draw(st.integers(1, 4)) + 1):
        start = draw(fives(0, 48) if dst_night else fives(0, 48) | fives(0, 12 * 22)) // FIVE * 5
        end = min(start + draw(st.integers(6, 48 if dst_night else 96)) * 5, 23 * 60 + 55)
        rec = Recurrence(
            first_day=near(20, 0),
            rrule=draw(st.just("FREQ=DAILY") | st.sampled_from(RRULES)),
            until=near(0, 10) if draw(st.booleans()) else None,
            rdates=tuple(near(1, 3) for _ in range(draw(st.integers(0, 2)))),
            exdates=tuple(near(2, 8) for _ in range(draw(st.integers(0, 2)))),
        )
        rules.append(
            RuleSpec(
                id=rule_id,
                counsellor_id=draw(st.sampled_from((1, 2))),
                venue_id=draw(st.sampled_from((10, 20))),
                service_ids=draw(st.just(frozenset()) | st.frozensets(st.sampled_from((1, 2)))),
                tz=draw(st.sampled_from(ZONES[:2]) if dst_night else st.sampled_from(ZONES)),
                holiday_region=draw(st.sampled_from(REGIONS)),
                start_time=time(start // 60, start % 60),
                end_time=time(end // 60, end % 60),
                recurrence=rec,
            )
        )
    service = ServiceSpec(
        id=draw(st.sampled_from((1, 2))),
        duration=draw(fives(1, 24)),
        buffer_before=draw(fives(0, 6)),
        buffer_after=draw(fives(0, 6)),
        step=draw(st.none() | fives(1, 18)),
        min_notice=draw(fives(0, 36)),
        horizon=timedelta(hours=draw(st.integers(1, 240) | st.just(240))),
    )

    def spans(count: int) -> list[Interval]:
        out = []
        for _ in range(count):
            start = midnight + draw(st.integers(-12 * 24, 12 * 24 * 8)) * FIVE
            out.append(Interval(start, start + draw(fives(1, 48))))
        return out

    busy = {c: spans(draw(st.integers(0, 12))) for c in (1, 2)}
    closed = {v: spans(draw(st.integers(0, 3))) for v in (10, 20)}
    now = midnight + timedelta(minutes=draw(st.integers(-2 * 1440, 1440)))
    window_start = now + timedelta(minutes=draw(st.integers(-1440, 1440)))
    window_end = window_start + timedelta(minutes=draw(st.integers(360, 5 * 1440)))
    if dst_night:
        now = midnight - timedelta(days=1, minutes=draw(st.integers(0, 600)))
        window_start, window_end = midnight - timedelta(hours=12), midnight + timedelta(hours=36)
    return Case(rules, service, busy, closed, now, window_start, window_end, draw(st.booleans()))


def oracle(case: Case) -> list[Slot]:
    """Every candidate checked on its own, with plain zone conversions and linear scans."""
    svc = case.service
    step = svc.step or svc.duration
    found: dict[tuple[datetime, int, int], int] = {}
    for rule in case.rules:
        if rule.service_ids and svc.id not in rule.service_ids:
            continue
        tz = ZoneInfo(rule.tz)
        day = case.window_start.astimezone(tz).date() - timedelta(days=1)
        while day <= case.window_end.astimezone(tz).date() + timedelta(days=1):
            span = local_span(day, rule.start_time, rule.end_time, tz)
            holidays = public_holidays(rule.holiday_region, [day.year])
            if span and occurrence_dates(rule.recurrence, day, day) and day not in holidays:
                wall = datetime.combine(day, rule.start_time)
                while wall < datetime.combine(day, rule.end_time):
                    if _ok(case, rule, wall, tz, span):
                        key = (
                            wall.replace(tzinfo=tz).astimezone(UTC),
                            rule.counsellor_id,
                            rule.venue_id,
                        )
                        found[key] = min(found.get(key, rule.id), rule.id)
                    wall += step
            day += timedelta(days=1)
    return [Slot(s, s + svc.duration, c, v, r) for (s, c, v), r in sorted(found.items())]


def _ok(
    case: Case, rule: RuleSpec, wall: datetime, tz: ZoneInfo, span: tuple[datetime, datetime]
) -> bool:
    svc = case.service
    if wall.replace(tzinfo=tz).utcoffset() != wall.replace(tzinfo=tz, fold=1).utcoffset():
        return False
    start = wall.replace(tzinfo=tz).astimezone(UTC)
    end = start + svc.duration
    earliest_ok = start >= case.now + svc.min_notice if case.respect_notice else start > case.now
    widened = (start - svc.buffer_before, end + svc.buffer_after)
    return (
        span[0] <= start
        and end <= span[1]
        and case.window_start <= start < case.window_end
        and earliest_ok
        and start <= case.now + svc.horizon
        and not any(
            b.start < widened[1] and widened[0] < b.end for b in case.busy[rule.counsellor_id]
        )
        and not any(c.start < end and start < c.end for c in case.closed[rule.venue_id])
    )


def run(case: Case, limit: int | None = None) -> list[Slot]:
    return compute_slots(
        case.rules,
        case.service,
        case.busy_map(),
        window_start=case.window_start,
        window_end=case.window_end,
        now=case.now,
        respect_notice=case.respect_notice,
        limit=limit,
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_compute_slots_matches_the_oracle(case: Case) -> None:
    assert run(case) == oracle(case)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(dst_night=True))
def test_compute_slots_matches_the_oracle_on_dst_nights(case: Case) -> None:
    assert run(case) == oracle(case)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), limit=st.integers(1, 30))
def test_slot_invariants_and_find_slot(case: Case, limit: int) -> None:
    slots = run(case)
    svc = case.service
    keys = [(s.start, s.counsellor_id, s.venue_id) for s in slots]
    assert all(a < b for a, b in pairwise(keys))  # sorted and unique
    assert run(case, limit) == slots[:limit]
    rules = {rule.id: rule for rule in case.rules}
    for slot in slots:
        rule = rules[slot.rule_id]
        tz = ZoneInfo(rule.tz)
        assert (slot.counsellor_id, slot.venue_id) == (rule.counsellor_id, rule.venue_id)
        assert not rule.service_ids or svc.id in rule.service_ids
        assert slot.start.utcoffset() == timedelta(0)
        assert slot.end - slot.start == svc.duration
        # Inside one occurrence of the rule, in local time.
        day = slot.start.astimezone(tz).date()
        assert occurrence_dates(rule.recurrence, day, day) == [day]
        assert day not in public_holidays(rule.holiday_region, [day.year])
        span = local_span(day, rule.start_time, rule.end_time, tz)
        assert span is not None and span[0] <= slot.start and slot.end <= span[1]
        assert is_unambiguous_local(slot.start, tz)
        # Outside busy time widened by the buffers, and outside venue closures.
        widened = (slot.start - svc.buffer_before, slot.end + svc.buffer_after)
        assert not any(
            b.start < widened[1] and widened[0] < b.end for b in case.busy[slot.counsellor_id]
        )
        assert not any(
            c.start < slot.end and slot.start < c.end for c in case.closed[slot.venue_id]
        )
        # Within the window, the notice and the horizon.
        assert case.window_start <= slot.start < case.window_end
        assert slot.start <= case.now + svc.horizon
        if case.respect_notice:
            assert slot.start >= case.now + svc.min_notice
        else:
            assert slot.start > case.now
    busy = case.busy_map()
    for slot in slots[:: max(1, len(slots) // 12)]:

        def find(start: datetime, slot: Slot = slot) -> Slot | None:
            return find_slot(
                case.rules,
                svc,
                busy,
                start=start,
                counsellor_id=slot.counsellor_id,
                venue_id=slot.venue_id,
                now=case.now,
                respect_notice=case.respect_notice,
            )

        assert find(slot.start) == slot
        # Grids are made of 5-minute multiples here: one minute off is never a slot.
        assert find(slot.start + timedelta(minutes=1)) is None
        assert find(slot.start - timedelta(minutes=1)) is None
