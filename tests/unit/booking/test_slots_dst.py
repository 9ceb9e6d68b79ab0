"""Slots on DST change days: never at a nonexistent or ambiguous local time."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.slots import BusyMap, RuleSpec, ServiceSpec, Slot, compute_slots, find_slot
from calendars.recurrence import Recurrence, is_unambiguous_local

PARIS = ZoneInfo("Europe/Paris")
SPRING = date(2026, 3, 29)  # last Sunday of March: 02:00 CET -> 03:00 CEST
AUTUMN = date(2026, 10, 25)  # last Sunday of October: 03:00 CEST -> 02:00 CET
NO_BUSY = BusyMap({}, {})
H1, H2 = timedelta(hours=1), timedelta(hours=2)


def night_rule(
    start: time = time(1), end: time = time(4), tz: str = "Europe/Paris", rule_id: int = 1
) -> RuleSpec:
    rec = Recurrence(date(2026, 1, 1), "FREQ=WEEKLY;BYDAY=SA,SU")
    return RuleSpec(rule_id, 1, 10, frozenset(), tz, "", start, end, rec)


def day_slots(
    day: date, minutes: int = 30, step: int | None = None, rule: RuleSpec | None = None
) -> list[Slot]:
    rule = rule or night_rule()
    tz = ZoneInfo(rule.tz)
    svc = ServiceSpec(
        1,
        timedelta(minutes=minutes),
        step=None if step is None else timedelta(minutes=step),
        min_notice=timedelta(0),
    )
    start = datetime.combine(day, time(), tz)
    return compute_slots(
        [rule],
        svc,
        NO_BUSY,
        window_start=start,
        window_end=datetime.combine(day + timedelta(days=1), time(), tz),
        now=start - timedelta(days=1),
    )


def local_view(slots: list[Slot], tz: ZoneInfo = PARIS) -> list[tuple[str, timedelta | None]]:
    return [
        (slot.start.astimezone(tz).strftime("%H:%M"), slot.start.astimezone(tz).utcoffset())
        for slot in slots
    ]


@pytest.mark.parametrize(
    ("day", "minutes", "step", "expected"),
    [
        pytest.param(
            SPRING,
            30,
            None,
            [("01:00", H1), ("01:30", H1), ("03:00", H2), ("03:30", H2)],
            id="spring-30min",
        ),
        pytest.param(
            SPRING, 30, 45, [("01:00", H1), ("01:45", H1), ("03:15", H2)], id="spring-step-45"
        ),
        pytest.param(SPRING, 60, None, [("01:00", H1), ("03:00", H2)], id="spring-60min"),
        pytest.param(
            AUTUMN,
            30,
            None,
            [("01:00", H2), ("01:30", H2), ("03:00", H1), ("03:30", H1)],
            id="autumn-30min",
        ),
        pytest.param(AUTUMN, 60, None, [("01:00", H2), ("03:00", H1)], id="autumn-60min"),
        pytest.param(
            date(2026, 3, 28),
            60,
            None,
            [("01:00", H1), ("02:00", H1), ("03:00", H1)],
            id="day-before-spring",
        ),
        pytest.param(
            date(2026, 10, 24),
            60,
            None,
            [("01:00", H2), ("02:00", H2), ("03:00", H2)],
            id="day-before-autumn",
        ),
    ],
)
def test_dst_days_skip_missing_and_repeated_local_times(
    day: date, minutes: int, step: int | None, expected: list[tuple[str, timedelta]]
) -> None:
    slots = day_slots(day, minutes, step)
    assert local_view(slots) == expected
    for slot in slots:
        assert is_unambiguous_local(slot.start, PARIS)
        assert slot.end - slot.start == timedelta(minutes=minutes)
        assert slot.start.tzinfo is UTC


def test_spring_slot_before_the_gap_ends_at_the_jump() -> None:
    slots = day_slots(SPRING, 30)
    # 01:30 CET + 30 min = 03:00 CEST: a real half hour.
    assert slots[1].end == datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert slots[1].end.astimezone(PARIS).strftime("%H:%M") == "03:00"


def test_autumn_last_slot_fits_the_real_end_of_the_rule() -> None:
    slots = day_slots(AUTUMN, 30)
    assert slots[-1].end == datetime(2026, 10, 25, 3, tzinfo=UTC)  # 04:00 CET


@pytest.mark.parametrize(
    ("start", "end", "day", "expected"),
    [
        pytest.param(time(2, 30), time(5), SPRING, ["03:30"], id="rule-starts-in-gap"),
        pytest.param(time(2), time(2, 59), SPRING, [], id="rule-inside-gap"),
        pytest.param(time(2), time(3), AUTUMN, [], id="rule-inside-fold"),
        pytest.param(time(2, 30), time(5), AUTUMN, ["03:30"], id="rule-starts-in-fold"),
    ],
)
def test_rules_whose_bounds_fall_in_a_dst_change(
    start: time, end: time, day: date, expected: list[str]
) -> None:
    slots = day_slots(day, 60, rule=night_rule(start, end))
    assert [hour for hour, _ in local_view(slots)] == expected


def test_ambiguous_and_missing_starts_are_refused_by_find_slot() -> None:
    rule = night_rule(time(0), time(6))
    svc = ServiceSpec(
        1, timedelta(minutes=30), min_notice=timedelta(0), horizon=timedelta(days=365)
    )
    now = datetime(2026, 3, 1, tzinfo=UTC)

    def accepted(moment: datetime) -> bool:
        found = find_slot([rule], svc, NO_BUSY, start=moment, counsellor_id=1, venue_id=10, now=now)
        return found is not None

    assert accepted(datetime(2026, 10, 24, 23, 30, tzinfo=UTC))  # 01:30 CEST
    assert not accepted(datetime(2026, 10, 25, 0, tzinfo=UTC))  # 02:00 CEST, shown twice
    assert not accepted(datetime(2026, 10, 25, 1, tzinfo=UTC))  # 02:00 CET, second time
    assert accepted(datetime(2026, 10, 25, 2, tzinfo=UTC))  # 03:00 CET
    assert accepted(datetime(2026, 3, 29, 1, tzinfo=UTC))  # 03:00 CEST
    assert accepted(datetime(2026, 3, 29, 0, 30, tzinfo=UTC))  # 01:30 CET


def test_other_zones_use_their_own_transitions() -> None:
    # Saint-Pierre-et-Miquelon changes on the second Sunday of March at 02:00.
    miquelon = ZoneInfo("America/Miquelon")
    rule = night_rule(tz="America/Miquelon")
    slots = day_slots(date(2026, 3, 8), 60, rule=rule)
    assert [hour for hour, _ in local_view(slots, miquelon)] == ["01:00", "03:00"]
    # La Réunion has no DST: the Paris change day is an ordinary night there.
    reunion = night_rule(tz="Indian/Reunion")
    slots = day_slots(SPRING, 60, rule=reunion)
    assert [hour for hour, _ in local_view(slots, ZoneInfo("Indian/Reunion"))] == [
        "01:00",
        "02:00",
        "03:00",
    ]
