"""Half-open intervals of aware instants and a set of them with fast overlap queries."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


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
    starts, ends = _merged((item.start, item.end) for item in items)
    return [Interval(start, end) for start, end in zip(starts, ends, strict=True)]


def _merged(spans: Iterable[tuple[datetime, datetime]]) -> tuple[list[datetime], list[datetime]]:
    """Starts and ends (UTC) of the union of ``(start, end)`` pairs; empty pairs dropped."""
    ordered = sorted((_as_utc(start), _as_utc(end)) for start, end in spans if start < end)
    starts: list[datetime] = []
    ends: list[datetime] = []
    for begin, finish in ordered:
        if ends and begin <= ends[-1]:
            if finish > ends[-1]:
                ends[-1] = finish
        else:
            starts.append(begin)
            ends.append(finish)
    return starts, ends


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("Interval bounds must be timezone-aware datetimes")
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


class IntervalSet:
    """An immutable union of intervals; ``overlaps`` costs one bisection."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, items: Iterable[Interval] = ()) -> None:
        self._starts, self._ends = _merged((item.start, item.end) for item in items)

    @classmethod
    def from_spans(cls, spans: Iterable[tuple[datetime, datetime]]) -> IntervalSet:
        """The union of plain ``(start, end)`` pairs of aware instants, without building an
        ``Interval`` per pair (the hot path of availability: hundreds of appointments)."""
        made = cls.__new__(cls)
        made._starts, made._ends = _merged(spans)
        return made

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """True when ``[start, end)`` shares at least one instant with the set."""
        if end <= start:
            return False
        # Merged intervals have increasing ends too: the last one starting before `end`
        # is the only candidate.
        index = bisect_left(self._starts, end) - 1
        return index >= 0 and self._ends[index] > start

    def clear_from(self, moment: datetime, before: timedelta, after: timedelta) -> datetime:
        """The earliest ``t >= moment`` such that ``[t - before, t + after)`` overlaps no
        interval (``before >= 0``, ``after > 0``)."""
        starts, ends = self._starts, self._ends
        index = bisect_right(ends, moment - before)  # the first interval ending later
        while index < len(starts) and starts[index] < moment + after:
            moment = ends[index] + before
            index += 1
        return moment

    def __iter__(self) -> Iterator[Interval]:
        return (Interval(start, end) for start, end in zip(self._starts, self._ends, strict=True))

    def __len__(self) -> int:
        return len(self._starts)

    def __bool__(self) -> bool:
        return bool(self._starts)

    def __repr__(self) -> str:
        return f"IntervalSet({list(self)!r})"


EMPTY_INTERVAL_SET = IntervalSet()
