"""Multi-process serving on PostgreSQL: slot searches and bookings with 1, 2 and 4 workers.

    python -m bench.load [--workers 1,2,4] [--seconds 10] [--health-seconds 4]
                         [--concurrency 16] [--reconnect-every 10] [--appointments 100000]
                         [--book-share 0.1] [--dispatcher-worker 2] [--keep]

On the département-scale data set, for each worker count a real uvicorn server with N worker
processes (``uvicorn --factory --workers N``, the path of ``creneau serve --workers N``, the
SMS dispatcher running inside each worker) answers first ``/health`` (the baseline, in the
same run) and then a mix of ``GET /api/public/slots`` (varied communes and services, default
window and limit) and ``POST /api/public/appointments`` (free slots found beforehand, each
booked at most once). It prints throughput, p50/p95 per kind, errors, and the peak resident
memory of each worker process (sampled every 200 ms) against 200 MB. A last run sets
``CRENEAU_DISPATCHER=off`` on the servers and runs one ``creneau worker`` alongside. At the
end the whole appointment table is checked for double bookings.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench.booking_cpu import backend_pids
from bench.common import (
    BenchDatabase,
    Progress,
    bench_database,
    heading,
    line,
    open_migrated,
    verdict,
)
from bench.http_load import ROOT, running_server, stop
from bench.load_mix import LOAD_NOW, Mix, MixResult, bookable_slots, mixed_load, search_paths
from bench.proc_watch import Memory, Watch, memory_kb, server_master, wait_workers

RSS_TARGET_MB = 200.0
DISPATCH_INTERVAL = "2"  # seconds: the dispatchers run several times during each load



# -- one run --------------------------------------------------------------------------------


@dataclass
class Run:
    label: str
    workers: int
    health: MixResult  # one kind, "health"
    mix: MixResult
    memory: Memory
    worker_pids: list[int]
    master: int
    master_mb: float
    backends: list[int]  # PostgreSQL's processes serving this database
    dispatcher_pid: int | None = None
    claimed: Counter[int] = field(default_factory=Counter)  # SMS claimed per process
    dispatcher_log: str = ""
    server_errors: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """5xx, connection errors and unexpected answers, /health and the mix together."""
        kinds = [*self.health.kinds.values(), *self.mix.kinds.values()]
        return sum(sum(k.errors()) for k in kinds)


def frozen_worker() -> None:
    """What ``creneau worker`` runs (``booking.cli.cmd_worker``), with the bench's frozen
    clock (``CRENEAU_BENCH_NOW``) like the servers'."""
    from booking.maintenance import maintenance_jobs
    from booking.settings import load_settings
    from notifications.worker import run_worker

    now = datetime.fromisoformat(os.environ["CRENEAU_BENCH_NOW"])

    def clock() -> datetime:
        return now

    settings = load_settings()
    asyncio.run(run_worker(settings, once=False, clock=clock,
                           periodic=maintenance_jobs(settings, clock)))


@contextlib.asynccontextmanager
async def dispatcher_process(
    db: BenchDatabase, env: dict[str, str]
) -> AsyncIterator[tuple[asyncio.subprocess.Process, Path]]:
    log = db.workdir / f"worker-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from bench.load import frozen_worker; frozen_worker()",
            env={**os.environ, **db.env(), **env},
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )
    try:
        yield process, log
    finally:
        await stop(process)


async def claimed_by_process() -> Counter[int]:
    from booking.db import engine

    rows = await engine().run_ddl(
        "SELECT split_part(claimed_by, ':', 2) AS pid, COUNT(*) AS n FROM outbox_message "
        "WHERE claimed_by <> '' GROUP BY 1"
    )
    return Counter({int(r["pid"]): int(r["n"]) for r in rows if str(r["pid"]).isdigit()})


async def one_run(
    db: BenchDatabase,
    workers: int,
    mix: Mix,
    args: argparse.Namespace,
    progress: Progress,
    *,
    separate_dispatcher: bool = False,
) -> Run:
    from bench.booking import NO_LIMITS

    env = {
        **NO_LIMITS,
        "CRENEAU_BENCH_NOW": LOAD_NOW.isoformat(),
        "CRENEAU_DISPATCH_INTERVAL": DISPATCH_INTERVAL,
        "CRENEAU_DISPATCHER": "off" if separate_dispatcher else "on",
    }
    label = f"{workers} worker{'s' if workers > 1 else ''}"
    label += " + creneau worker" if separate_dispatcher else ""
    server_log = db.workdir / f"server-{label.replace(' ', '-')}.log"
    before = await claimed_by_process()
    async with contextlib.AsyncExitStack() as stack:
        try:
            port = await stack.enter_async_context(
                running_server(db, workers=workers, log=server_log, **env)
            )
        except RuntimeError:
            print(server_log.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        master = server_master(port)
        pids = await wait_workers(master, workers)
        dispatcher = None
        if separate_dispatcher:
            dispatcher, worker_log = await stack.enter_async_context(dispatcher_process(db, env))
        progress(f"{label}: up (pids {', '.join(map(str, pids))}); warming up")
        await mixed_load(
            port,
            lambda i: ("search", ("GET", mix.paths[i % len(mix.paths)], None)),
            concurrency=args.concurrency,
            seconds=2,
            reconnect_every=args.reconnect_every,
        )
        backends = await backend_pids()  # PostgreSQL's share: every connection to this database
        watched = pids + ([dispatcher.pid] if dispatcher else [])
        watch = Watch(watched + backends, pids, port)
        async with watch.running():
            with watch.phase("health"):
                health = await mixed_load(
                    port,
                    lambda _: ("health", ("GET", "/health", None)),
                    concurrency=args.concurrency,
                    seconds=args.health_seconds,
                    reconnect_every=args.reconnect_every,
                    kinds={"health": 200},
                )
            with watch.phase("mix"):
                result = await mixed_load(
                    port,
                    mix,
                    concurrency=args.concurrency,
                    seconds=args.seconds,
                    reconnect_every=args.reconnect_every,
                )
            # One more dispatcher tick, so that the last bookings' SMS are claimed too.
            await asyncio.sleep(float(DISPATCH_INTERVAL) + 0.5)
        master_mb = memory_kb(master).get("VmRSS", 0) / 1024
        if dispatcher is not None and dispatcher.returncode is not None:
            raise RuntimeError(f"creneau worker exited with {dispatcher.returncode}")
    after = await claimed_by_process()
    run = Run(
        label,
        workers,
        health,
        result,
        watch.memory,
        pids,
        master,
        master_mb,
        backends,
        dispatcher.pid if dispatcher else None,
        after - before,
    )
    run.server_errors = _log_errors(server_log)
    if dispatcher is not None:
        run.dispatcher_log = worker_log.read_text(errors="replace")
        run.server_errors += _log_errors(worker_log)
    progress(f"{label}: done")
    return run


def _log_errors(path: Path) -> list[str]:
    """Lines of a server's or worker's output that report an error."""
    with contextlib.suppress(OSError):
        return [
            row
            for row in path.read_text(errors="replace").splitlines()
            if row.startswith(("ERROR", "CRITICAL", "Traceback")) or " ERROR " in row
        ]
    return []


# -- report ---------------------------------------------------------------------------------


def print_run(run: Run, baseline_mix: float) -> None:
    mix = run.mix
    heading(
        f"{run.label}: {mix.seconds:.1f} s of mixed load, "
        f"dispatcher {'in a creneau worker' if run.dispatcher_pid else 'in each server worker'}"
    )
    line(
        "mix, all requests",
        f"{mix.rate():7.1f} req/s  ({mix.rate() / run.health.rate():.3f}x /health,"
        f" {mix.rate() / baseline_mix:.2f}x the first run's mix)",
    )
    for result, kind, title in (
        (run.health, "health", "GET /health (baseline, before the mix)"),
        (mix, "search", "GET /api/public/slots"),
        (mix, "book", "POST /api/public/appointments"),
    ):
        k = result.kinds[kind]
        server, other, conn = k.errors()
        taken = f"  409 taken {k.taken}" if kind == "book" else ""
        line(
            title,
            f"{result.rate(kind):7.1f} req/s  p50 {k.p(0.5):6.1f} ms  p95 {k.p(0.95):6.1f} ms"
            f"  ok {k.ok}{taken}  errors {server + other + conn} "
            f"(5xx {server}, other {other}, connection {conn})",
        )
    memory, phase = run.memory, run.memory.phases["mix"]

    def usage(pid: int) -> str:
        return (
            f"peak RSS {memory.peak_mb(pid):6.1f} MB "
            f"(VmHWM {memory.hwm_kb.get(pid, 0) / 1024:5.1f})  "
            f"mix: CPU {phase.cpu.get(pid, 0.0):4.1f} s"
        )

    for pid in run.worker_pids:
        line(
            f"server worker {pid}",
            f"{usage(pid)}, connections {phase.connections.get(pid, 0.0):4.1f} on average  "
            f"SMS claimed {run.claimed.get(pid, 0):3d}  "
            f"{verdict(memory.peak_mb(pid) < RSS_TARGET_MB)}",
        )
    if run.workers > 1:
        line(f"uvicorn master {run.master} (supervisor)", f"RSS {run.master_mb:6.1f} MB")
    if run.dispatcher_pid:
        started = "SMS worker" in run.dispatcher_log and "started" in run.dispatcher_log
        line(
            f"creneau worker {run.dispatcher_pid}",
            f"{usage(run.dispatcher_pid)}  SMS claimed {run.claimed.get(run.dispatcher_pid, 0):3d}"
            f"  started: {'yes' if started else 'NO'}",
        )
    servers = sum(phase.cpu.get(pid, 0.0) for pid in run.worker_pids)
    postgres = sum(phase.cpu.get(pid, 0.0) for pid in run.backends)
    ours = servers + postgres + mix.client_cpu + phase.cpu.get(run.dispatcher_pid or 0, 0.0)
    others = phase.machine_cores - ours / phase.seconds
    line(
        f"cores busy during the mix (of {os.cpu_count()})",
        f"server workers {servers / phase.seconds:4.2f}, PostgreSQL {postgres / phase.seconds:4.2f}"
        f", load client {mix.client_cpu / phase.seconds:4.2f}; whole machine "
        f"{phase.machine_cores:4.2f} (other processes {others:4.2f})",
    )
    for row in run.server_errors[:5]:
        line("server log", row[:200])
    if len(run.server_errors) > 5:
        line("server log", f"... {len(run.server_errors) - 5} more error lines")


def print_summary(runs: list[Run], overlaps: int, mix: Mix, appointments: int) -> None:
    heading(
        f"Summary (PostgreSQL, {appointments:,} appointments, {os.cpu_count()} cores "
        "shared by servers, PostgreSQL and the load client)"
    )
    print(
        f"  {'run':<26}{'/health':>9}{'mix/s':>8}{'ratio':>7}{'search/s':>9}{'p50':>7}"
        f"{'p95':>7}{'book/s':>8}{'p50':>7}{'p95':>7}{'409':>5}{'err':>5}{'max RSS':>9}"
    )
    for run in runs:
        s, b = run.mix.kinds["search"], run.mix.kinds["book"]
        rss = max(run.memory.peak_mb(pid) for pid in run.worker_pids)
        print(
            f"  {run.label:<26}{run.health.rate():9.0f}{run.mix.rate():8.1f}"
            f"{run.mix.rate() / run.health.rate():7.3f}{run.mix.rate('search'):9.1f}{s.p(0.5):7.0f}"
            f"{s.p(0.95):7.0f}{run.mix.rate('book'):8.1f}{b.p(0.5):7.0f}{b.p(0.95):7.0f}"
            f"{b.taken:5d}{run.errors:5d}{rss:7.0f} MB"
        )
    print("  (latencies in ms; RSS: the largest sampled VmRSS of the run's server workers)")
    if mix.ran_out:
        print(f"  the {mix.booked} prepared slots ran out: {mix.ran_out} bookings became searches")
    heading("Targets (issue 9)")
    peak = max(run.memory.peak_mb(pid) for run in runs for pid in run.worker_pids)
    line(
        f"every server worker under {RSS_TARGET_MB:g} MB resident under load",
        f"max {peak:.0f} MB: {verdict(peak < RSS_TARGET_MB)}",
    )
    dispatchers = [r for r in runs if r.dispatcher_pid]
    if dispatchers:
        d = max(r.memory.peak_mb(r.dispatcher_pid or 0) for r in dispatchers)
        line("creneau worker resident memory", f"max {d:.0f} MB: {verdict(d < RSS_TARGET_MB)}")
    errors = sum(r.errors for r in runs)
    line("no 5xx, no connection error, no unexpected 4xx", f"{errors}: {verdict(errors == 0)}")
    logged = sum(len(r.server_errors) for r in runs)
    line("no error in the servers' and workers' logs", f"{logged}: {verdict(logged == 0)}")
    line("double bookings in the whole table", f"{overlaps}: {verdict(overlaps == 0)}")


async def run(db: BenchDatabase, args: argparse.Namespace) -> None:
    from bench.booking import OVERLAPS
    from bench.common import close
    from bench.generate import Scale, generate
    from booking.db import engine

    progress = Progress()
    await open_migrated()
    began = time.perf_counter()
    dataset = await generate(Scale(appointments=args.appointments), progress=lambda _: None)
    progress(
        f"data set: {sum(dataset.counts.values()):,} rows "
        f"({dataset.counts['appointment']:,} appointments) in "
        f"{time.perf_counter() - began:.1f} s"
    )
    slots = await bookable_slots(dataset)
    mix = Mix(search_paths(dataset), slots, args.book_share)
    progress(f"{len(slots):,} free slots to book, {len(mix.paths)} searches to cycle through")
    runs = []
    for workers in args.workers:
        runs.append(await one_run(db, workers, mix, args, progress))
    if args.dispatcher_worker:
        runs.append(
            await one_run(db, args.dispatcher_worker, mix, args, progress, separate_dispatcher=True)
        )
    overlaps = (await engine().run_ddl(OVERLAPS))[0]["n"]
    appointments = (await engine().run_ddl("SELECT COUNT(*) AS n FROM appointment"))[0]["n"]
    await close()
    print(
        f"\nThe load client runs in this process on the same {os.cpu_count()} cores as the "
        "servers and PostgreSQL: it takes its share of the CPU (see 'load client' lines)."
    )
    for r in runs:
        print_run(r, runs[0].mix.rate())
    print_summary(runs, overlaps, mix, appointments)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4", help="uvicorn worker counts to compare")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each mixed load")
    parser.add_argument(
        "--health-seconds", type=float, default=4.0, help="duration of each /health baseline"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="client connections")
    parser.add_argument(
        "--reconnect-every",
        type=int,
        default=10,
        metavar="N",
        help="close and reopen each client connection after N requests, so that uvicorn's "
        "workers share the connections (0: keep them for the whole load)",
    )
    parser.add_argument("--appointments", type=int, default=100_000)
    parser.add_argument(
        "--book-share",
        type=float,
        default=0.1,
        help="fraction of the mix that books (the rest searches)",
    )
    parser.add_argument(
        "--dispatcher-worker",
        type=int,
        default=2,
        metavar="N",
        help="server workers of the run with CRENEAU_DISPATCHER=off and one "
        "creneau worker alongside (0: no such run)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database at the end and print its URL"
    )
    args = parser.parse_args()
    args.workers = [int(n) for n in args.workers.split(",")]
    if not 0 <= args.book_share <= 1:
        parser.error("--book-share must be between 0 and 1")
    began = time.perf_counter()
    with bench_database("postgres", keep=args.keep) as db:
        asyncio.run(run(db, args))
    print(f"\n(total {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()

