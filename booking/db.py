"""Engine lifecycle and the write-transaction helper shared by every use case."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

_sqlite_write_lock: asyncio.Lock | None = None


def engine() -> Engine:
    found = engine_finder()
    if found is None:  # pragma: no cover - piccolo_conf always defines DB
        raise RuntimeError("no Piccolo engine configured (PICCOLO_CONF)")
    return found


def is_postgres() -> bool:
    return isinstance(engine(), PostgresEngine)


async def open_engine(pool_size: int = 10) -> bool:
    """Start the PostgreSQL pool unless one runs already; put SQLite in WAL mode.

    Returns whether this call opened the pool (and so should close it).
    """
    db = engine()
    if isinstance(db, PostgresEngine):
        if db.pool is not None:
            return False
        await db.start_connection_pool(min_size=1, max_size=pool_size)
        return True
    if isinstance(db, SQLiteEngine):
        await db.run_ddl("PRAGMA journal_mode=WAL")
    return False


async def close_engine() -> None:
    db = engine()
    if isinstance(db, PostgresEngine) and db.pool is not None:
        await db.close_connection_pool()


async def ping() -> bool:
    try:
        rows = await engine().run_ddl("SELECT 1 AS ok")
    except Exception:
        return False
    return bool(rows)


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """A transaction for a read-check-write use case.

    SQLite: an in-process lock plus ``BEGIN IMMEDIATE`` (the write lock is taken before the
    first read, so the re-check inside cannot be stale). PostgreSQL: a plain transaction in
    which the use case takes row locks with ``lock_rows()``.
    """
    global _sqlite_write_lock
    db = engine()
    if isinstance(db, SQLiteEngine):
        if db.current_transaction.get() is not None:
            yield
            return
        if _sqlite_write_lock is None:
            _sqlite_write_lock = asyncio.Lock()
        async with _sqlite_write_lock, db.transaction(
            transaction_type=TransactionType.immediate
        ):
            yield
    else:
        async with db.transaction():
            yield


def reset_sqlite_lock() -> None:
    """Forget the lock (it is bound to the loop that created it); used when a loop ends."""
    global _sqlite_write_lock
    _sqlite_write_lock = None


def json_list(value: Any) -> list[Any]:
    """Decode a JSON column that SQLite returns as text and PostgreSQL as text or list."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        decoded = json.loads(value)
        return list(decoded) if isinstance(decoded, list) else []
    return list(value)


def json_dates(value: Any) -> tuple[date, ...]:
    return tuple(sorted({date.fromisoformat(str(v)) for v in json_list(value)}))


def aware(value: datetime) -> datetime:
    """Piccolo returns aware datetimes on PostgreSQL; make SQLite's match (stored in UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def is_exclusion_violation(exc: BaseException) -> bool:
    """PostgreSQL's guard on a counsellor's time (``appointment_no_overlap``) fired."""
    return type(exc).__name__ == "ExclusionViolationError"
