"""The cache's bookkeeping: lifetime, generations, bounded size, shared misses, failures.
(That its answers equal fresh searches, on both engines, is in tests/integration.)"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from booking.services.availability_changes import Version
from booking.services.slot_cache import SlotCache

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


class Changes:
    """Stands for ``AvailabilityChanges``: a version the test moves by hand."""

    def __init__(self) -> None:
        self.current: Version | None = Version(1)

    async def version(self) -> Version | None:
        return self.current

    def latest(self) -> Version | None:
        return self.current

    def everything(self) -> None:
        assert self.current is not None
        self.current = Version(self.current.overall + 1, self.current.by_counsellor)

    def counsellor(self, counsellor_id: int) -> None:
        assert self.current is not None
        seen = dict(self.current.by_counsellor)
        seen[counsellor_id] = seen.get(counsellor_id, 0) + 1
        self.current = Version(self.current.overall, seen)


class Computations:
    def __init__(self) -> None:
        self.calls: list[datetime] = []
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, now: datetime) -> str:
        self.calls.append(now)
        await self.release.wait()
        return f"computed at {now:%H:%M:%S}"


def cache(changes: Changes, **options: Any) -> SlotCache[str]:
    """Every value depends on counsellors 1 and 2."""
    return SlotCache(changes, lambda _: (1, 2), **options)


async def test_entries_live_for_their_ttl_within_one_generation() -> None:
    changes, compute = Changes(), Computations()
    slots = cache(changes, ttl=timedelta(seconds=60))
    first = await slots.get_or_compute("k", T0, compute)
    assert first is not None and first.value == "computed at 07:00:00"
    assert await slots.get_or_compute("k", T0 + timedelta(seconds=59), compute) is first
    assert len(compute.calls) == 1
    await slots.get_or_compute("k", T0 + timedelta(seconds=60), compute)  # expired
    await slots.get_or_compute("k", T0 + timedelta(seconds=59), compute)  # clock went back
    assert compute.calls == [T0, T0 + timedelta(seconds=60), T0 + timedelta(seconds=59)]
    assert (slots.hits, slots.misses) == (1, 3)


async def test_a_change_of_everything_forgets_every_entry() -> None:
    changes, compute = Changes(), Computations()
    slots = cache(changes)
    await slots.get_or_compute("a", T0, compute)
    changes.everything()
    await slots.get_or_compute("a", T0, compute)
    assert len(compute.calls) == 2


async def test_an_entry_computed_across_a_change_is_not_kept() -> None:
    changes, compute = Changes(), Computations()
    slots = cache(changes)
    compute.release.clear()
    pending = asyncio.create_task(slots.get_or_compute("a", T0, compute))
    await asyncio.sleep(0)
    changes.counsellor(2)  # written while the search read the old state
    compute.release.set()
    assert (await pending) is not None  # answered (as fresh as an uncached search)...
    await slots.get_or_compute("a", T0, compute)
    assert len(compute.calls) == 2  # ...but not kept


async def test_without_a_trusted_generation_nothing_is_cached() -> None:
    changes, compute = Changes(), Computations()
    changes.current = None
    slots = cache(changes)
    assert await slots.get_or_compute("a", T0, compute) is None
    assert compute.calls == []
    assert await cache(Changes(), max_entries=0).get_or_compute("a", T0, compute) is None


async def test_concurrent_misses_share_one_computation() -> None:
    changes, compute = Changes(), Computations()
    slots = cache(changes)
    compute.release.clear()
    waiting = [asyncio.create_task(slots.get_or_compute("a", T0, compute)) for _ in range(20)]
    await asyncio.sleep(0)
    compute.release.set()
    entries = await asyncio.gather(*waiting)
    assert len(compute.calls) == 1
    assert all(e is entries[0] for e in entries)


async def test_the_least_recently_used_entry_goes_first() -> None:
    changes, compute = Changes(), Computations()
    slots = cache(changes, max_entries=2)
    await slots.get_or_compute("a", T0, compute)
    await slots.get_or_compute("b", T0, compute)
    await slots.get_or_compute("a", T0, compute)  # a is now the most recent
    await slots.get_or_compute("c", T0, compute)  # b goes
    await slots.get_or_compute("a", T0, compute)
    await slots.get_or_compute("b", T0, compute)
    assert len(compute.calls) == 4


async def test_a_failed_computation_reaches_every_waiter_and_is_not_kept() -> None:
    changes = Changes()
    slots = cache(changes)
    release = asyncio.Event()
    calls = 0

    async def failing(now: datetime) -> str:
        nonlocal calls
        calls += 1
        await release.wait()
        raise LookupError("unknown service")

    waiting = [asyncio.create_task(slots.get_or_compute("a", T0, failing)) for _ in range(3)]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(r, LookupError) for r in results) and calls == 1
    with pytest.raises(LookupError):
        await slots.get_or_compute("a", T0, failing)
    assert calls == 2


async def test_a_counsellor_s_change_only_drops_the_entries_involving_them() -> None:
    changes, compute = Changes(), Computations()
    slots = cache(changes)
    await slots.get_or_compute("a", T0, compute)
    changes.counsellor(3)  # not involved
    await slots.get_or_compute("a", T0, compute)
    assert len(compute.calls) == 1
    changes.counsellor(2)
    await slots.get_or_compute("a", T0, compute)
    assert len(compute.calls) == 2
