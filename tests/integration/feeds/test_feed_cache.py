"""The in-memory cache of rendered feeds: equal inputs reuse the body, others rebuild."""

from __future__ import annotations

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


def counted(key: object, summary: str, calls: list[str]) -> FeedSource:
    def build() -> Feed:
        calls.append(summary)
        return feed(summary)

    return FeedSource(key, build)


def test_equal_keys_reuse_the_rendered_body() -> None:
    cache, calls = FeedCache(), list[str]()
    first = cache.render(counted(("counsellor", 1, (("row", 1),)), "Démarches", calls))
    again = cache.render(counted(("counsellor", 1, (("row", 1),)), "Démarches", calls))
    assert calls == ["Démarches"] and again is first
    assert first.etag == compute_etag(first.body) and first.last_modified == NOW
    changed = cache.render(counted(("counsellor", 1, (("row", 2),)), "Messagerie", calls))
    assert calls == ["Démarches", "Messagerie"] and changed.etag != first.etag


def test_feeds_are_their_own_keys() -> None:
    cache = FeedCache()
    one, same, other = feed("A"), feed("A"), feed("B")
    assert cache.render(FeedSource.of(one)) is cache.render(FeedSource.of(same))
    assert cache.render(FeedSource.of(other)).body != cache.render(FeedSource.of(one)).body


def test_entries_and_bytes_are_bounded() -> None:
    cache, calls = FeedCache(max_entries=2), list[str]()
    for key in ("a", "b", "c", "a"):
        cache.render(counted(key, key, calls))
    assert calls == ["a", "b", "c", "a"]  # "a" was the least recently used: evicted
    size = len(feed("x").body())
    small, calls = FeedCache(max_bytes=size), list[str]()
    for key in ("x", "x", "y", "x"):
        small.render(counted(key, "x", calls))
    assert calls == ["x", "x", "x"]
