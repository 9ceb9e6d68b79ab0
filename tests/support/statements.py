"""Record the statements sent through the engine (ORM queries and raw SQL alike)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest


@contextmanager
def recorded(
    monkeypatch: pytest.MonkeyPatch, render: Callable[[Any], Any] = str, *, ddl: bool = True
) -> Iterator[list[Any]]:
    """Each query string sent while the block runs, as ``render`` makes it; with ``ddl``,
    the plain SQL of ``run_ddl`` too (as text)."""
    from booking.db import engine

    seen: list[Any] = []
    kind = type(engine())
    run_querystring, run_ddl = kind.run_querystring, kind.run_ddl

    async def querystring(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(render(query))
        return await run_querystring(self, query, *args, **kwargs)

    async def plain(self: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(sql)
        return await run_ddl(self, sql, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(kind, "run_querystring", querystring)
        if ddl:
            patch.setattr(kind, "run_ddl", plain)
        yield seen


def postgres_sql(query: Any) -> tuple[str, list[Any]]:
    """A query string as PostgreSQL receives it: SQL and arguments (for ``EXPLAIN``)."""
    compiled: tuple[str, list[Any]] = query.compile_string(engine_type="postgres")
    return compiled
