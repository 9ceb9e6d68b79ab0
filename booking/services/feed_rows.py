"""Feeds built from SELECT statements, keyed cheaply for the feed cache (``FeedCache``).

On PostgreSQL a request first asks the database for a digest of the rows the feed's
statements would return: one statement, SHA-256 of every row's text computed in the
database, nothing sent back but the digest. It covers every selected column (joined
names and addresses included), so it changes with anything the body is made of, whether or
not the writer bumped a timestamp. A cache hit answers from the rendered body without
reading the rows; a miss reads the digest and the rows again in one ``REPEATABLE READ``
snapshot, so the body stored under a digest is always the body of those rows. SQLite (one
process, no SHA-256 function) keys by the rows themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from piccolo.querystring import QueryString

from booking.db import engine, is_postgres
from booking.services.feed_model import Feed, FeedSource

Rows = list[dict[str, Any]]
Statement = Callable[[], Any]  # returns a Piccolo query (awaitable, with ``querystrings``)

_DIGEST = (
    "(SELECT count(*)::text || ':' || coalesce(encode(sha256(convert_to("
    "string_agg(t::text, E'\\n' ORDER BY t::text), 'UTF8')), 'hex'), '') FROM ({}) AS t)"
)
_SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"


def digest_query(statements: Sequence[Statement]) -> QueryString:
    """One statement returning, per statement, its row count and the SHA-256 of its rows."""
    parts = [statement().querystrings[0] for statement in statements]
    template = "SELECT " + ", ".join(f"{_DIGEST} AS d{n}" for n in range(len(parts)))
    return QueryString(template, *parts)


async def _digest(statements: Sequence[Statement]) -> tuple[str, ...]:
    row = (await engine().run_querystring(digest_query(statements)))[0]
    return tuple(str(row[f"d{n}"]) for n in range(len(statements)))


async def _rows(statements: Sequence[Statement]) -> list[Rows]:
    return [list(await statement()) for statement in statements]


def _values(rows: Rows) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(row.values()) for row in rows)


async def rows_source(
    key: Hashable,
    statements: Sequence[Statement],
    build: Callable[[list[Rows]], Feed],
    *,
    tag: str = "",
) -> FeedSource:
    """A feed made of the rows of ``statements`` and of ``key`` (everything else its body
    depends on: the owner, the links, the day…). PostgreSQL: one statement until built."""
    if not is_postgres():
        found = await _rows(statements)
        by_rows = (key, tuple(_values(rows) for rows in found))

        async def ready() -> tuple[Hashable, Feed]:
            return by_rows, build(found)

        return FeedSource(by_rows, ready, tag)

    async def load() -> tuple[Hashable, Feed]:
        async with engine().transaction(allow_nested=False):
            await engine().run_ddl(_SNAPSHOT)
            digest = await _digest(statements)
            found = await _rows(statements)
        return (key, digest), build(found)

    return FeedSource((key, await _digest(statements)), load, tag)


async def built(statements: Sequence[Statement], build: Callable[[list[Rows]], Feed]) -> Feed:
    """The feed read and built at once (no digest: for callers that always need the body)."""
    return build(await _rows(statements))
