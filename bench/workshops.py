"""Registrations per second for one hot workshop session, on SQLite and PostgreSQL.

Each engine runs in its own process against a throw-away database (SQLite in a temporary
directory; PostgreSQL created and dropped through ``CRENEAU_TEST_PG``, an admin URL). In the
same run, the raw insert rate of the same stack (one-row write transactions, same
concurrency) is measured first as the baseline.

    .venv/bin/python bench/workshops.py [--engines sqlite,postgres] [--registrations 400]
                                        [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if not __package__:  # run as a script: bench/ (it has a booking.py) must not shadow packages
    sys.path[0] = str(ROOT)
PG_ADMIN_URL = os.environ.get("CRENEAU_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
CAPACITY = 12


async def _world() -> tuple[int, int]:
    """One commune, convention, venue and a one-off session of CAPACITY seats."""
    from datetime import UTC, date, datetime, time

    from booking.services.workshop_plan import SeriesDraft
    from booking.services.workshops import create_series
    from booking.tables import Commune, Convention, ConventionCommune, Venue

    commune = Commune(
        insee_code="92078",
        name="Villeneuve-la-Garenne",
        postcode="92390",
        slug="villeneuve-bench",
        timezone="Europe/Paris",
    )
    await commune.save()
    convention = Convention(name="Bench", slug="bench", seat_commune=commune.id)
    await convention.save()
    await ConventionCommune(convention=convention.id, commune=commune.id).save()
    venue = Venue(commune=commune.id, name="Espace numérique", slug="epn-bench")
    await venue.save()
    saved = await create_series(
        SeriesDraft(
            convention_id=int(convention.id),
            venue_id=int(venue.id),
            title="Atelier très demandé",
            start_time=time(14),
            end_time=time(16),
            first_day=date(2030, 3, 5),
            capacity=CAPACITY,
        ),
        staff_id=None,
        now=datetime(2030, 3, 1, tzinfo=UTC),
    )
    return saved.series_id, saved.created[0]


async def _bounded(count: int, concurrency: int, job: Any) -> float:
    """Run ``job(n)`` for n in 1..count, ``concurrency`` at a time; return the seconds."""
    gate = asyncio.Semaphore(concurrency)

    async def one(n: int) -> None:
        async with gate:
            await job(n)

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(1, count + 1)))
    return time.perf_counter() - started


async def child(count: int, concurrency: int) -> dict[str, Any]:
    from datetime import UTC, datetime

    from booking.db import close_engine, is_postgres, open_engine, write_transaction
    from booking.migrate import migrate
    from booking.services.registrations import RegistrationRequest, register
    from booking.services.residents import identity
    from booking.services.workshop_links import WorkshopLinks
    from booking.tables import AuditLog, Registration, WorkshopSession

    await open_engine(pool_size=concurrency)
    await migrate()
    series_id, session_id = await _world()
    now = datetime(2030, 3, 1, 9, tzinfo=UTC)
    links = WorkshopLinks("https://rdv.example.fr", "b" * 48)

    async def raw_insert(n: int) -> None:
        async with write_transaction():
            await AuditLog.insert(
                AuditLog(
                    at=now, actor_kind="bench", action="bench.insert", entity="bench", entity_id=n
                )
            )

    async def registration(n: int) -> None:
        await register(
            RegistrationRequest(
                series_id=series_id,
                session_id=session_id,
                party_size=2 if n % 7 == 0 else 1,
                person=identity(first_name=f"Prénom{n}", last_name="Banc", phone=f"+336{n:08d}"),
            ),
            now=now,
            links=links,
        )

    raw_seconds = await _bounded(count, concurrency, raw_insert)
    reg_seconds = await _bounded(count, concurrency, registration)
    seats = (
        await WorkshopSession.select(WorkshopSession.seats_taken)
        .where(WorkshopSession.id == session_id)
        .first()
    )
    confirmed = await Registration.count().where(Registration.status == "confirmed")
    engine = "postgresql" if is_postgres() else "sqlite"
    await close_engine()
    assert seats is not None and seats["seats_taken"] <= CAPACITY
    return {
        "engine": engine,
        "count": count,
        "concurrency": concurrency,
        "raw_per_s": count / raw_seconds,
        "registrations_per_s": count / reg_seconds,
        "seats_taken": seats["seats_taken"],
        "confirmed": confirmed,
        "waitlisted": count - confirmed,
    }


def _run_child(engine: str, url: str, count: int, concurrency: int) -> dict[str, Any]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PICCOLO_CONF": "booking.piccolo_conf",
        "CRENEAU_ENV": "test",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.workshops",
            "--child",
            "--registrations",
            str(count),
            "--concurrency",
            str(concurrency),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{engine} run failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_engine(engine: str, count: int, concurrency: int) -> dict[str, Any]:
    if engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="creneau-bench-") as tmp:
            return _run_child(engine, f"sqlite:///{tmp}/bench.sqlite", count, concurrency)
    from tests.support.pg import create_database, drop_database

    name = f"creneau_bench_{os.getpid()}_{secrets.token_hex(3)}"
    url = asyncio.run(create_database(PG_ADMIN_URL, name))
    try:
        return _run_child(engine, url, count, concurrency)
    finally:
        asyncio.run(drop_database(PG_ADMIN_URL, name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--registrations", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args.registrations, args.concurrency))))
        return
    print(
        f"One session of {CAPACITY} seats, {args.registrations} registrations "
        f"({args.concurrency} at a time); baseline: one-row insert transactions."
    )
    print(
        f"{'engine':<11}{'raw inserts/s':>15}{'registrations/s':>17}{'ratio':>8}"
        f"{'seats':>7}{'confirmed':>11}{'waitlisted':>12}"
    )
    for engine in args.engines.split(","):
        r = run_engine(engine.strip(), args.registrations, args.concurrency)
        print(
            f"{r['engine']:<11}{r['raw_per_s']:>15.0f}{r['registrations_per_s']:>17.0f}"
            f"{r['registrations_per_s'] / r['raw_per_s']:>8.1%}{r['seats_taken']:>7}"
            f"{r['confirmed']:>11}{r['waitlisted']:>12}"
        )


if __name__ == "__main__":
    main()
