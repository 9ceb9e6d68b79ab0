"""A per-process cache of full slot searches, valid while nothing they depend on changed.

An entry holds every slot of a service in a scope from the moment it was computed to the
end of the horizon plus ``ttl``; any later request within ``ttl`` is answered by cutting
that list (``compute_slots`` keeps each candidate's start independent of the window, so a
cut of the long list is exactly the short one). An entry is used only while the
availability version (``availability_changes``) is the same for the counsellors it
involves, and concurrent misses on one key share one computation.

Booking never reads this cache: acceptance re-checks live, inside its write transaction.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from booking.services.availability_changes import Version

T = TypeVar("T")

DEFAULT_TTL = timedelta(seconds=60)


class Changes(Protocol):
    """What the cache needs of ``AvailabilityChanges``."""

    async def version(self) -> Version | None: ...

    def latest(self) -> Version | None: ...


@dataclass(frozen=True, slots=True)
class Entry(Generic[T]):
    value: T
    version: Version
    counsellors: Collection[int]  # whose changes make it stale
    computed_at: datetime  # the ``now`` of the computation


class SlotCache(Generic[T]):
    """Least recently used entries, at most ``max_entries`` (0: never cache);
    ``counsellors_of(value)`` names the counsellors a value depends on."""

    def __init__(
        self, changes: Changes, counsellors_of: Callable[[T], Collection[int]], *,
        max_entries: int = 256, ttl: timedelta = DEFAULT_TTL,
    ) -> None:
        self.changes = changes
        self.counsellors_of = counsellors_of
        self.max_entries = max_entries
        self.ttl = ttl
        self._entries: OrderedDict[Hashable, Entry[T]] = OrderedDict()
        self._pending: dict[Hashable, tuple[Version, asyncio.Future[Entry[T]]]] = {}
        self.hits = self.misses = 0

    async def get_or_compute(
        self, key: Hashable, now: datetime, compute: Callable[[datetime], Awaitable[T]]
    ) -> Entry[T] | None:
        """The entry for ``key`` usable at ``now``, computing it (``compute(now)``) on a miss;
        None when the cache cannot be trusted now (the caller computes without it)."""
        version = await self.changes.version() if self.max_entries else None
        if version is None:
            return None
        entry = self._entries.get(key)
        if entry is not None and self._usable(entry, version, now):
            self._entries.move_to_end(key)
            self.hits += 1
            return entry
        pending = self._pending.get(key)
        if pending is not None and pending[0] == version:
            shared = await asyncio.shield(pending[1])
            if self._usable(shared, version, now):
                return shared
        self.misses += 1
        return await self._compute(key, version, now, compute)

    async def _compute(
        self, key: Hashable, version: Version, now: datetime,
        compute: Callable[[datetime], Awaitable[T]],
    ) -> Entry[T]:
        future: asyncio.Future[Entry[T]] = asyncio.get_running_loop().create_future()
        self._pending[key] = (version, future)
        try:
            value = await compute(now)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            if key in self._pending and self._pending[key][1] is future:
                del self._pending[key]
        entry = Entry(value, version, frozenset(self.counsellors_of(value)), now)
        future.set_result(entry)
        latest = self.changes.latest()
        if latest is not None and latest.same_for(version, entry.counsellors):
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return entry

    def _usable(self, entry: Entry[T], version: Version, now: datetime) -> bool:
        return (
            entry.computed_at <= now < entry.computed_at + self.ttl
            and version.same_for(entry.version, entry.counsellors)
        )
