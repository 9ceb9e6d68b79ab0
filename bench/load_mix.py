"""The mixed load of ``bench/load.py``: what residents ask for (slot searches across communes
and services, bookings of free slots, each at most once) and the client that sends it."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bench.common import BENCH_NOW, percentile
from bench.http_load import Connection, Request

SEARCH_SERVICES = ("demarches", "email", "smartphone")  # the online-bookable ones
# 08:35 in Paris: past the SMS quiet hours (20:00-08:30), so that the dispatchers send the
# confirmations of the bookings during the load instead of deferring them.
LOAD_NOW = BENCH_NOW + timedelta(minutes=35)


@dataclass
class KindResult:
    ok_status: int
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    connection_errors: int = 0

    @property
    def ok(self) -> int:
        return self.statuses.get(self.ok_status, 0)

    @property
    def taken(self) -> int:
        """409: the slot was taken meanwhile (an expected answer, counted apart)."""
        return self.statuses.get(409, 0) if self.ok_status == 201 else 0

    def errors(self) -> tuple[int, int, int]:
        """(5xx, unexpected 4xx or other, connection errors)."""
        server = sum(n for s, n in self.statuses.items() if s >= 500)
        other = sum(self.statuses.values()) - self.ok - self.taken - server
        return server, other, self.connection_errors

    def p(self, fraction: float) -> float:
        return percentile(self.latencies_ms, fraction)


@dataclass
class MixResult:
    seconds: float
    kinds: dict[str, KindResult]
    client_cpu: float  # seconds of this process's CPU during the load

    @property
    def requests(self) -> int:
        return sum(len(k.latencies_ms) + k.connection_errors for k in self.kinds.values())

    def rate(self, kind: str | None = None) -> float:
        if kind is None:
            return self.requests / self.seconds
        return len(self.kinds[kind].latencies_ms) / self.seconds


Make = Callable[[int], tuple[str, Request]]
MIX_KINDS = {"search": 200, "book": 201}  # kind -> the status that answers it well


async def mixed_load(
    port: int,
    make: Make,
    *,
    concurrency: int,
    seconds: float,
    reconnect_every: int = 0,
    kinds: dict[str, int] | None = None,
) -> MixResult:
    """``concurrency`` keep-alive connections for ``seconds``; the i-th request is
    ``make(i)`` = (kind, request). Each connection is closed and opened again after
    ``reconnect_every`` requests (0: never): uvicorn's workers share one listening socket and
    whichever is awake accepts, so a burst of long-lived connections can all land on one
    worker; reopened connections go to the workers that are free. A broken connection is
    counted as an error of its request's kind and opened again."""
    results = {kind: KindResult(ok) for kind, ok in (kinds or MIX_KINDS).items()}
    first_kind = next(iter(results))
    counter = iter(range(10**9))
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        conn: Connection | None = None
        sent = 0
        while time.perf_counter() < deadline:
            if conn is not None and reconnect_every and sent >= reconnect_every:
                await conn.close()
                conn = None
            if conn is None:
                try:
                    conn, sent = await Connection.open(port), 0
                except OSError:
                    results[first_kind].connection_errors += 1
                    await asyncio.sleep(0.05)
                    continue
            kind, request = make(next(counter))
            began = time.perf_counter()
            sent += 1
            try:
                status, _ = await conn.send(request)
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                results[kind].connection_errors += 1
                await conn.close()
                conn = None
                continue
            results[kind].latencies_ms.append((time.perf_counter() - began) * 1000)
            results[kind].statuses[status] += 1
        if conn is not None:
            await conn.close()

    began, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return MixResult(time.perf_counter() - began, results, time.process_time() - cpu)


# -- what the residents ask for -------------------------------------------------------------


async def bookable_slots(dataset: Any) -> list[tuple[int, Any]]:
    """Free "démarches" slots over 60 days in every commune, distinct per counsellor and
    start (the service's step is its duration plus buffer: one counsellor's never overlap)."""
    from booking.services.slot_search import Scope, search_slots

    found: dict[tuple[int, datetime], tuple[int, Any]] = {}
    for commune in dataset.plan.communes:
        service_id = dataset.plan.services[dataset.plan.commune_convention[commune]]["demarches"]
        search = await search_slots(
            service_id=service_id,
            scope=Scope(commune_id=commune),
            now=LOAD_NOW,
            start=LOAD_NOW,
            end=LOAD_NOW + timedelta(days=60),
        )
        for slot in search.slots:
            found.setdefault((slot.counsellor_id, slot.start), (service_id, slot))
    slots = list(found.values())
    random.Random(5).shuffle(slots)
    return slots


def search_paths(dataset: Any) -> list[str]:
    """Every commune with each online service of its convention, shuffled."""
    paths = [
        f"/api/public/slots?service_id={dataset.plan.services[conv][slug]}&commune_id={commune}"
        for commune, conv in dataset.plan.commune_convention.items()
        for slug in SEARCH_SERVICES
    ]
    random.Random(7).shuffle(paths)
    return paths


def booking_body(offer: tuple[int, Any], n: int) -> bytes:
    service_id, slot = offer
    return json.dumps(
        {
            "service_id": service_id,
            "venue_id": slot.venue_id,
            "counsellor_id": slot.counsellor_id,
            "start": slot.start.isoformat(),
            "first_name": f"Charge{n}",
            "last_name": "Banc",
            "phone": f"+336{50_000_000 + n:08d}",
            "email": "",
            "sms_consent": True,
        }
    ).encode()


class Mix:
    """Searches, and one booking every ``1 / share`` requests on a slot never offered before
    (a search instead once the slots run out)."""

    def __init__(self, paths: list[str], slots: list[tuple[int, Any]], share: float) -> None:
        self.paths, self.slots, self.share = paths, iter(slots), share
        self.searches = 0
        self.booked = 0
        self.ran_out = 0

    def __call__(self, i: int) -> tuple[str, Request]:
        if int((i + 1) * self.share) > int(i * self.share):
            offer = next(self.slots, None)
            if offer is not None:
                self.booked += 1
                return "book", (
                    "POST",
                    "/api/public/appointments",
                    booking_body(offer, self.booked),
                )
            self.ran_out += 1
        self.searches += 1
        return "search", ("GET", self.paths[self.searches % len(self.paths)], None)


