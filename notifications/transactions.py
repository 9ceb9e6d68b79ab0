"""Engine lifecycle and write transactions, shared by the whole service.

They live here, below the booking app, so that the dispatcher and ``creneau worker`` need
not import it; ``booking.db`` re-exports them (``write_transaction``, ``open_engine``…), so
every SQLite writer in a process shares one lock per event loop.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from notifications.tables import OutboxMessage

TransactionFactory = Callable[[], AbstractAsyncContextManager[None]]

_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def outbox_engine() -> Engine:
    db: Engine = OutboxMessage._meta.db
    return db


def is_postgres() -> bool:
    return isinstance(outbox_engine(), PostgresEngine)


def _sqlite_lock() -> asyncio.Lock:
    """One lock per event loop: an asyncio.Lock cannot be shared between loops."""
    loop = asyncio.get_running_loop()
    lock = _locks.get(loop)
    if lock is None:
        lock = _locks[loop] = asyncio.Lock()
    return lock


@asynccontextmanager
async def immediate_transaction() -> AsyncIterator[None]:
    """PostgreSQL: a plain transaction (rows are locked with ``lock_rows``). SQLite: an
    in-process lock plus ``BEGIN IMMEDIATE``, so a read-then-write cannot be stale."""
    db = outbox_engine()
    if isinstance(db, SQLiteEngine):
        if db.current_transaction.get() is not None:
            yield
            return
        async with _sqlite_lock(), db.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with db.transaction():
            yield


def single_write(transaction: TransactionFactory) -> AbstractAsyncContextManager[None]:
    """Around one statement: PostgreSQL needs nothing; SQLite takes the writers' lock."""
    return nullcontext() if is_postgres() else transaction()


async def _keep_session(connection: object) -> None:
    """Released pool connections keep their session: the service sets no session state on
    them (no session ``SET``, ``LISTEN``, advisory lock or cursor outside a transaction;
    listeners use connections of their own), so asyncpg's default reset query (advisory
    unlock, ``CLOSE ALL``, ``UNLISTEN *``, ``RESET ALL``) would only add a round trip to
    every statement run outside a transaction. asyncpg still rolls back a transaction left
    open and drops callbacks before it calls this."""


async def open_outbox_engine(pool_size: int) -> bool:
    """Start the PostgreSQL pool unless one runs; returns whether this call started it."""
    db = outbox_engine()
    if isinstance(db, PostgresEngine):
        if db.pool is not None:
            return False
        await db.start_connection_pool(min_size=1, max_size=pool_size, reset=_keep_session)
        return True
    if isinstance(db, SQLiteEngine):
        await db.run_ddl("PRAGMA journal_mode=WAL")
    return False


async def close_outbox_engine() -> None:
    db = outbox_engine()
    if isinstance(db, PostgresEngine) and db.pool is not None:
        await db.close_connection_pool()
