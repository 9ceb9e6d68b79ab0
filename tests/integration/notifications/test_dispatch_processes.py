"""Exactly once across processes: 2,000 due SMS, two ``creneau worker`` processes on one
PostgreSQL database, one of them killed with SIGKILL mid-run and started again.

Every POST to the local Twilio is slowed down a little so that the victim is surely holding
claimed rows, some of them already accepted by Twilio, when it dies. The others take its rows
over once the lease (2 s here) has passed, and reconcile them with Twilio's message list
before sending anything.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from booking.db import is_postgres
from notifications.tables import OutboxMessage
from tests.integration.notifications.conftest import OUR_NUMBER
from tests.integration.notifications.helpers import daytime_zone
from tests.twilio_fake import FakeTwilio

MESSAGES = 2000
ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.slow


@pytest.fixture
def live_fake() -> Iterator[FakeTwilio]:
    """A fake on the real clock: the workers stamp their claims with the real time."""
    with FakeTwilio() as server:
        yield server


class Workers:
    def __init__(self, fake: FakeTwilio, logs: Path) -> None:
        self.env = {
            **os.environ,
            "TWILIO_ACCOUNT_SID": fake.account_sid,
            "TWILIO_AUTH_TOKEN": fake.auth_token,
            "TWILIO_FROM_NUMBER": OUR_NUMBER,
            "TWILIO_API_BASE_URL": fake.base_url,
            "PUBLIC_BASE_URL": "https://rdv.example.fr",
            "CRENEAU_DISPATCH_INTERVAL": "1",
            "CRENEAU_DISPATCH_LEASE_SECONDS": "2",
            "NO_PROXY": "127.0.0.1,localhost",
        }
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = (self.logs / f"worker-{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "booking.cli", "worker"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def stop_all(self) -> list[int | None]:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes: list[int | None] = []
        for proc in self.procs:
            try:
                codes.append(proc.wait(timeout=15))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes.append(proc.wait())
        return codes

    def tail(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.logs.glob("*.log"))
        )


async def count(where: str) -> int:
    rows = await OutboxMessage.raw(f"SELECT count(*) AS n FROM outbox_message WHERE {where}")
    return int(rows[0]["n"])


async def wait_until(check: str, target: int, seconds: float) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if await count(check) >= target:
            return True
        await asyncio.sleep(0.02)
    return False


async def test_two_workers_and_a_sigkill_send_each_message_exactly_once(
    live_fake: FakeTwilio, tmp_path: Path
) -> None:
    if not is_postgres():
        pytest.skip("several dispatcher processes share a PostgreSQL database only")
    now = datetime.now(UTC)
    zone = daytime_zone(now)  # noon somewhere: the quiet hours never get in the way
    for first in range(0, MESSAGES, 500):  # asyncpg takes at most 32,767 arguments
        await OutboxMessage.insert(
            *[
                OutboxMessage(
                    kind="appointment_reminder",
                    to_phone=f"+3361{i:07d}",
                    body=f"Rappel n°{i} : RDV demain à 14h00.",
                    due_at=now - timedelta(seconds=5),
                    created_at=now - timedelta(seconds=10),
                    timezone=zone,
                    status="pending",
                )
                for i in range(first, first + 500)
            ]
        )
    live_fake.delay_next(0.01, count=MESSAGES * 2)
    workers = Workers(live_fake, tmp_path)
    try:
        victim = workers.start()
        workers.start()
        mine = f"claimed_by LIKE '%:{victim.pid}:%'"
        assert await wait_until(f"status = 'sent' AND {mine}", 150, 30), workers.tail()
        assert await wait_until(f"status = 'claimed' AND {mine}", 1, 10), workers.tail()
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        stranded = await count(f"status = 'claimed' AND {mine}")
        workers.start()  # the victim comes back under a new pid
        assert await wait_until("status = 'sent'", MESSAGES, 45), workers.tail()
    finally:
        codes = workers.stop_all()
    assert stranded >= 1  # the kill did leave claimed rows to take over
    assert codes[0] == -signal.SIGKILL and codes[1:] == [0, 0], workers.tail()

    sent = Counter(m.body for m in live_fake.messages)
    assert len(sent) == MESSAGES and set(sent.values()) == {1}, [
        body for body, n in sent.items() if n > 1
    ][:5]
    rows = await OutboxMessage.select(
        OutboxMessage.body, OutboxMessage.provider_id, OutboxMessage.status
    )
    sid_by_body = {m.body: m.sid for m in live_fake.messages}
    assert all(r["status"] == "sent" and r["provider_id"] == sid_by_body[r["body"]] for r in rows)
    reclaimed_lookups = [r for r in live_fake.requests if r.method == "GET"]
    assert reclaimed_lookups  # the stranded rows were looked up before any resend
