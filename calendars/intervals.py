"""Half-open intervals of aware instants and a set of them with fast overlap queries."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """``[start, end)`` between two timezone-aware instants; empty when ``start == end``."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Interval bounds must be timezone-aware datetimes")
        if self.end < self.start:
            raise ValueError(f"Interval ends before it starts: {self.start} > {self.end}")

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


def merge_intervals(items: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping intervals covering the same instants (touching ones are joined).

    Empty intervals are dropped; bounds are normalised to UTC.
    """
    spans = sorted(
        (item.start.astimezone(UTC), item.end.astimezone(UTC))
        for item in items
        if item.start < item.end
    )
    merged: list[Interval] = []
    if not spans:
        return merged
    cur_start, cur_end = spans[0]
    for start, end in spans[1:]:
        if start <= cur_end:
            if end > cur_end:
                cur_end = end
        else:
            merged.append(Interval(cur_start, cur_end))
            cur_start, cur_end = start, end
    merged.append(Interval(cur_start, cur_end))
    return merged


class IntervalSet:
    """An immutable union of intervals; ``overlaps`` costs one bisection."""

    __slots__ = ("_ends", "_items", "_starts")

    def __init__(self, items: Iterable[Interval] = ()) -> None:
        self._items: tuple[Interval, ...] = tuple(merge_intervals(items))
        self._starts: list[datetime] = [item.start for item in self._items]
        self._ends: list[datetime] = [item.end for item in self._items]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """True when ``[start, end)`` shares at least one instant with the set."""
        if end <= start:
            return False
        # Merged intervals have increasing ends too: the last one starting before `end`
        # is the only candidate.
        index = bisect_left(self._starts, end) - 1
        return index >= 0 and self._ends[index] > start

    def __iter__(self) -> Iterator[Interval]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __repr__(self) -> str:
        return f"IntervalSet({list(self._items)!r})"


EMPTY_INTERVAL_SET = IntervalSet()
