"""A per-process cache of full slot searches, valid for one availability generation.

An entry holds every slot of a service in a scope from the moment it was computed to the
end of the horizon plus ``ttl``; any later request within ``ttl`` is answered by cutting
that list (``compute_slots`` keeps each candidate's start independent of the window, so a
cut of the long list is exactly the short one). An entry is used only while the
availability generation (``availability_changes``) is the one it was computed under, and
concurrent misses on one key share one computation.

Booking never reads this cache: acceptance re-checks live, inside its write transaction.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")

DEFAULT_TTL = timedelta(seconds=60)


class Generations(Protocol):
    """What the cache needs of ``AvailabilityChanges``."""

    async def generation(self) -> int | None: ...

    def latest(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Entry(Generic[T]):
    value: T
    generation: int
    computed_at: datetime  # the ``now`` of the computation


class SlotCache(Generic[T]):
    """Least recently used entries, at most ``max_entries`` (0: never cache)."""

    def __init__(
        self, changes: Generations, *, max_entries: int = 256,
        ttl: timedelta = DEFAULT_TTL,
    ) -> None:
        self.changes = changes
        self.max_entries = max_entries
        self.ttl = ttl
        self._entries: OrderedDict[Hashable, Entry[T]] = OrderedDict()
        self._pending: dict[Hashable, tuple[int, asyncio.Future[Entry[T]]]] = {}
        self.hits = self.misses = 0

    async def get_or_compute(
        self, key: Hashable, now: datetime, compute: Callable[[datetime], Awaitable[T]]
    ) -> Entry[T] | None:
        """The entry for ``key`` usable at ``now``, computing it (``compute(now)``) on a miss;
        None when the cache cannot be trusted now (the caller computes without it)."""
        generation = await self.changes.generation() if self.max_entries else None
        if generation is None:
            return None
        entry = self._entries.get(key)
        if entry is not None and self._usable(entry, generation, now):
            self._entries.move_to_end(key)
            self.hits += 1
            return entry
        pending = self._pending.get(key)
        if pending is not None and pending[0] == generation:
            shared = await asyncio.shield(pending[1])
            if self._usable(shared, generation, now):
                return shared
        self.misses += 1
        return await self._compute(key, generation, now, compute)

    async def _compute(
        self, key: Hashable, generation: int, now: datetime,
        compute: Callable[[datetime], Awaitable[T]],
    ) -> Entry[T]:
        future: asyncio.Future[Entry[T]] = asyncio.get_running_loop().create_future()
        self._pending[key] = (generation, future)
        try:
            entry = Entry(await compute(now), generation, now)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            if self._pending.get(key, (None, None))[1] is future:
                del self._pending[key]
        future.set_result(entry)
        if self.changes.latest() == generation:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return entry

    def _usable(self, entry: Entry[T], generation: int, now: datetime) -> bool:
        return (
            entry.generation == generation
            and entry.computed_at <= now < entry.computed_at + self.ttl
        )

    def clear(self) -> None:
        self._entries.clear()
