"""A real uvicorn server on loopback (in a subprocess) and a light keep-alive HTTP/1.1 load
client written on asyncio streams, so that the client costs little CPU next to the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import BenchDatabase, percentile

Request = tuple[str, str, bytes | None]  # method, path, JSON body
ROOT = Path(__file__).resolve().parents[1]


def create_bench_app() -> Any:
    """uvicorn factory: the real app, a frozen clock (``CRENEAU_BENCH_NOW``), console SMS."""
    from booking.app import create_app
    from booking.settings import load_settings
    from notifications.senders import ConsoleSender

    now = datetime.fromisoformat(os.environ["CRENEAU_BENCH_NOW"])
    return create_app(load_settings(), sms_sender=ConsoleSender(), clock=lambda: now)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def running_server(
    db: BenchDatabase, *, workers: int = 1, log: Path | None = None, **settings: str
) -> AsyncIterator[int]:
    """Start ``uvicorn`` (``workers`` processes, uvloop, httptools) on 127.0.0.1; yield its
    port. ``settings`` are extra environment variables (``CRENEAU_…``) for the server;
    ``log``, a file for its output (else it shares this process's)."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.http_load:create_bench_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--workers",
        str(workers),
    ]
    with contextlib.ExitStack() as files:
        output = files.enter_context(log.open("ab")) if log is not None else None
        process = await asyncio.create_subprocess_exec(
            *command,
            env={**os.environ, **db.env(), **settings},
            cwd=ROOT,
            stdout=output,
            stderr=output,
        )
    try:
        await _wait_ready(port, process)
        yield port
    finally:
        await stop(process)


async def stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM, then SIGKILL after 20 s; nothing if it has exited on its own."""
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(process.wait(), timeout=20)
    except TimeoutError:
        process.kill()
        await process.wait()


async def _wait_ready(port: int, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise RuntimeError(f"the bench server exited with {process.returncode}")
        try:
            conn = await Connection.open(port)
            try:
                status, _ = await conn.send(("GET", "/health", None))
            finally:
                await conn.close()
            if status == 200:
                return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("the bench server did not answer /health within 60 s")


class Connection:
    """One keep-alive HTTP/1.1 connection (Content-Length or chunked bodies)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def send(self, request: Request) -> tuple[int, bytes]:
        method, path, body = request
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + (body or b""))
        status = int((await self.reader.readline()).split()[1])
        length, chunked = 0, False
        while (header := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = header.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if not chunked:
            return status, await self.reader.readexactly(length)
        parts = []
        while size := int((await self.reader.readline()).strip(), 16):
            parts.append(await self.reader.readexactly(size))
            await self.reader.readline()
        await self.reader.readline()
        return status, b"".join(parts)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


@dataclass
class LoadResult:
    requests: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    bodies: list[tuple[int, bytes]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def p(self, fraction: float) -> float:
        return percentile(self.latencies_ms, fraction)


async def load(
    port: int,
    make: Callable[[int], Request],
    *,
    concurrency: int,
    seconds: float | None = None,
    total: int | None = None,
    keep_bodies: bool = False,
) -> LoadResult:
    """Send requests from ``concurrency`` connections, for ``seconds`` or ``total`` requests
    (the i-th request is ``make(i)``)."""
    result = LoadResult()
    counter = iter(range(10**9))
    deadline = time.perf_counter() + (seconds or 1e9)

    async def worker() -> None:
        conn = await Connection.open(port)
        try:
            while time.perf_counter() < deadline:
                i = next(counter)
                if total is not None and i >= total:
                    return
                began = time.perf_counter()
                status, body = await conn.send(make(i))
                result.latencies_ms.append((time.perf_counter() - began) * 1000)
                result.statuses[status] += 1
                if keep_bodies:
                    result.bodies.append((status, body))
        finally:
            await conn.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.seconds = time.perf_counter() - began
    result.requests = len(result.latencies_ms)
    return result
