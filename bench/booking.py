"""Booking: appointments booked through HTTP against the raw database insert rate.

    python -m bench.booking [--db postgres|sqlite] [--bookings 300] [--concurrency 16]
                            [--workers 1]

On the département-scale data set, free slots of many communes are booked once each through
``POST /api/public/appointments`` (a real uvicorn server on 127.0.0.1, in a subprocess: one
worker, then ``--workers`` if more) and, as the baseline measured in the same run, the same
kind of appointment rows are inserted directly (one ``INSERT`` per transaction, same
concurrency). Then 20 residents race for each of 10 slots (on the last server started), and
the whole table is checked for double bookings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from datetime import timedelta
from typing import Any

from bench.booking_baselines import in_process, raw_booking_rows, raw_inserts
from bench.booking_cpu import Usage, metered
from bench.common import (
    BENCH_NOW,
    BenchDatabase,
    Progress,
    add_db_argument,
    bench_database,
    close,
    heading,
    line,
    open_migrated,
    verdict,
)
from bench.http_load import load, running_server

TARGET_RATIO = 0.6
NO_LIMITS = {
    "CRENEAU_BOOKING_RATE_PER_HOUR": "100000000",
    "CRENEAU_BOOKING_RATE_PER_PHONE_DAY": "1000000",
}
OVERLAPS = (
    "SELECT COUNT(*) AS n FROM appointment a JOIN appointment b ON b.counsellor = a.counsellor "
    "AND b.id > a.id AND b.blocked_from < a.blocked_until AND a.blocked_from < b.blocked_until "
    "WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'"
)


async def free_slots(dataset: Any) -> list[Any]:
    """Free "démarches" slots over 60 days in every commune, one per counsellor and start."""
    from booking.services.slot_search import Scope, search_slots

    found: dict[tuple[int, Any], Any] = {}
    for commune in dataset.plan.communes:
        convention = dataset.plan.commune_convention[commune]
        search = await search_slots(
            service_id=dataset.plan.services[convention]["demarches"],
            scope=Scope(commune_id=commune),
            now=BENCH_NOW,
            start=BENCH_NOW,
            end=BENCH_NOW + timedelta(days=60),
        )
        for slot in search.slots:
            found.setdefault((slot.counsellor_id, slot.start), (search.service.spec, slot))
    slots = list(found.values())
    random.Random(5).shuffle(slots)
    return slots


def body(offer: tuple[Any, Any], n: int) -> bytes:
    spec, slot = offer
    return json.dumps(
        {
            "service_id": spec.id,
            "venue_id": slot.venue_id,
            "counsellor_id": slot.counsellor_id,
            "start": slot.start.isoformat(),
            "first_name": f"Usager{n}",
            "last_name": "Banc",
            "phone": f"+336{40_000_000 + n:08d}",
            "email": "",
            "sms_consent": True,
        }
    ).encode()


async def run(db: BenchDatabase, args: argparse.Namespace) -> None:
    from bench.generate import Scale, generate
    from booking.db import engine

    progress = Progress()
    await open_migrated(pool_size=max(20, args.concurrency + 4))
    dataset = await generate(Scale(appointments=args.appointments), progress=progress)
    slots = await free_slots(dataset)
    n = args.bookings
    workers = sorted({1, args.workers})
    ways = 3 + len(workers)
    if len(slots) < ways * n + 10:
        raise SystemExit(f"only {len(slots)} free slots for {ways * n + 10} bookings")
    progress(f"{len(slots):,} free slots found; booking {n} of them {ways} ways")
    cpu: dict[str, Usage] = {}
    async with metered() as cpu["raw insert"]:
        raw_rate = await raw_inserts(slots[:n], dataset.planner.residents[0], args.concurrency)
    rows_rate = await raw_booking_rows(slots[n : 2 * n], args.concurrency)
    async with metered() as cpu["book() in-process"]:
        direct_rate = await in_process(slots[2 * n : 3 * n], args.concurrency)
    contested = [slots[ways * n + k] for k in range(10) for _ in range(20)]
    random.Random(9).shuffle(contested)
    booked: dict[int, Any] = {}
    for way, count in enumerate(workers, start=3):
        http_set = slots[way * n : (way + 1) * n]
        async with running_server(db, workers=count, **NO_LIMITS) as port:
            async with metered(port) as cpu[f"HTTP, {count} worker(s)"]:
                booked[count] = await load(
                    port,
                    lambda i, http_set=http_set, way=way: (
                        "POST", "/api/public/appointments", body(http_set[i], way * 10_000 + i)),
                    concurrency=args.concurrency,
                    total=n,
                )
            if count == workers[-1]:
                race = await load(
                    port,
                    lambda i: ("POST", "/api/public/appointments", body(contested[i], 90_000 + i)),
                    concurrency=20,
                    total=len(contested),
                )
    overlaps = (await engine().run_ddl(OVERLAPS))[0]["n"]
    await close()

    heading(
        f"Booking on {db.engine}: {n} distinct free slots each way, "
        f"{args.concurrency} at a time, {dataset.counts['appointment']:,} appointments"
    )
    line("raw insert (one appointment row per transaction)", f"{raw_rate:8.0f} /s")
    line(
        "raw rows of one booking (6 inserts, one transaction)",
        f"{rows_rate:8.0f} /s  ({rows_rate / raw_rate:.2f}x raw)",
    )
    line(
        "book() in-process (the use case, no HTTP)",
        f"{direct_rate:8.0f} /s  ({direct_rate / raw_rate:.2f}x raw)",
    )
    rates = {}
    for count, result in booked.items():
        rates[count] = result.statuses.get(201, 0) / result.seconds
        line(
            f"POST /api/public/appointments (uvicorn, {count} worker{'s' * (count > 1)})",
            f"{rates[count]:8.0f} /s  ({rates[count] / raw_rate:.2f}x raw)  "
            f"p50 {result.p(0.5):.1f} ms  p95 {result.p(0.95):.1f} ms  "
            f"statuses {dict(result.statuses)}",
        )
    line(f"race: 20 residents on each of 10 slots ({workers[-1]} worker(s))",
         f"statuses {dict(race.statuses)}")
    line("double bookings in the whole table", str(overlaps))
    heading("CPU per row or booking, ms (Linux /proc; the load client is 'this process')")
    for phase, usage in cpu.items():
        line(phase, usage.per(n))
    heading("Targets (issue 9)")
    for count, rate in rates.items():
        line(
            f"HTTP, {count} worker(s), at least {TARGET_RATIO:.0%} of the raw insert rate",
            f"{rate / raw_rate:.0%}: {verdict(rate / raw_rate >= TARGET_RATIO)}",
        )
    fair = race.statuses.get(201) == 10 and race.statuses.get(409) == 190
    every = all(result.statuses.get(201, 0) == n for result in booked.values())
    line(
        "zero double bookings (and exactly one winner per raced slot)",
        verdict(overlaps == 0 and fair and every),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_db_argument(parser)
    parser.set_defaults(db="postgres")
    parser.add_argument("--appointments", type=int, default=100_000)
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--workers", type=int, default=1,
        help="also book through a server with this many uvicorn workers (1 is always run)",
    )
    args = parser.parse_args()
    began = time.perf_counter()
    with bench_database(args.db, keep=args.keep) as db:
        asyncio.run(run(db, args))
    print(f"\n(total {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
