"""Where a process learns that availability may have changed: a version.

The database triggers of ``migrations/booking/booking_2026_12_01t02_50_00_000000.py`` fire on
every write to a table the slot search reads, whoever the writer. On SQLite (one process)
they bump ``availability_generation.n``, read here through a plain ``sqlite3`` connection
kept open (a one-row read of microseconds, where Piccolo opens a connection per statement).

On PostgreSQL they notify the channel ``creneau_availability`` at commit; each process
listens on a connection of its own and counts the notifications: appointments per
counsellor (payload ``counsellor:ID``), anything else as a change of everything. Before
answering, ``version()`` makes one round trip on that connection: PostgreSQL hands a
listening session its pending notifications before the result of its next query, so every
change committed before the call is counted by then, whichever process made it
(read-your-writes for the cache). Concurrent callers share the next round trip.

``version()`` is None whenever the process cannot be sure to hear about changes (not
started, listener lost and not yet back): callers must then not trust a cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from booking.db import engine

CHANNEL = "creneau_availability"
LISTENER_NAME = "creneau availability listener"  # in pg_stat_activity
RECONNECT_SECONDS = 1.0

COUNSELLOR_PREFIX = "counsellor:"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Version:
    """What a process has heard of changes: of everything (``overall``) and, on PostgreSQL,
    of each counsellor's appointments."""

    overall: int
    by_counsellor: Mapping[int, int] = field(default_factory=dict)

    def same_for(self, other: Version, counsellor_ids: Iterable[int]) -> bool:
        """Nothing that bears on these counsellors' slots changed from one to the other."""
        if self.overall != other.overall:
            return False
        mine, theirs = self.by_counsellor, other.by_counsellor
        return mine is theirs or all(mine.get(c, 0) == theirs.get(c, 0) for c in counsellor_ids)


class AvailabilityChanges:
    """The process's view of availability changes (start/stop in the app lifespan)."""

    def __init__(self) -> None:
        self._overall = 0
        self._by_counsellor: dict[int, int] = {}  # replaced, never mutated: versions share it
        self._listening = False
        self._config: dict[str, Any] = {}
        self._connection: Any = None  # asyncpg connection (PostgreSQL)
        self._sqlite: sqlite3.Connection | None = None
        self._sqlite_path = ""
        self._sqlite_file: tuple[int, int] | None = None  # (device, inode) it has open
        self._reconnect: asyncio.Task[None] | None = None
        self._queued: asyncio.Future[bool] | None = None  # callers of the next round trip
        self._syncing: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        self._stopping = False
        db = engine()
        if isinstance(db, PostgresEngine):
            self._config = dict(db.config)
            if not await self._connect():
                log.warning("availability listener unavailable: slot caches bypassed")
                self._schedule_reconnect()
        elif isinstance(db, SQLiteEngine):
            self._sqlite_path = str(db.connection_kwargs["database"])
            self._open_sqlite()

    async def stop(self) -> None:
        self._stopping = True
        self._listening = False
        for task in (self._reconnect, self._syncing):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._reconnect = self._syncing = None
        if self._queued is not None:
            self._queued.set_result(False)
            self._queued = None
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        self._sqlite_path = ""

    async def version(self) -> Version | None:
        """The version, counting every change committed before this call."""
        if self._sqlite_path:
            return self.latest()
        if not self._listening:
            return None
        if self._queued is None:
            self._queued = asyncio.get_running_loop().create_future()
            if self._syncing is None or self._syncing.done():
                self._syncing = asyncio.get_running_loop().create_task(self._sync())
        synced = await asyncio.shield(self._queued)
        return self._heard() if synced and self._listening else None

    def latest(self) -> Version | None:
        """The version as this process knows it now, without asking the database
        (PostgreSQL: notifications already received)."""
        if self._sqlite_path:
            return self._sqlite_version()
        return self._heard() if self._listening else None

    def _sqlite_version(self) -> Version | None:
        """The counter, read from the file the engine would open now: none while that file
        is gone (the service answers 503), a fresh connection when it was replaced."""
        try:
            found = os.stat(self._sqlite_path)
        except OSError:
            return None
        if (found.st_dev, found.st_ino) != self._sqlite_file:
            self._open_sqlite()
        if self._sqlite is None:
            return None
        try:
            row = self._sqlite.execute(
                "SELECT n FROM availability_generation WHERE id = 1"
            ).fetchone()
        except sqlite3.Error:
            return None
        return Version(int(row[0])) if row else None

    def _open_sqlite(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        self._sqlite, self._sqlite_file = None, None
        try:
            found = os.stat(self._sqlite_path)
            self._sqlite = sqlite3.connect(  # mode=rw: never create an empty database
                f"file:{quote(self._sqlite_path)}?mode=rw", uri=True, timeout=5,
                isolation_level=None,
            )
        except (OSError, sqlite3.Error):
            return
        self._sqlite_file = (found.st_dev, found.st_ino)

    def _heard(self) -> Version:
        return Version(self._overall, self._by_counsellor)

    async def _sync(self) -> None:
        """Round trips until nobody waits; the callers queued before one is sent ride it."""
        while self._queued is not None:
            riders, self._queued = self._queued, None
            try:
                await self._connection.fetchval("SELECT 1")
                synced = True
            except asyncio.CancelledError:
                riders.set_result(False)
                raise
            except Exception:  # lost connection: the termination listener takes over
                synced = False
            riders.set_result(synced)

    async def _connect(self) -> bool:
        """Open the listening connection; True once LISTEN is in place."""
        import asyncpg

        failures = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)
        try:
            connection = await asyncpg.connect(
                **self._config, timeout=5, server_settings={"application_name": LISTENER_NAME}
            )
        except failures:
            return False
        try:
            connection.add_termination_listener(self._lost)
            await connection.add_listener(CHANNEL, self._changed)
        except failures:
            connection.terminate()
            return False
        self._connection = connection
        # Changes made while nobody listened were not heard: everything may have changed.
        self._overall += 1
        self._listening = True
        return True

    def _changed(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        counsellor = payload.removeprefix(COUNSELLOR_PREFIX)
        if payload.startswith(COUNSELLOR_PREFIX) and counsellor.isdigit():
            key = int(counsellor)
            self._by_counsellor = {**self._by_counsellor, key: self._by_counsellor.get(key, 0) + 1}
        else:
            self._overall += 1

    def _lost(self, *_: Any) -> None:
        self._listening = False
        self._connection = None
        if not self._stopping:
            log.warning("availability listener lost: slot caches bypassed until it is back")
            self._schedule_reconnect()

    def _schedule_reconnect(self) -> None:
        if self._stopping or (self._reconnect is not None and not self._reconnect.done()):
            return
        self._reconnect = asyncio.get_running_loop().create_task(self._reconnect_loop())

    async def _reconnect_loop(self) -> None:
        while not self._stopping and not self._listening:
            await asyncio.sleep(RECONNECT_SECONDS)
            await self._connect()
