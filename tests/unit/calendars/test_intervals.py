from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendars.intervals import Interval, IntervalSet, merge_intervals

T0 = datetime(2026, 6, 1, tzinfo=UTC)


def iv(a: int, b: int) -> Interval:
    """An interval from minute ``a`` to minute ``b`` after T0."""
    return Interval(T0 + timedelta(minutes=a), T0 + timedelta(minutes=b))


def test_interval_rejects_naive_and_reversed_bounds() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(datetime(2026, 6, 1), datetime(2026, 6, 2))
    with pytest.raises(ValueError, match="ends before it starts"):
        iv(10, 5)


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], []),
        ([iv(0, 10)], [iv(0, 10)]),
        ([iv(20, 30), iv(0, 10)], [iv(0, 10), iv(20, 30)]),
        ([iv(0, 10), iv(5, 15)], [iv(0, 15)]),
        ([iv(0, 10), iv(10, 20)], [iv(0, 20)]),  # touching intervals are joined
        ([iv(0, 30), iv(5, 10), iv(12, 14)], [iv(0, 30)]),  # nested
        ([iv(5, 5), iv(7, 9)], [iv(7, 9)]),  # empty interval dropped
        ([iv(0, 5), iv(3, 4), iv(6, 8), iv(7, 12), iv(20, 21)], [iv(0, 5), iv(6, 12), iv(20, 21)]),
    ],
)
def test_merge_intervals(items: list[Interval], expected: list[Interval]) -> None:
    assert merge_intervals(items) == expected


def test_merge_intervals_normalises_to_utc() -> None:
    paris = ZoneInfo("Europe/Paris")
    local = Interval(datetime(2026, 6, 1, 10, tzinfo=paris), datetime(2026, 6, 1, 11, tzinfo=paris))
    (merged,) = merge_intervals([local])
    assert merged.start.tzinfo is UTC
    assert merged.start == datetime(2026, 6, 1, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ((0, 10), True),  # same span
        ((10, 20), False),  # starts where the busy span ends (half-open)
        ((-10, 0), False),  # ends where the busy span starts
        ((-10, 1), True),
        ((9, 20), True),
        ((2, 3), True),  # inside
        ((-5, 50), True),  # covers
        ((25, 35), True),  # second interval
        ((20, 25), False),  # gap between the two
        ((5, 5), False),  # empty query
        ((60, 70), False),
    ],
)
def test_interval_set_overlaps_is_half_open(query: tuple[int, int], expected: bool) -> None:
    busy = IntervalSet([iv(0, 10), iv(25, 40)])
    start, end = T0 + timedelta(minutes=query[0]), T0 + timedelta(minutes=query[1])
    assert busy.overlaps(start, end) is expected


def test_interval_set_iter_len_and_empty() -> None:
    busy = IntervalSet([iv(5, 10), iv(0, 6), iv(30, 31)])
    assert len(busy) == 2
    assert list(busy) == [iv(0, 10), iv(30, 31)]
    empty = IntervalSet([])
    assert len(empty) == 0
    assert not empty
    assert not empty.overlaps(T0, T0 + timedelta(days=1))


spans = st.tuples(st.integers(0, 200), st.integers(0, 40)).map(lambda p: iv(p[0], p[0] + p[1]))


@settings(max_examples=100)
@given(items=st.lists(spans, max_size=20), query=spans)
def test_interval_set_matches_brute_force(items: list[Interval], query: Interval) -> None:
    expected = any(item.overlaps(query) for item in items if item.start < item.end)
    if query.start == query.end:
        expected = False
    assert IntervalSet(items).overlaps(query.start, query.end) is expected
    merged = merge_intervals(items)
    assert all(a.end < b.start for a, b in pairwise(merged))
    minutes = {m for item in items for m in range(*_minutes(item))}
    assert minutes == {m for item in merged for m in range(*_minutes(item))}


def _minutes(item: Interval) -> tuple[int, int]:
    return (
        int((item.start - T0).total_seconds() // 60),
        int((item.end - T0).total_seconds() // 60),
    )


PARIS = ZoneInfo("Europe/Paris")


@settings(max_examples=100)
@given(items=st.lists(spans, max_size=20), local=st.lists(st.booleans(), max_size=20))
def test_from_spans_is_the_same_set(items: list[Interval], local: list[bool]) -> None:
    """Plain pairs, some in a local zone (absences), make the set ``IntervalSet`` makes."""
    pairs = [
        (i.start.astimezone(PARIS), i.end.astimezone(PARIS)) if n < len(local) and local[n]
        else (i.start, i.end)
        for n, i in enumerate(items)
    ]
    fast, reference = IntervalSet.from_spans(pairs), IntervalSet(items)
    assert list(fast) == list(reference)
    assert all(i.start.tzinfo is UTC for i in fast)
    assert len(fast) == len(reference) and bool(fast) is bool(reference)


def test_from_spans_rejects_naive_instants() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        IntervalSet.from_spans([(datetime(2026, 6, 1), datetime(2026, 6, 2))])


@settings(max_examples=200)
@given(
    items=st.lists(spans, max_size=20),
    moment=st.integers(-20, 260),
    before=st.integers(0, 30),
    after=st.integers(1, 60),
)
def test_clear_from_is_the_first_free_moment(
    items: list[Interval], moment: int, before: int, after: int
) -> None:
    """Against a minute-by-minute scan (every bound here is a whole minute)."""
    busy = IntervalSet(items)
    found = busy.clear_from(T0 + timedelta(minutes=moment), timedelta(minutes=before),
                            timedelta(minutes=after))
    t = moment
    while busy.overlaps(T0 + timedelta(minutes=t - before), T0 + timedelta(minutes=t + after)):
        t += 1
    assert found == T0 + timedelta(minutes=t)
