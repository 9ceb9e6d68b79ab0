"""Where a booking's CPU goes: the CPU seconds used during one phase of ``bench.booking`` by
this process, by the uvicorn server (its processes found by port in ``/proc``) and by the
PostgreSQL backends connected to the bench database. Linux only (``/proc``); elsewhere, or
on SQLite, the figures it cannot read are 0."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User plus system CPU of a process (all its threads), 0 once it is gone."""
    try:
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def server_pids(port: int) -> list[int]:
    """The process listening on ``--port port`` (uvicorn) and its descendants (workers)."""
    parents: dict[int, int] = {}
    roots = []
    for entry in PROC.iterdir() if PROC.is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if b"--port" in args and str(port).encode() in args:
            roots.append(int(entry.name))
    found = set(roots)
    while True:
        more = {pid for pid, parent in parents.items() if parent in found} - found
        if not more:
            return sorted(found)
        found |= more


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
    servers = server_pids(port) if port is not None else []
    backends = await backend_pids()
    before = {pid: cpu_seconds(pid) for pid in {*servers, *backends}}
    yield usage
    servers = server_pids(port) if port is not None else []
    backends = await backend_pids()
    usage.client = time.process_time() - client
    usage.server = sum(cpu_seconds(pid) - before.get(pid, 0.0) for pid in servers)
    usage.database = sum(cpu_seconds(pid) - before.get(pid, 0.0) for pid in backends)
