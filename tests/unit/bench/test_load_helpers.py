"""The helpers of ``bench/load.py``: the request mix, the load client and /proc readings."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from types import SimpleNamespace

from bench.load_mix import KindResult, Mix, mixed_load
from bench.proc_watch import children, memory_kb


def test_mix_books_each_slot_once_at_the_share_then_searches() -> None:
    slot = SimpleNamespace(venue_id=3, counsellor_id=4, start=datetime(2026, 11, 24, tzinfo=UTC))
    mix = Mix(["/a", "/b"], [(1, slot), (2, slot)], share=0.25)
    requests = [mix(i) for i in range(12)]
    kinds = [kind for kind, _ in requests]
    assert kinds.count("book") == 2  # two slots only: the third booking turn searches
    assert kinds[3] == kinds[7] == "book" and kinds[11] == "search"
    assert mix.booked == 2 and mix.ran_out == 1 and mix.searches == 10
    bodies = [body for kind, (_, _, body) in requests if kind == "book"]
    assert b'"service_id": 1' in bodies[0] and b'"service_id": 2' in bodies[1]


def test_errors_count_409_apart_for_bookings_only() -> None:
    book = KindResult(201)
    book.statuses.update({201: 5, 409: 2, 422: 1, 500: 3})
    book.connection_errors = 4
    assert (book.ok, book.taken, book.errors()) == (5, 2, (3, 1, 4))
    search = KindResult(200)
    search.statuses.update({200: 5, 409: 1})
    assert (search.taken, search.errors()) == (0, (0, 1, 0))


async def test_mixed_load_reopens_connections_every_n_requests() -> None:
    opened = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal opened
        opened += 1
        while (await reader.readline()) not in (b"", b"\r\n"):
            while (await reader.readline()) not in (b"", b"\r\n"):
                pass
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        result = await mixed_load(
            port,
            lambda _: ("health", ("GET", "/", None)),
            concurrency=2,
            seconds=0.3,
            reconnect_every=5,
            kinds={"health": 200},
        )
    served = result.kinds["health"]
    assert served.ok > 10 and served.errors() == (0, 0, 0)
    assert opened >= served.ok // 5


def test_children_and_memory_read_proc() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        assert child.pid in children(os.getpid())
        mine = memory_kb(os.getpid())
        assert 0 < mine["VmRSS"] <= mine["VmHWM"]
    finally:
        child.kill()
        child.wait()
