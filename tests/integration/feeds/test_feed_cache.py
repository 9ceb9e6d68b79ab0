"""The in-memory cache of rendered feeds: equal inputs reuse the body, others rebuild."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import UTC, datetime, timedelta

from booking.services.feed_cache import FeedCache
from booking.services.feed_model import Feed, FeedSource
from calendars.feed_http import compute_etag
from calendars.ical_build import CalendarMeta, FeedEvent

NOW = datetime(2026, 11, 23, 7, tzinfo=UTC)


def feed(summary: str) -> Feed:
    event = FeedEvent(
        uid="appointment-1@rdv.example.fr",
        start=NOW,
        end=NOW + timedelta(hours=1),
        tz="Europe/Paris",
        summary=summary,
    )
    return Feed(CalendarMeta(name="Agenda"), (event,), NOW, NOW)


def counted(key: Hashable, summary: str, calls: list[str], tag: str = "") -> FeedSource:
    async def load() -> tuple[Hashable, Feed]:
        calls.append(summary)
        return key, feed(summary)

    return FeedSource(key, load, tag)


async def test_equal_keys_reuse_the_rendered_body() -> None:
    cache, calls = FeedCache(), list[str]()
    first = await cache.render(counted(("counsellor", 1, (("row", 1),)), "Démarches", calls))
    again = await cache.render(counted(("counsellor", 1, (("row", 1),)), "Démarches", calls))
    assert calls == ["Démarches"] and again is first
    assert first.etag == compute_etag(first.body) and first.last_modified == NOW
    changed = await cache.render(counted(("counsellor", 1, (("row", 2),)), "Messagerie", calls))
    assert calls == ["Démarches", "Messagerie"] and changed.etag != first.etag


async def test_feeds_are_their_own_keys() -> None:
    cache = FeedCache()
    one, same, other = feed("A"), feed("A"), feed("B")
    assert await cache.render(FeedSource.of(one)) is await cache.render(FeedSource.of(same))
    assert (await cache.render(FeedSource.of(other))).body != (
        await cache.render(FeedSource.of(one))
    ).body


async def test_entries_and_bytes_are_bounded() -> None:
    cache, calls = FeedCache(max_entries=2), list[str]()
    for key in ("a", "b", "c", "a"):
        await cache.render(counted(key, key, calls))
    assert calls == ["a", "b", "c", "a"]  # "a" was the least recently used: evicted
    size = len(feed("x").body())
    small, calls = FeedCache(max_bytes=size), list[str]()
    for key in ("x", "x", "y", "x"):
        await small.render(counted(key, "x", calls))
    assert calls == ["x", "x", "x"]


async def test_a_load_that_read_newer_rows_is_kept_under_their_key() -> None:
    cache, calls = FeedCache(), list[str]()

    async def load() -> tuple[Hashable, Feed]:
        calls.append("newer")
        return "digest-2", feed("B")

    newer = await cache.render(FeedSource("digest-1", load))
    assert cache.get("digest-1") is None and cache.get("digest-2") is newer
    assert await cache.render(counted("digest-2", "B", calls)) is newer
    assert calls == ["newer"]


async def test_the_tag_is_part_of_the_key_and_of_the_etag() -> None:
    cache, calls = FeedCache(), list[str]()
    plain = await cache.render(counted("k", "A", calls))
    tagged = await cache.render(counted("k", "A", calls, tag="2026-11-23T07:00:00+00:00"))
    assert calls == ["A", "A"] and tagged.body == plain.body and tagged.etag != plain.etag
    assert tagged.etag == compute_etag(tagged.body, "2026-11-23T07:00:00+00:00")
