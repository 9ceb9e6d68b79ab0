"""HTTP of feeds: validators, 304 on If-None-Match / If-Modified-Since, HEAD, cache, CORS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import httpx

from tests.integration.feeds.support import (
    appointment,
    feed_path,
    paris,
    rotate,
    series,
    session,
    staff,
)
from tests.support.clock import FrozenClock


async def private_feed(client: httpx.AsyncClient, demo: dict[str, Any]) -> str:
    headers = await staff(client, "conseillere.rance@creneau.demo")
    return feed_path(await rotate(client, demo["counsellor"]["rance"], headers))


async def test_etag_and_if_none_match(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock
) -> None:
    await appointment(demo, clock() + timedelta(days=2), updated_at=clock() - timedelta(hours=3))
    path = await private_feed(client, demo)
    first = await client.get(path)
    again = await client.get(path)
    assert first.content == again.content  # stable body, so a stable ETag
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag == again.headers["etag"]
    assert first.headers["cache-control"] == "private, max-age=300"
    assert "access-control-allow-origin" not in first.headers

    cached = await client.get(path, headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    assert cached.headers["etag"] == etag
    weak = await client.get(path, headers={"If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    stale = await client.get(path, headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200 and stale.content == first.content

    await appointment(demo, clock() + timedelta(days=4), updated_at=clock())
    changed = await client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


async def test_if_modified_since(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock
) -> None:
    changed_at = clock() - timedelta(hours=2)  # after midnight UTC: the latest change wins
    await appointment(demo, clock() + timedelta(days=2), updated_at=changed_at)
    path = await private_feed(client, demo)
    first = await client.get(path)
    last_modified = first.headers["last-modified"]
    assert parsedate_to_datetime(last_modified) == changed_at.replace(microsecond=0)
    same = await client.get(path, headers={"If-Modified-Since": last_modified})
    assert same.status_code == 304
    later = format_datetime(clock(), usegmt=True)
    assert (await client.get(path, headers={"If-Modified-Since": later})).status_code == 304
    earlier = format_datetime(changed_at - timedelta(seconds=1), usegmt=True)
    assert (await client.get(path, headers={"If-Modified-Since": earlier})).status_code == 200
    junk = await client.get(path, headers={"If-Modified-Since": "yesterday"})
    assert junk.status_code == 200
    # If-None-Match decides alone when both are sent.
    both = await client.get(path, headers={"If-None-Match": '"other"', "If-Modified-Since": later})
    assert both.status_code == 200

    clock.advance(timedelta(days=1))  # the window moved at midnight: a new Last-Modified
    next_day = await client.get(path, headers={"If-Modified-Since": last_modified})
    assert next_day.status_code == 200
    assert parsedate_to_datetime(next_day.headers["last-modified"]) == datetime(
        2026, 11, 24, tzinfo=UTC
    )


async def test_head_has_the_headers_of_get_and_no_body(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock
) -> None:
    await appointment(demo, clock() + timedelta(days=2))
    path = await private_feed(client, demo)
    got = await client.get(path)
    head = await client.head(path)
    assert head.status_code == 200 and head.content == b""
    for name in ("etag", "last-modified", "cache-control", "content-type"):
        assert head.headers[name] == got.headers[name]
    assert head.headers["content-length"] == str(len(got.content))
    cached = await client.head(path, headers={"If-None-Match": got.headers["etag"]})
    assert cached.status_code == 304


async def test_public_feed_is_cacheable_and_readable_cross_origin(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    workshop = await series(demo)
    await session(demo, workshop, paris(2026, 12, 3, 14, 0))
    path = f"/feeds/venues/{demo['venue']['epn-vicomte']}.ics"
    response = await client.get(path, headers={"Origin": "https://mairie.example.fr"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "public, max-age=900"
    cached = await client.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert cached.status_code == 304
    assert cached.headers["access-control-allow-origin"] == "*"
    head = await client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == response.headers["etag"]
