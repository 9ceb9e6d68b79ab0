"""Rendered feeds kept in memory, keyed by everything their body depends on.

A calendar client polls its feed again and again, mostly to hear ``304 Not Modified``. The
``ETag`` is the hash of the body (and of the source's tag), so it is exact; this cache lets a
request whose inputs (the rows read or their digest, the day, the links) equal those of an
earlier one reuse its body and ``ETag`` instead of reading the rows and building the
calendar again (``booking.services.feed_rows``). Keys are compared for equality, not only by
hash. Each process has its own cache; the ``ETag`` is the same everywhere.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from booking.services.feed_model import Feed, FeedSource
from calendars.feed_http import compute_etag


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    etag: str
    last_modified: datetime


class FeedCache:
    """A least-recently-used map bounded in entries and in body bytes."""

    def __init__(self, max_entries: int = 256, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._entries: OrderedDict[Hashable, Rendered] = OrderedDict()
        self._bytes = 0

    async def render(self, source: FeedSource) -> Rendered:
        """The rendered feed of ``source``: from the cache when its key is known, else
        loaded, built and kept under the key of what was read."""
        found = self.get(source.key, source.tag)
        if found is not None:
            return found
        key, feed = await source.load()
        return self.put(key, source.tag, feed)

    def get(self, key: Hashable, tag: str = "") -> Rendered | None:
        found = self._entries.get((key, tag))
        if found is not None:
            self._entries.move_to_end((key, tag))
        return found

    def put(self, key: Hashable, tag: str, feed: Feed) -> Rendered:
        body = feed.body()
        rendered = Rendered(body, compute_etag(body, tag), feed.last_modified)
        if len(body) <= self.max_bytes:
            self._entries[(key, tag)] = rendered
            self._bytes += len(body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)
        return rendered

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0


FEEDS = FeedCache()
