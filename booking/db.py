"""Engine lifecycle and the write-transaction helper shared by every use case."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

# One engine-neutral write transaction for every use case and the dispatcher: SQLite gets an
# in-process lock (one per event loop) plus ``BEGIN IMMEDIATE``, so the re-check inside
# cannot be stale; PostgreSQL a plain transaction in which use cases take row locks.
from notifications.transactions import close_outbox_engine as close_engine
from notifications.transactions import immediate_transaction as write_transaction
from notifications.transactions import open_outbox_engine, outbox_engine

__all__ = ["close_engine", "write_transaction"]


def engine() -> Engine:
    """The engine every table is bound to (``PICCOLO_CONF``'s ``DB``), so that raw statements
    join the transactions the ORM and ``write_transaction`` open on it. Read from a table:
    ``engine_finder()`` looks the configuration up again on every call (~8 µs a statement)."""
    return outbox_engine()


def is_postgres() -> bool:
    return isinstance(engine(), PostgresEngine)


async def open_engine(pool_size: int = 10) -> bool:
    """Start the PostgreSQL pool unless one runs already; put SQLite in WAL mode.

    Returns whether this call opened the pool (and so should close it).
    """
    return await open_outbox_engine(pool_size)


async def ping() -> bool:
    try:
        rows = await engine().run_ddl("SELECT 1 AS ok")
    except Exception:
        return False
    return bool(rows)


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
