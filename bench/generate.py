"""A département-scale data set: 200 counsellors, 40 communes, 100,000 appointments (default),
5,000 workshop sessions, with rules, absences and closures. Deterministic for a seed.

    python -m bench.generate --db postgres --appointments 100000 [--keep]

From another script (after ``bench.common.prepare_database`` and ``open_migrated``)::

    dataset = await generate(Scale(appointments=100_000))
    await add_appointments(dataset, 100_000)   # more history, same coming weeks
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bench.appointment_plan import APPOINTMENT_COLUMNS, AppointmentPlanner, resident_rows
from bench.bulk import fix_sequences, insert_rows, max_id, write
from bench.common import BENCH_NOW, Progress, add_db_argument, bench_database
from bench.dataset_events import plan_absences, plan_closures, plan_workshops
from bench.dataset_people import plan_people, plan_rules
from bench.dataset_plan import Plan, plan_places

TABLES = (
    "commune",
    "convention",
    "convention_commune",
    "venue",
    "staff_user",
    "counsellor",
    "convention_counsellor",
    "service",
    "availability_rule",
    "absence",
    "venue_closure",
    "workshop_series",
    "workshop_animator",
    "workshop_session",
    "resident",
    "appointment",
)


@dataclass(frozen=True)
class Scale:
    counsellors: int = 200
    communes: int = 40
    appointments: int = 100_000
    workshop_sessions: int = 5_000
    seed: int = 2026


@dataclass
class Dataset:
    scale: Scale
    now: datetime
    plan: Plan
    planner: AppointmentPlanner
    commune_id: int  # the sample commune: the one with the most permanences
    convention_id: int
    service_id: int  # "Démarches administratives en ligne" of that convention
    counts: Counter[str] = field(default_factory=Counter)


def _sample(plan: Plan) -> tuple[int, int, int]:
    per_commune = Counter(plan.venue_commune[b.venue] for b in plan.blocks)
    commune = min(per_commune, key=lambda c: (-per_commune[c], c))
    convention = plan.commune_convention[commune]
    return commune, convention, plan.services[convention]["demarches"]


async def generate(
    scale: Scale | None = None, *, now: datetime = BENCH_NOW, progress: Callable[[str], Any] = print
) -> Dataset:
    """Write the data set next to whatever the database holds (ids continue after it)."""
    scale = scale or Scale()
    rng = random.Random(scale.seed)
    ids = {table: await max_id(table) for table in TABLES}
    plan = Plan(today=now.date())
    plan_places(plan, rng, ids, scale.communes)
    plan_people(plan, rng, ids, scale.counsellors)
    plan_rules(plan, rng, ids)
    plan_absences(plan, rng, ids)
    plan_closures(plan, rng, ids)
    plan_workshops(plan, rng, ids, scale.workshop_sessions)
    residents = max(50, scale.appointments // 3)
    plan.tables["resident"] = resident_rows(plan, rng, ids["resident"] + 1, residents)
    planner = AppointmentPlanner(
        plan,
        rng,
        now=now,
        first_id=ids["appointment"] + 1,
        seed=scale.seed,
        residents=range(ids["resident"] + 1, ids["resident"] + 1 + residents),
    )
    commune, convention, service = _sample(plan)
    dataset = Dataset(scale, now, plan, planner, commune, convention, service)
    for table in TABLES[:-1]:
        dataset.counts[table] += await write(plan.tables[table])
        progress(f"{table}: {dataset.counts[table]:,} rows")
    await add_appointments(dataset, scale.appointments, progress)
    return dataset


async def add_appointments(
    dataset: Dataset, count: int, progress: Callable[[str], Any] = print
) -> int:
    """Append ``count`` appointments (history further back once the next 60 days are
    planned), fix the PostgreSQL sequences and refresh the planner statistics."""
    from booking.db import engine, is_postgres

    step = max(10_000, count // 10)

    def report(done: int) -> None:
        if done % step < 1000 or done == count:
            progress(f"appointment: {dataset.counts['appointment'] + done:,} rows")

    written = await insert_rows(
        "appointment", APPOINTMENT_COLUMNS, dataset.planner.take(count), report
    )
    dataset.counts["appointment"] += written
    await fix_sequences(TABLES)
    # As a settled database would be: fresh statistics, and on PostgreSQL a vacuumed table
    # (visibility map set), so that autovacuum does not run during the measures.
    await engine().run_ddl("VACUUM ANALYZE" if is_postgres() else "ANALYZE")
    return written


async def _main(args: argparse.Namespace) -> None:
    from bench.common import close, open_migrated

    await open_migrated()
    began = time.perf_counter()
    dataset = await generate(
        Scale(appointments=args.appointments, seed=args.seed, workshop_sessions=args.sessions),
        progress=Progress(),
    )
    seconds = time.perf_counter() - began
    total = sum(dataset.counts.values())
    print(f"\n{total:,} rows in {seconds:.1f} s ({total / seconds:,.0f} rows/s) on {args.db}")
    print(
        f"sample: commune {dataset.commune_id}, convention {dataset.convention_id}, "
        f"service {dataset.service_id}, now {dataset.now.isoformat()}"
    )
    await close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_db_argument(parser)
    parser.add_argument("--appointments", type=int, default=Scale.appointments)
    parser.add_argument("--sessions", type=int, default=Scale.workshop_sessions)
    parser.add_argument("--seed", type=int, default=Scale.seed)
    args = parser.parse_args()
    with bench_database(args.db, keep=args.keep):
        asyncio.run(_main(args))


if __name__ == "__main__":
    main()
