"""Shared bench helpers: a throw-away database per run, and timing/printing helpers.

Piccolo binds its tables to the engine of ``DATABASE_URL`` when ``booking.tables`` is first
imported, so ``prepare_database`` must run before any import of ``booking`` modules: the
scripts import them inside their functions, after it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

PG_ADMIN_URL = os.environ.get("CRENEAU_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
# A Monday morning in Paris (08:00), in term time: every bench computes from this instant.
BENCH_NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class BenchDatabase:
    engine: str  # "sqlite" | "postgres"
    url: str
    workdir: Path
    pg_name: str | None = None

    def env(self) -> dict[str, str]:
        """The environment a server subprocess needs to reach this database."""
        return {
            "DATABASE_URL": self.url,
            "PICCOLO_CONF": "booking.piccolo_conf",
            "CRENEAU_ENV": "test",
            "CRENEAU_DATA_DIR": str(self.workdir),
            "CRENEAU_DISPATCHER": "off",
            "CRENEAU_BENCH_NOW": BENCH_NOW.isoformat(),
        }


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="database engine (a throw-away database is created and dropped)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database at the end and print its URL"
    )


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def prepare_database(engine: str) -> BenchDatabase:
    """Create an empty database and point this process's environment at it."""
    if "booking.tables" in sys.modules:
        raise RuntimeError("prepare_database must run before booking.tables is imported")
    workdir = Path(tempfile.mkdtemp(prefix="creneau-bench-"))
    if engine == "postgres":
        name = f"creneau_bench_{os.getpid()}_{secrets.token_hex(3)}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        db = BenchDatabase(engine, _with_db(PG_ADMIN_URL, name), workdir, name)
    else:
        db = BenchDatabase(engine, f"sqlite:///{workdir}/bench.sqlite", workdir)
    os.environ.update(db.env())
    return db


def drop_database(db: BenchDatabase) -> None:
    if db.pg_name:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{db.pg_name}" WITH (FORCE)'))
    shutil.rmtree(db.workdir, ignore_errors=True)


@contextmanager
def bench_database(engine: str, *, keep: bool = False) -> Iterator[BenchDatabase]:
    db = prepare_database(engine)
    try:
        yield db
    finally:
        if keep:
            print(f"kept: DATABASE_URL={db.url}")
        else:
            drop_database(db)


async def open_migrated(pool_size: int = 20) -> None:
    """Open the engine (PostgreSQL pool, SQLite WAL) and apply every migration."""
    from booking.db import open_engine
    from booking.migrate import migrate

    await open_engine(pool_size=pool_size)
    await migrate()


async def close() -> None:
    from booking.db import close_engine

    await close_engine()


async def analyze() -> None:
    """Refresh the planner's statistics after a bulk load."""
    from booking.db import engine

    await engine().run_ddl("ANALYZE")


# -- timing ------------------------------------------------------------------------------


async def timed_runs(
    fn: Callable[[], Awaitable[Any]], *, repeat: int, warmup: int = 2
) -> list[float]:
    """Wall times in milliseconds of ``repeat`` sequential awaits of ``fn()``."""
    for _ in range(warmup):
        await fn()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


async def timed_runs_cpu(
    fn: Callable[[], Awaitable[Any]], *, repeat: int, warmup: int = 2
) -> tuple[list[float], list[float]]:
    """Wall times and this process's CPU times (ms) of ``repeat`` awaits of ``fn()``: the CPU
    time hardly moves when other processes load the machine, the wall time does."""
    for _ in range(warmup):
        await fn()
    wall, cpu = [], []
    for _ in range(repeat):
        began, used = time.perf_counter(), time.process_time()
        await fn()
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return wall, cpu


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def line(label: str, value: str, width: int = 58) -> None:
    print(f"  {label:<{width}} {value}")


def heading(text: str) -> None:
    print(f"\n== {text}")


class Progress:
    """Progress lines with the time elapsed since the start."""

    def __init__(self, quiet: bool = False) -> None:
        self.began = time.perf_counter()
        self.quiet = quiet

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(f"  [{time.perf_counter() - self.began:6.1f}s] {message}", flush=True)
