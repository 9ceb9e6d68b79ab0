"""SMS dispatch throughput with one and two ``creneau worker`` processes (PostgreSQL).

    .venv/bin/python bench/dispatch.py [--messages 1000] [--delay-ms 0]

Everything stays on the loopback: a throw-away PostgreSQL database (dropped at the end,
like the test suite's), the local Twilio-compatible server of the tests, and worker
processes started with ``--once`` (drain, then exit). The baseline is measured in the same
run: the fake server's raw request rate from a plain aiohttp loop (the client under Twilio's)
with the same concurrency as one dispatcher. Rates are printed with their ratios, not bare times.

A worker's rate is messages / (last ``sent_at`` - first claim): process start-up excluded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.pg import create_database, drop_database  # noqa: E402
from tests.twilio_fake import FakeTwilio  # noqa: E402
from tests.twilio_fake import server as fake_server  # noqa: E402

# http.server writes headers and body in two segments: with Nagle's algorithm and delayed
# ACKs every answer waits ~40 ms, and the bench would measure that instead of the dispatcher.
fake_server._Handler.disable_nagle_algorithm = True

CONCURRENCY = 8  # DispatchConfig.concurrency
RUN_TIMEOUT = 120.0
OUR_NUMBER = "+33757000001"


def daytime_zone(now: datetime) -> str:
    """A fixed-offset zone where it is about noon, so the quiet hours never interfere."""
    offset = 12 - now.hour
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


async def raw_http_rate(fake: FakeTwilio, count: int) -> float:
    """Messages per second posted straight to the fake with aiohttp (the HTTP client under
    Twilio's async client) and no database, ``CONCURRENCY`` requests in flight."""
    import aiohttp

    url = f"{fake.base_url}/2010-04-01/Accounts/{fake.account_sid}/Messages.json"
    gate = asyncio.Semaphore(CONCURRENCY)
    auth = aiohttp.BasicAuth(fake.account_sid, fake.auth_token)
    async with aiohttp.ClientSession(auth=auth) as session:

        async def one(i: int) -> None:
            async with gate:
                data = {"To": f"+3362{i:07d}", "From": OUR_NUMBER, "Body": f"Base {i}"}
                async with session.post(url, data=data) as response:
                    response.raise_for_status()
                    await response.read()

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        return count / (time.perf_counter() - started)


async def fill_outbox(count: int, run: int) -> None:
    from notifications.tables import OutboxMessage

    now = datetime.now(UTC)
    zone = daytime_zone(now)
    for first in range(0, count, 500):
        await OutboxMessage.insert(
            *[
                OutboxMessage(
                    kind="appointment_reminder",
                    to_phone=f"+336{run}{i:07d}",
                    body=f"Essai {run} n°{i} : RDV demain à 14h00.",
                    due_at=now - timedelta(seconds=1),
                    created_at=now - timedelta(seconds=1),
                    timezone=zone,
                    status="pending",
                )
                for i in range(first, min(first + 500, count))
            ]
        )


def run_workers(env: dict[str, str], workers: int) -> None:
    """Start ``workers`` processes with ``worker --once`` and wait for them all."""
    argv = [sys.executable, "-m", "booking.cli", "worker", "--once"]
    procs = [
        subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(workers)
    ]
    deadline = time.monotonic() + RUN_TIMEOUT
    for proc in procs:
        try:
            _, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for other in procs:
                other.kill()
            raise SystemExit(
                f"{workers} worker(s) did not finish within {RUN_TIMEOUT:.0f} s"
            ) from None
        if proc.returncode != 0:
            raise SystemExit(f"worker failed ({proc.returncode}):\n{err.decode()[-2000:]}")


async def dispatch_rate(fake: FakeTwilio, env: dict[str, str], workers: int, count: int) -> float:
    from notifications.tables import OutboxMessage

    await OutboxMessage.delete(force=True)
    before = len(fake.messages)
    await fill_outbox(count, workers)
    await asyncio.to_thread(run_workers, env, workers)
    rows: list[dict[str, Any]] = await OutboxMessage.raw(
        "SELECT count(*) FILTER (WHERE status = 'sent') AS sent, min(claimed_at) AS first,"
        " max(sent_at) AS last FROM outbox_message"
    )
    stats = rows[0]
    bodies = Counter(m.body for m in fake.messages[before:])
    if stats["sent"] != count or len(bodies) != count or set(bodies.values()) != {1}:
        raise SystemExit(f"not exactly once: {stats['sent']} sent, {len(bodies)} distinct")
    return count / (stats["last"] - stats["first"]).total_seconds()


def worker_env(fake: FakeTwilio, database_url: str, data_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "CRENEAU_DATA_DIR": data_dir,
        "CRENEAU_ENV": "development",
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_FROM_NUMBER": OUR_NUMBER,
        "TWILIO_API_BASE_URL": fake.base_url,
        "PUBLIC_BASE_URL": "https://rdv.example.fr",
        "NO_PROXY": "127.0.0.1,localhost",
    }


async def bench(args: argparse.Namespace, database_url: str) -> None:
    from booking.db import close_engine, open_engine
    from booking.migrate import migrate

    await open_engine(pool_size=4)
    try:
        await migrate()
        with FakeTwilio() as fake:
            if args.delay_ms:
                fake.delay_next(args.delay_ms / 1000, count=args.messages * 4)
            baseline = await raw_http_rate(fake, args.messages)
            with tempfile.TemporaryDirectory(prefix="creneau-bench-") as data_dir:
                env = worker_env(fake, database_url, data_dir)
                one = await dispatch_rate(fake, env, 1, args.messages)
                two = await dispatch_rate(fake, env, 2, args.messages)
    finally:
        await close_engine()
    print(f"{args.messages} messages per run, fake Twilio delay {args.delay_ms} ms per request")
    print(f"{'':<34}{'msg/s':>9}{'x baseline':>12}{'x 1 worker':>12}")
    print(f"{'baseline: raw aiohttp POST loop':<34}{baseline:>9.0f}{1.0:>12.2f}{'':>12}")
    for label, rate in (("dispatch, 1 worker", one), ("dispatch, 2 workers", two)):
        print(f"{label:<34}{rate:>9.0f}{rate / baseline:>12.2f}{rate / one:>12.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1000, help="per run (100-5000)")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="fake latency per request")
    parser.add_argument(
        "--pg",
        default=os.environ.get("CRENEAU_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"),
        help="an admin URL of the local PostgreSQL (a database is created and dropped)",
    )
    args = parser.parse_args()
    if not 100 <= args.messages <= 5000 or not 0 <= args.delay_ms <= 200:
        parser.error("--messages: 100 to 5000; --delay-ms: 0 to 200")
    name = f"creneau_bench_{os.getpid()}_{secrets.token_hex(3)}"
    database_url = asyncio.run(create_database(args.pg, name))
    os.environ["DATABASE_URL"] = database_url  # before anything imports the tables
    os.environ["PICCOLO_CONF"] = "booking.piccolo_conf"
    try:
        asyncio.run(bench(args, database_url))
    finally:
        asyncio.run(drop_database(args.pg, name))


if __name__ == "__main__":
    main()
