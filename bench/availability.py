"""Availability: 60 days of slots of one service in one commune.

    python -m bench.availability [--db sqlite|postgres] [--growth 1,10,100]

Median time in-process (``search_slots``) for (a) the demo convention and (b) the busiest
commune of a département-scale data set; then through HTTP (``GET /api/public/slots`` on a
real uvicorn server on 127.0.0.1, one worker, in a subprocess) against ``/health`` measured in
the same run, with the slot cache on (the default) and off; then how the in-process time
grows with the number of appointments. In-process times are always computed (no cache).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from bench.common import (
    BENCH_NOW,
    BenchDatabase,
    Progress,
    add_db_argument,
    bench_database,
    heading,
    line,
    median,
    open_migrated,
    timed_runs_cpu,
    verdict,
)
from bench.http_load import Request, load, running_server

WINDOW = timedelta(days=60)
TARGET_MS = 20.0
TARGET_HTTP_RATIO = 0.5


async def _search(service_id: int, commune_id: int) -> Any:
    from booking.services.slot_search import Scope, search_slots

    return await search_slots(
        service_id=service_id,
        scope=Scope(commune_id=commune_id),
        now=BENCH_NOW,
        start=BENCH_NOW,
        end=BENCH_NOW + WINDOW,
    )


async def in_process(label: str, service_id: int, commune_id: int, repeat: int) -> float:
    found = await _search(service_id, commune_id)
    wall, cpu = await timed_runs_cpu(lambda: _search(service_id, commune_id), repeat=repeat)
    line(
        f"{label} ({len(found.slots)} slots)",
        f"median {median(wall):6.2f} ms  best {min(wall):6.2f} ms  "
        f"client CPU {median(cpu):5.2f} ms",
    )
    return median(wall)


async def where_the_time_goes(service_id: int, commune_id: int, repeat: int) -> None:
    """(b) piece by piece, as ``search_slots`` computes it (medians of wall time)."""
    from booking.services.availability_data import load_busy, load_service, rule_spec
    from booking.services.slot_search import Scope, scope_rules
    from booking.slots import compute_slots

    parts: dict[str, list[float]] = {}

    def lap(name: str, began: float) -> float:
        now = time.perf_counter()
        parts.setdefault(name, []).append((now - began) * 1000)
        return now

    end = BENCH_NOW + WINDOW
    for _ in range(repeat):
        began = time.perf_counter()
        service = await load_service(service_id)
        began = lap("the service (1 statement)", began)
        rows = await scope_rules(service.convention_id, Scope(commune_id=commune_id))
        rules = [rule_spec(row) for row in rows]
        began = lap(f"the rules (1 statement, {len(rules)} rules)", began)
        busy = await load_busy(
            counsellor_ids={r.counsellor_id for r in rules},
            venue_ids={r.venue_id for r in rules},
            start=BENCH_NOW,
            end=end + service.spec.duration,
        )
        began = lap("the busy time (1 statement, read and merged)", began)
        compute_slots(rules, service.spec, busy, window_start=BENCH_NOW, window_end=end,
                      now=BENCH_NOW)
        lap("the slots (rules expanded, candidates checked)", began)
    heading("Where (b)'s time goes, in-process (median per piece)")
    for name, times in parts.items():
        line(f"  {name}", f"{median(times):6.2f} ms")


def slots_path(service_id: int, commune_id: int) -> str:
    query = urlencode(
        {
            "service_id": service_id,
            "commune_id": commune_id,
            "limit": 200,
            "start": BENCH_NOW.isoformat(),
            "end": (BENCH_NOW + WINDOW).isoformat(),
        }
    )
    return f"/api/public/slots?{query}"


def get(path: str) -> Callable[[int], Request]:
    return lambda _: ("GET", path, None)


async def through_http(
    db: BenchDatabase, targets: dict[str, str], args: argparse.Namespace, **settings: str
) -> dict[str, float]:
    """Requests per second of /health (before and after) and of each slot query."""
    rates: dict[str, float] = {}
    async with running_server(db, **settings) as port:
        for label, path in [("/health", "/health"), *targets.items(), ("/health", "/health")]:
            single = await load(port, get(path), concurrency=1, total=args.repeat)
            result = await load(port, get(path), concurrency=args.concurrency, seconds=args.seconds)
            bad = sum(n for status, n in result.statuses.items() if status != 200)
            line(
                f"{label[:40]}",
                f"{result.rate:7.0f} req/s  p50 {result.p(0.5):6.2f} ms  "
                f"p95 {result.p(0.95):6.2f} ms  1-conn median {single.p(0.5):6.2f} ms  "
                f"errors {bad}",
            )
            rates[label] = (
                rates.get(label, 0.0) + result.rate / 2 if label == "/health" else result.rate
            )
    return rates


async def growth(
    dataset: Any, factors: list[int], repeat: int, progress: Progress
) -> list[tuple[int, int, float, float]]:
    from bench.generate import add_appointments

    base = dataset.scale.appointments
    rows = []
    for factor in factors:
        missing = base * factor - dataset.counts["appointment"]
        if missing > 0:
            began = time.perf_counter()
            await add_appointments(dataset, missing, progress=lambda _: None)
            progress(f"added {missing:,} appointments in {time.perf_counter() - began:.1f} s")
        wall, _ = await timed_runs_cpu(
            lambda: _search(dataset.service_id, dataset.commune_id), repeat=repeat
        )
        rows.append((factor, dataset.counts["appointment"], median(wall), min(wall)))
    return rows


async def run(db: BenchDatabase, args: argparse.Namespace) -> None:
    from bench.generate import Scale, generate
    from booking.db import is_postgres
    from booking.demo import seed_demo

    progress = Progress()
    await open_migrated()
    demo = await seed_demo(today=BENCH_NOW.date())
    demo_service, demo_commune = demo["service"]["rance/demarches"], demo["commune"]["22382"]
    heading(f"Availability, 60 days, one service, one commune ({db.engine}, in-process)")
    demo_ms = await in_process(
        "(a) demo convention, La Vicomté-sur-Rance", demo_service, demo_commune, args.repeat
    )
    dataset = await generate(Scale(appointments=args.appointments), progress=progress)
    big_ms = await in_process(
        f"(b) département, busiest commune, {dataset.counts['appointment']:,} appointments",
        dataset.service_id,
        dataset.commune_id,
        args.repeat,
    )
    await in_process(
        "(a) demo convention again, in the big database", demo_service, demo_commune, args.repeat
    )
    await where_the_time_goes(dataset.service_id, dataset.commune_id, args.repeat)
    http = (
        f"uvicorn on 127.0.0.1, 1 worker, {args.concurrency} connections, {args.seconds:g} s each"
    )
    heading(f"Through HTTP, slot cache on (the default; {http})")
    targets = {
        "(a) slots demo": slots_path(demo_service, demo_commune),
        "(b) slots département": slots_path(dataset.service_id, dataset.commune_id),
    }
    rates = await through_http(db, targets, args)
    health = rates["/health"]
    for label in targets:
        line(f"{label} / /health throughput", f"{rates[label] / health:6.2f}")
    heading(f"Through HTTP, slot cache off (CRENEAU_SLOT_CACHE_ENTRIES=0; {http})")
    cold = await through_http(db, targets, args, CRENEAU_SLOT_CACHE_ENTRIES="0")
    for label in targets:
        line(f"{label} / /health throughput", f"{cold[label] / cold['/health']:6.2f}")
    heading("Growth with the number of appointments (in-process, (b))")
    rows = await growth(dataset, args.growth, args.repeat, progress)
    for factor, count, ms, best in rows:
        line(
            f"{factor:>4}x  {count:>9,} appointments",
            f"median {ms:6.2f} ms ({ms / rows[0][2]:4.2f}x)  "
            f"best {best:6.2f} ms ({best / rows[0][3]:4.2f}x)",
        )
    heading(f"Targets (issue 9, on {'PostgreSQL' if is_postgres() else 'SQLite'})")
    line(
        f"(b) in-process median under {TARGET_MS:g} ms",
        f"{big_ms:.2f} ms: {verdict(big_ms < TARGET_MS)}",
    )
    ratio = rates["(b) slots département"] / health
    line(
        f"(b) HTTP at least {TARGET_HTTP_RATIO:g}x /health throughput",
        f"{ratio:.2f}: {verdict(ratio >= TARGET_HTTP_RATIO)} "
        f"(cache off: {cold['(b) slots département'] / cold['/health']:.2f})",
    )
    line("(a) demo in-process median", f"{demo_ms:.2f} ms")
    await _close()


async def _close() -> None:
    from bench.common import close

    await close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_db_argument(parser)
    parser.add_argument("--appointments", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per median")
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each HTTP load")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--growth",
        default="1,2",
        help="appointment multiples to time, e.g. 1,10,100 (the history added costs "
        "~3 s per 10,000 appointments on PostgreSQL)",
    )
    args = parser.parse_args()
    args.growth = sorted({int(f) for f in args.growth.split(",")} | {1})
    began = time.perf_counter()
    with bench_database(args.db, keep=args.keep) as db:
        asyncio.run(run(db, args))
    print(f"\n(total {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
