"""Where a booking's CPU goes: the CPU seconds used during one phase of ``bench.booking`` by
this process, by the uvicorn server (the process ``running_server`` started and its
children) and by the PostgreSQL backends connected to the bench database (none on SQLite).
Linux only (``/proc``, read through ``bench.proc_watch``)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bench.proc_watch import cpu_seconds, server_processes


async def backend_pids() -> list[int]:
    """PostgreSQL backends connected to this database (none on SQLite)."""
    from booking.db import engine, is_postgres

    if not is_postgres():
        return []
    rows = await engine().run_ddl(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
    )
    return [int(row["pid"]) for row in rows]


@dataclass
class Usage:
    """CPU seconds of a phase: this process, the server, the database backends."""

    client: float = 0.0
    server: float = 0.0
    database: float = 0.0

    def per(self, count: int) -> str:
        parts = (("server", self.server), ("this process", self.client),
                 ("PostgreSQL", self.database))
        return ", ".join(f"{name} {seconds / count * 1000:.1f}"
                         for name, seconds in parts if seconds)


@asynccontextmanager
async def metered(port: int | None = None) -> AsyncIterator[Usage]:
    """Measure the phase run inside; read backends and servers before and after (a backend
    or worker started during the phase counts from 0, one gone before its end is lost)."""
    usage = Usage()
    client = time.process_time()
    servers = server_processes(port) if port is not None else []
    backends = await backend_pids()
    before = {pid: cpu_seconds(pid) for pid in {*servers, *backends}}
    yield usage
    servers = server_processes(port) if port is not None else []
    backends = await backend_pids()
    usage.client = time.process_time() - client
    usage.server = sum(cpu_seconds(pid) - before.get(pid, 0.0) for pid in servers)
    usage.database = sum(cpu_seconds(pid) - before.get(pid, 0.0) for pid in backends)
