from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendars.recurrence import (
    Recurrence,
    _compiled,
    is_unambiguous_local,
    iter_occurrence_dates,
    local_span,
    occurrence_dates,
    parse_rrule,
    preview_occurrences,
)

PARIS = ZoneInfo("Europe/Paris")
D = date


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("   ", ""),
        ("FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("freq=weekly;byday=th,tu", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        ("BYDAY=TU;FREQ=WEEKLY;INTERVAL=2", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        ("FREQ=MONTHLY;BYDAY=+1TU;", "FREQ=MONTHLY;BYDAY=1TU"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("FREQ=DAILY;INTERVAL=1", "FREQ=DAILY"),
        ("FREQ=DAILY;COUNT=5", "FREQ=DAILY;COUNT=5"),
        ("FREQ=MONTHLY;BYMONTHDAY=15,1,15", "FREQ=MONTHLY;BYMONTHDAY=1,15"),
        (
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        ),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),
        ("FREQ=WEEKLY;WKST=SU;BYDAY=SA", "FREQ=WEEKLY;BYDAY=SA;WKST=SU"),
    ],
)
def test_parse_rrule_normalises(text: str, expected: str) -> None:
    assert parse_rrule(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("FREQ=HOURLY", "finer than a day"),
        ("FREQ=MINUTELY;INTERVAL=30", "finer than a day"),
        ("FREQ=FORTNIGHTLY", "Unknown FREQ"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20260101", "COUNT and UNTIL cannot be used together"),
        ("FREQ=DAILY;UNTIL=20260101", "UNTIL is not allowed"),
        ("FREQ=DAILY;DTSTART=20260101", "DTSTART is not allowed"),
        ("FREQ=DAILY;BYHOUR=9", "BYHOUR is not allowed"),
        ("garbage", "expected KEY=VALUE"),
        ("FREQ=", "expected KEY=VALUE"),
        ("INTERVAL=2", "FREQ is required"),
        ("FREQ=DAILY;FREQ=WEEKLY", "appears twice"),
        ("FREQ=DAILY;COLOUR=RED", "Unknown rule part"),
        ("FREQ=DAILY;INTERVAL=0", "out of range"),
        ("FREQ=DAILY;INTERVAL=two", "expects integers"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY expects days"),
        ("FREQ=WEEKLY;BYDAY=1TU", "needs FREQ=MONTHLY"),
        ("FREQ=MONTHLY;BYDAY=6TU", "out of range"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "out of range"),
        ("FREQ=YEARLY;BYMONTH=13", "out of range"),
        ("FREQ=MONTHLY;BYWEEKNO=3", "BYWEEKNO needs FREQ=YEARLY"),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS needs another"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never produces any date"),
        ("FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31", "never produces any date"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", "never produces any date"),
    ],
)
def test_parse_rrule_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_rrule(text)


def test_occurrence_dates_rejects_an_invalid_stored_rule() -> None:
    with pytest.raises(ValueError, match="finer than a day"):
        occurrence_dates(Recurrence(D(2026, 1, 1), "FREQ=HOURLY"), D(2026, 1, 1), D(2026, 2, 1))


MARCH = (D(2026, 3, 1), D(2026, 3, 31))


@pytest.mark.parametrize(
    ("rec", "expected"),
    [
        pytest.param(
            Recurrence(D(2026, 3, 2), "FREQ=WEEKLY;BYDAY=TU,TH"),
            [3, 5, 10, 12, 17, 19, 24, 26, 31],
            id="weekly-chosen-days",
        ),
        pytest.param(
            Recurrence(D(2026, 3, 3), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
            [3, 17, 31],
            id="every-2-weeks",
        ),
        pytest.param(
            Recurrence(D(2026, 2, 24), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
            [10, 24],
            id="every-2-weeks-phase-from-first-day",
        ),
        pytest.param(Recurrence(D(2026, 1, 1), "FREQ=MONTHLY;BYDAY=1TU"), [3], id="first-tuesday"),
        pytest.param(Recurrence(D(2026, 1, 1), "FREQ=MONTHLY;BYDAY=-1FR"), [27], id="last-friday"),
        pytest.param(Recurrence(D(2026, 3, 12)), [12], id="one-off-first-day"),
        pytest.param(Recurrence(D(2026, 2, 20)), [], id="one-off-before-window"),
        pytest.param(
            Recurrence(D(2026, 3, 12), rdates=(D(2026, 3, 20), D(2026, 4, 2), D(2026, 3, 12))),
            [12, 20],
            id="one-off-rdates",
        ),
        pytest.param(
            Recurrence(D(2026, 3, 2), "FREQ=WEEKLY;BYDAY=TU,TH", exdates=(D(2026, 3, 10),)),
            [3, 5, 12, 17, 19, 24, 26, 31],
            id="exdates",
        ),
        pytest.param(
            Recurrence(D(2026, 3, 2), "FREQ=WEEKLY;BYDAY=TU,TH", until=D(2026, 3, 12)),
            [3, 5, 10, 12],
            id="until-inclusive",
        ),
        pytest.param(
            Recurrence(D(2026, 3, 16), "FREQ=WEEKLY;BYDAY=TU,TH"),
            [17, 19, 24, 26, 31],
            id="nothing-before-first-day",
        ),
        pytest.param(
            Recurrence(D(2026, 3, 2), "FREQ=WEEKLY;BYDAY=TU"),
            [3, 10, 17, 24, 31],
            id="first-day-not-matching-is-not-an-occurrence",
        ),
        pytest.param(
            Recurrence(
                D(2026, 3, 2),
                "FREQ=WEEKLY;BYDAY=MO",
                until=D(2026, 3, 10),
                rdates=(D(2026, 3, 25),),
                exdates=(D(2026, 3, 2), D(2026, 3, 25)),
            ),
            [9],
            id="exdates-beat-rdates",
        ),
        pytest.param(
            Recurrence(
                D(2026, 3, 2),
                "FREQ=WEEKLY;BYDAY=MO",
                until=D(2026, 3, 10),
                rdates=(D(2026, 3, 25),),
            ),
            [2, 9, 25],
            id="rdates-beyond-until",
        ),
        pytest.param(Recurrence(D(2026, 3, 2), "FREQ=DAILY;COUNT=3"), [2, 3, 4], id="count"),
        pytest.param(Recurrence(D(2026, 4, 1), "FREQ=DAILY"), [], id="starts-after-window"),
        pytest.param(Recurrence(D(2026, 1, 1), "FREQ=DAILY", until=D(2026, 2, 27)), [], id="ended"),
    ],
)
def test_occurrence_dates(rec: Recurrence, expected: list[int]) -> None:
    assert occurrence_dates(rec, *MARCH) == [D(2026, 3, day) for day in expected]


def test_occurrence_dates_window_is_inclusive_and_ordered() -> None:
    rec = Recurrence(D(2026, 1, 5), "FREQ=WEEKLY;BYDAY=MO,FR")
    assert occurrence_dates(rec, D(2026, 3, 6), D(2026, 3, 9)) == [D(2026, 3, 6), D(2026, 3, 9)]
    assert occurrence_dates(rec, D(2026, 3, 9), D(2026, 3, 6)) == []


def test_compiled_rules_are_cached() -> None:
    rec = Recurrence(D(2025, 1, 6), "FREQ=WEEKLY;BYDAY=WE")
    occurrence_dates(rec, D(2026, 1, 1), D(2026, 1, 31))
    hits = _compiled.cache_info().hits
    occurrence_dates(rec, D(2026, 2, 1), D(2026, 2, 28))
    assert _compiled.cache_info().hits == hits + 1


def test_iter_occurrence_dates_is_lazy_and_merges_rdates() -> None:
    rec = Recurrence(
        D(2026, 3, 2),
        "FREQ=WEEKLY;BYDAY=MO",
        rdates=(D(2026, 3, 4), D(2026, 3, 9)),
        exdates=(D(2026, 3, 16),),
    )
    first = list(islice(iter_occurrence_dates(rec), 5))
    assert first == [D(2026, 3, 2), D(2026, 3, 4), D(2026, 3, 9), D(2026, 3, 23), D(2026, 3, 30)]


rule_texts = st.sampled_from(
    [
        "",
        "FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH",
        "FREQ=MONTHLY;BYDAY=1TU",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "FREQ=WEEKLY;BYDAY=SA;COUNT=4",
    ]
)
days = st.dates(min_value=D(2025, 10, 1), max_value=D(2026, 6, 30))


@settings(max_examples=100)
@given(
    rule=rule_texts,
    first_day=days,
    until=st.none() | days,
    rdates=st.lists(days, max_size=3),
    exdates=st.lists(days, max_size=3),
    start=days,
    length=st.integers(0, 120),
)
def test_occurrence_dates_agree_with_lazy_iteration(
    rule: str,
    first_day: date,
    until: date | None,
    rdates: list[date],
    exdates: list[date],
    start: date,
    length: int,
) -> None:
    rec = Recurrence(first_day, rule, until, tuple(rdates), tuple(exdates))
    end = start + timedelta(days=length)
    listed = occurrence_dates(rec, start, end)
    lazy = []
    for day in iter_occurrence_dates(rec):
        if day > end:
            break
        if day >= start:
            lazy.append(day)
    assert listed == lazy
    assert not set(listed) & set(exdates)
    assert {d for d in rdates if start <= d <= end} - set(exdates) <= set(listed)
    for day in listed:
        if day not in rdates:
            assert day >= first_day
            assert until is None or day <= until


@pytest.mark.parametrize(
    ("day", "start", "end", "expected"),
    [
        pytest.param(
            D(2026, 6, 2), time(9), time(12), (utc(2026, 6, 2, 7), utc(2026, 6, 2, 10)), id="summer"
        ),
        pytest.param(
            D(2026, 1, 6), time(9), time(12), (utc(2026, 1, 6, 8), utc(2026, 1, 6, 11)), id="winter"
        ),
        pytest.param(
            D(2026, 3, 29),
            time(1),
            time(4),
            (utc(2026, 3, 29, 0), utc(2026, 3, 29, 2)),
            id="spring-forward-spans-the-gap",
        ),
        pytest.param(
            D(2026, 3, 29),
            time(2, 30),
            time(4),
            (utc(2026, 3, 29, 1), utc(2026, 3, 29, 2)),
            id="start-in-gap-moves-to-03:00",
        ),
        pytest.param(
            D(2026, 3, 29),
            time(1),
            time(2, 30),
            (utc(2026, 3, 29, 0), utc(2026, 3, 29, 1)),
            id="end-in-gap-moves-to-03:00",
        ),
        pytest.param(D(2026, 3, 29), time(2), time(2, 59), None, id="inside-the-gap"),
        pytest.param(
            D(2026, 10, 25),
            time(1),
            time(4),
            (utc(2026, 10, 24, 23), utc(2026, 10, 25, 3)),
            id="fall-back-spans-the-fold",
        ),
        pytest.param(
            D(2026, 10, 25),
            time(2, 30),
            time(4),
            (utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 3)),
            id="ambiguous-start-takes-later",
        ),
        pytest.param(
            D(2026, 10, 25),
            time(1),
            time(2, 30),
            (utc(2026, 10, 24, 23), utc(2026, 10, 25, 0, 30)),
            id="ambiguous-end-takes-earlier",
        ),
        pytest.param(D(2026, 10, 25), time(2), time(2, 30), None, id="inside-the-fold"),
        pytest.param(D(2026, 6, 2), time(12), time(12), None, id="empty"),
        pytest.param(D(2026, 6, 2), time(14), time(9), None, id="reversed"),
    ],
)
def test_local_span(
    day: date, start: time, end: time, expected: tuple[datetime, datetime] | None
) -> None:
    assert local_span(day, start, end, PARIS) == expected


def test_local_span_in_an_overseas_zone_without_dst() -> None:
    reunion = ZoneInfo("Indian/Reunion")
    assert local_span(D(2026, 3, 29), time(2, 30), time(4), reunion) == (
        utc(2026, 3, 28, 22, 30),
        utc(2026, 3, 29, 0),
    )


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc(2026, 6, 2, 7), True),
        (utc(2026, 3, 29, 0, 59), True),  # 01:59 CET
        (utc(2026, 3, 29, 1), True),  # 03:00 CEST, just after the gap
        (utc(2026, 10, 24, 23, 59), True),  # 01:59 CEST
        (utc(2026, 10, 25, 0), False),  # 02:00 CEST, shown again at 01:00 UTC
        (utc(2026, 10, 25, 0, 30), False),
        (utc(2026, 10, 25, 1, 30), False),  # 02:30 CET, second time
        (utc(2026, 10, 25, 2), True),  # 03:00 CET
    ],
)
def test_is_unambiguous_local(moment: datetime, expected: bool) -> None:
    assert is_unambiguous_local(moment, PARIS) is expected


def test_naive_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_unambiguous_local(datetime(2026, 6, 2, 7), PARIS)
    with pytest.raises(ValueError, match="naive"):
        local_span(D(2026, 6, 2), time(9, tzinfo=UTC), time(10), PARIS)


def test_preview_occurrences_lists_the_first_spans_in_utc() -> None:
    rec = Recurrence(D(2026, 3, 24), "FREQ=WEEKLY;BYDAY=TU,SU", exdates=(D(2026, 3, 31),))
    preview = preview_occurrences(rec, time(9), time(11, 30), PARIS, 3)
    assert preview == [
        (utc(2026, 3, 24, 8), utc(2026, 3, 24, 10, 30)),  # CET
        (utc(2026, 3, 29, 7), utc(2026, 3, 29, 9, 30)),  # CEST from that Sunday on
        (utc(2026, 4, 5, 7), utc(2026, 4, 5, 9, 30)),
    ]


@pytest.mark.parametrize(
    ("rec", "start", "end", "limit", "count"),
    [
        (Recurrence(D(2026, 3, 2), "FREQ=DAILY", until=D(2026, 3, 4)), time(9), time(10), 10, 3),
        (Recurrence(D(2026, 3, 2), "FREQ=DAILY"), time(9), time(10), 0, 0),
        (Recurrence(D(2026, 3, 2), "FREQ=DAILY"), time(10), time(9), 5, 0),
        (Recurrence(D(2026, 3, 2), rdates=(D(2026, 3, 9),)), time(9), time(10), 5, 2),
    ],
)
def test_preview_occurrences_limits(
    rec: Recurrence, start: time, end: time, limit: int, count: int
) -> None:
    assert len(preview_occurrences(rec, start, end, PARIS, limit)) == count


def test_preview_skips_days_whose_span_vanishes_and_stops() -> None:
    # Only the spring-forward Sundays, and only the hour that does not exist on them.
    rec = Recurrence(D(2026, 1, 1), "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU")
    assert preview_occurrences(rec, time(2), time(2, 30), PARIS, 3) == []
    assert len(preview_occurrences(rec, time(1), time(2, 30), PARIS, 3)) == 3
