"""Example-based tests of the slot engine (June 2026, Europe/Paris, no DST change)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.slots import BusyMap, RuleSpec, ServiceSpec, Slot, compute_slots, find_slot
from calendars.holidays import region_for_insee
from calendars.intervals import Interval, IntervalSet
from calendars.recurrence import Recurrence

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
NOW = datetime(2026, 6, 1, 4, tzinfo=UTC)  # Monday 06:00 in Paris
NO_BUSY = BusyMap({}, {})
MIN = timedelta(minutes=1)


def at(day: int, hour: int, minute: int = 0, month: int = 6, tz: ZoneInfo = PARIS) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=tz).astimezone(UTC)


def rule(
    rule_id: int = 1,
    *,
    counsellor: int = 1,
    venue: int = 10,
    start: time = time(9),
    end: time = time(12),
    rrule: str = WEEKDAYS,
    first_day: date = date(2026, 1, 5),
    services: frozenset[int] = frozenset(),
    tz: str = "Europe/Paris",
    region: str = "",
    until: date | None = None,
    rdates: tuple[date, ...] = (),
    exdates: tuple[date, ...] = (),
) -> RuleSpec:
    rec = Recurrence(first_day, rrule, until, rdates, exdates)
    return RuleSpec(rule_id, counsellor, venue, services, tz, region, start, end, rec)


def service(minutes: int = 30, **kwargs: object) -> ServiceSpec:
    return ServiceSpec(1, timedelta(minutes=minutes), **kwargs)  # type: ignore[arg-type]


def busy_map(
    counsellors: dict[int, list[tuple[datetime, datetime]]] | None = None,
    venues: dict[int, list[tuple[datetime, datetime]]] | None = None,
) -> BusyMap:
    def sets(spans: dict[int, list[tuple[datetime, datetime]]] | None) -> dict[int, IntervalSet]:
        return {
            key: IntervalSet(Interval(*s) for s in value) for key, value in (spans or {}).items()
        }

    return BusyMap(sets(counsellors), sets(venues))


def on_day(
    rules: list[RuleSpec],
    svc: ServiceSpec,
    busy: BusyMap = NO_BUSY,
    *,
    day: int = 2,
    month: int = 6,
    now: datetime = NOW,
    **kwargs: object,
) -> list[Slot]:
    tz = ZoneInfo(rules[0].tz) if rules else PARIS
    start = datetime(2026, month, day, tzinfo=tz)
    return compute_slots(
        rules,
        svc,
        busy,
        window_start=start,
        window_end=start + timedelta(days=1),
        now=now,
        **kwargs,  # type: ignore[arg-type]
    )


def hours(slots: list[Slot], tz: ZoneInfo = PARIS) -> list[str]:
    return [slot.start.astimezone(tz).strftime("%H:%M") for slot in slots]


def test_basic_weekday_slots_are_utc_and_sorted() -> None:
    slots = on_day([rule()], service())
    assert hours(slots) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert slots[0] == Slot(at(2, 9), at(2, 9, 30), 1, 10, 1)
    assert all(slot.start.tzinfo is UTC and slot.end - slot.start == 30 * MIN for slot in slots)
    assert slots[0].start.astimezone(PARIS).utcoffset() == timedelta(hours=2)


def test_no_slot_on_days_outside_the_rule() -> None:
    assert on_day([rule()], service(), day=6) == []  # Saturday


@pytest.mark.parametrize(
    ("duration", "step", "expected"),
    [
        (30, None, ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]),
        (30, 45, ["09:00", "09:45", "10:30", "11:15"]),
        (60, 20, ["09:00", "09:20", "09:40", "10:00", "10:20", "10:40", "11:00"]),
        (45, None, ["09:00", "09:45", "10:30", "11:15"]),  # 11:15 + 45 min ends at 12:00
        (50, None, ["09:00", "09:50", "10:40"]),  # 11:30 + 50 min would end after 12:00
        (180, None, ["09:00"]),
        (181, None, []),
    ],
)
def test_step_and_duration(duration: int, step: int | None, expected: list[str]) -> None:
    svc = service(duration, step=None if step is None else step * MIN)
    assert hours(on_day([rule()], svc)) == expected


@pytest.mark.parametrize(
    ("now", "respect_notice", "expected"),
    [
        (at(2, 9, 10), True, ["11:30"]),  # 2 h notice: from 11:10
        (at(2, 9, 30), True, ["11:30"]),  # exactly now + notice is allowed
        (at(2, 9, 31), True, []),
        (at(2, 9, 10), False, ["09:30", "10:00", "10:30", "11:00", "11:30"]),  # staff: after now
        (at(2, 9, 30), False, ["10:00", "10:30", "11:00", "11:30"]),  # strictly after now
    ],
)
def test_minimum_notice(now: datetime, respect_notice: bool, expected: list[str]) -> None:
    slots = on_day([rule()], service(), now=now, respect_notice=respect_notice)
    assert hours(slots) == expected


@pytest.mark.parametrize("respect_notice", [True, False])
def test_horizon_is_inclusive(respect_notice: bool) -> None:
    svc = service(min_notice=timedelta(0), horizon=timedelta(days=1, hours=1))  # to 07:00 local
    slots = compute_slots(
        [rule()],
        svc,
        NO_BUSY,
        window_start=NOW,
        window_end=NOW + timedelta(days=10),
        now=NOW,
        respect_notice=respect_notice,
    )
    assert slots[-1].start == at(1, 11, 30)
    svc = service(min_notice=timedelta(0), horizon=timedelta(days=1, hours=3))  # to 09:00 local
    slots = compute_slots(
        [rule()],
        svc,
        NO_BUSY,
        window_start=NOW,
        window_end=NOW + timedelta(days=10),
        now=NOW,
        respect_notice=respect_notice,
    )
    assert slots[-1].start == at(2, 9)


def test_window_is_half_open_on_starts() -> None:
    slots = compute_slots(
        [rule()], service(), NO_BUSY, window_start=at(2, 10), window_end=at(2, 11), now=NOW
    )
    assert hours(slots) == ["10:00", "10:30"]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (0, 0, ["09:00", "09:30", "10:30", "11:00", "11:30"]),
        (15, 0, ["09:00", "09:30", "11:00", "11:30"]),  # 10:30 needs 10:15-10:30 free
        (0, 15, ["09:00", "10:30", "11:00", "11:30"]),  # 09:30 needs 10:00-10:15 free
        (15, 15, ["09:00", "11:00", "11:30"]),
        (60, 0, ["09:00", "09:30", "11:30"]),
    ],
)
def test_buffers_around_busy_time(before: int, after: int, expected: list[str]) -> None:
    busy = busy_map({1: [(at(2, 10), at(2, 10, 30))]})
    svc = service(buffer_before=before * MIN, buffer_after=after * MIN)
    assert hours(on_day([rule()], svc, busy)) == expected


@pytest.mark.parametrize(
    ("services", "offered"),
    [
        (frozenset(), True),
        (frozenset({1}), True),
        (frozenset({1, 2}), True),
        (frozenset({2}), False),
    ],
)
def test_service_filtering(services: frozenset[int], offered: bool) -> None:
    assert bool(on_day([rule(services=services)], service())) is offered


def test_busy_at_another_venue_blocks_every_venue_of_that_counsellor() -> None:
    rules = [
        rule(1, counsellor=1, venue=10),
        rule(2, counsellor=1, venue=20, start=time(10), end=time(11)),
        rule(3, counsellor=2, venue=10),
    ]
    # Counsellor 1 animates a workshop elsewhere (venue 30, another convention) 10:00-11:00.
    busy = busy_map({1: [(at(2, 10), at(2, 11))]})
    slots = on_day(rules, service(), busy)
    by_counsellor = {c: hours([s for s in slots if s.counsellor_id == c]) for c in (1, 2)}
    assert by_counsellor[1] == ["09:00", "09:30", "11:00", "11:30"]
    assert all(s.venue_id == 10 for s in slots if s.counsellor_id == 1)
    assert len(by_counsellor[2]) == 6


def test_venue_closure_blocks_only_that_venue_and_ignores_buffers() -> None:
    rules = [rule(1, venue=10), rule(2, venue=20, counsellor=2)]
    busy = busy_map(venues={10: [(at(2, 10, 30), at(2, 11))]})
    slots = on_day(rules, service(buffer_before=15 * MIN, buffer_after=15 * MIN), busy)
    assert hours([s for s in slots if s.venue_id == 10]) == [
        "09:00",
        "09:30",
        "10:00",
        "11:00",
        "11:30",
    ]
    assert len([s for s in slots if s.venue_id == 20]) == 6
    whole_day = busy_map(venues={10: [(at(2, 0), at(3, 0))]})
    assert {s.venue_id for s in on_day(rules, service(), whole_day)} == {20}


@pytest.mark.parametrize(
    ("insee", "tz", "month", "day", "closed"),
    [
        ("67482", "Europe/Paris", 4, 3, True),  # Strasbourg, Good Friday
        ("35238", "Europe/Paris", 4, 3, False),  # Rennes, Good Friday is a working day
        ("67482", "Europe/Paris", 12, 26, True),  # Strasbourg, Saint-Étienne
        ("35238", "Europe/Paris", 12, 26, False),
        ("35238", "Europe/Paris", 5, 1, True),  # Labour Day everywhere
        ("97411", "Indian/Reunion", 12, 20, True),  # La Réunion, abolition of slavery
        ("35238", "Europe/Paris", 12, 20, False),
    ],
)
def test_public_holidays_of_the_commune_region(
    insee: str, tz: str, month: int, day: int, closed: bool
) -> None:
    every_day = rule(rrule="FREQ=DAILY", tz=tz, region=region_for_insee(insee))
    now = datetime(2026, month, 1, tzinfo=UTC)
    slots = on_day([every_day], service(), day=day, month=month, now=now)
    assert (slots == []) is closed
    if not closed:
        assert hours(slots, ZoneInfo(tz))[0] == "09:00"


@pytest.mark.parametrize(
    ("rrule", "until", "rdates", "exdates", "days"),
    [
        ("FREQ=WEEKLY;BYDAY=TU,TH", None, (), (), [2, 4, 9, 11]),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", None, (), (), [9]),  # from Tuesday 2026-01-06
        ("FREQ=MONTHLY;BYDAY=1TU", None, (), (), [2]),
        ("", None, (date(2026, 6, 10),), (), [10]),
        ("FREQ=WEEKLY;BYDAY=TU,TH", None, (), (date(2026, 6, 4),), [2, 9, 11]),
        ("FREQ=WEEKLY;BYDAY=TU,TH", date(2026, 6, 9), (), (), [2, 4, 9]),
    ],
)
def test_recurrences_drive_the_days(
    rrule: str,
    until: date | None,
    rdates: tuple[date, ...],
    exdates: tuple[date, ...],
    days: list[int],
) -> None:
    rec_rule = rule(
        rrule=rrule, first_day=date(2026, 1, 6), until=until, rdates=rdates, exdates=exdates
    )
    svc = service(180)
    slots = compute_slots(
        [rec_rule], svc, NO_BUSY, window_start=at(1, 0), window_end=at(13, 0), now=NOW
    )
    assert [s.start.astimezone(PARIS).day for s in slots] == days


def test_overlapping_rules_are_unique_per_counsellor_and_venue() -> None:
    rules = [
        rule(5, venue=10, start=time(10), end=time(13)),
        rule(4, venue=10, start=time(9), end=time(11)),
        rule(6, venue=20, start=time(10), end=time(11)),
        rule(7, counsellor=2, venue=20, start=time(10), end=time(11)),
    ]
    slots = on_day(rules, service(60))
    keys = [(s.start, s.counsellor_id, s.venue_id) for s in slots]
    assert keys == sorted(set(keys))
    ten = [s for s in slots if s.start == at(2, 10)]
    assert [(s.counsellor_id, s.venue_id, s.rule_id) for s in ten] == [
        (1, 10, 4),  # lowest rule id kept for the duplicate
        (1, 20, 6),  # same counsellor, other venue: a distinct slot
        (2, 20, 7),
    ]
    assert hours([s for s in slots if s.venue_id == 10]) == ["09:00", "10:00", "11:00", "12:00"]


def test_limit_returns_the_first_slots() -> None:
    rules = [rule(1), rule(2, counsellor=2, start=time(9, 15), end=time(10, 15))]
    full = compute_slots(
        rules, service(), NO_BUSY, window_start=NOW, window_end=NOW + timedelta(days=7), now=NOW
    )
    for limit in (1, 3, 7):
        limited = compute_slots(
            rules,
            service(),
            NO_BUSY,
            window_start=NOW,
            window_end=NOW + timedelta(days=7),
            now=NOW,
            limit=limit,
        )
        assert limited == full[:limit]
    assert (
        compute_slots(
            rules,
            service(),
            NO_BUSY,
            window_start=NOW,
            window_end=NOW + timedelta(days=7),
            now=NOW,
            limit=0,
        )
        == []
    )


def test_find_slot_accepts_exactly_the_listed_slots() -> None:
    rules = [rule(1), rule(2, venue=20, start=time(14), end=time(16))]
    busy = busy_map({1: [(at(2, 10), at(2, 10, 30))]})
    svc = service()
    listed = on_day(rules, svc, busy)
    for slot in listed:
        found = find_slot(
            rules, svc, busy, start=slot.start, counsellor_id=1, venue_id=slot.venue_id, now=NOW
        )
        assert found == slot

    def find(
        start: datetime, venue: int = 10, now: datetime = NOW, respect_notice: bool = True
    ) -> Slot | None:
        return find_slot(
            rules,
            svc,
            busy,
            start=start,
            counsellor_id=1,
            venue_id=venue,
            now=now,
            respect_notice=respect_notice,
        )

    assert find(at(2, 9, 1)) is None  # off the 30-minute grid
    assert find(at(2, 10)) is None  # busy
    assert find(at(2, 14), venue=10) is None  # that hour is at venue 20
    assert find(at(2, 14), venue=20) == Slot(at(2, 14), at(2, 14, 30), 1, 20, 2)
    assert find(at(2, 11, 30), now=at(2, 10, 30)) is None  # inside the 2 h notice
    staff = find(at(2, 11, 30), now=at(2, 10, 30), respect_notice=False)
    assert staff == Slot(at(2, 11, 30), at(2, 12), 1, 10, 1)
    local_start = datetime(2026, 6, 2, 9, 30, tzinfo=PARIS)  # any aware zone is accepted
    assert find(local_start) == Slot(at(2, 9, 30), at(2, 10), 1, 10, 1)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        compute_slots(
            [rule()],
            service(),
            NO_BUSY,
            window_start=datetime(2026, 6, 2),
            window_end=at(3, 0),
            now=NOW,
        )
    with pytest.raises(ValueError, match="aware"):
        find_slot(
            [rule()],
            service(),
            NO_BUSY,
            start=datetime(2026, 6, 2, 9),
            counsellor_id=1,
            venue_id=10,
            now=NOW,
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"duration": timedelta(0)},
        {"duration": 30 * MIN, "step": timedelta(0)},
        {"duration": 30 * MIN, "buffer_before": -MIN},
        {"duration": 30 * MIN, "min_notice": -MIN},
        {"duration": 30 * MIN, "horizon": timedelta(0)},
    ],
)
def test_service_spec_validation(kwargs: dict[str, timedelta]) -> None:
    with pytest.raises(ValueError, match="Service"):
        ServiceSpec(1, **kwargs)


def test_unknown_holiday_region_is_an_error() -> None:
    with pytest.raises(ValueError, match="Unknown holiday region"):
        on_day([rule(region="Alsace")], service())
