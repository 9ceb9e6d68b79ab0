"""Watch processes through /proc while a load runs: resident memory (sampled), CPU time,
the connections a server's workers hold, and how busy the whole machine is (Linux only)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_SECONDS = 0.2


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, user + system CPU ticks) of a process, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[1].split()
    return int(fields[1]), int(fields[11]) + int(fields[12])


def cpu_seconds(pid: int) -> float:
    """User plus system CPU of a process (all its threads), 0 once it is gone."""
    stat = _stat(pid)
    return stat[1] / os.sysconf("SC_CLK_TCK") if stat else 0.0


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (scanning /proc: ``task/*/children`` is not always built)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) and stat[0] == pid:
            found.append(int(entry.name))
    return sorted(found)


def memory_kb(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` (the kernel's own peak) of a process, in kB."""
    values: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = row.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0])
    return values


def server_master(port: int) -> int:
    """The uvicorn process ``running_server`` started for ``port`` (a child of this one)."""
    for pid in children(os.getpid()):
        words = _cmdline(pid).split()
        if "uvicorn" in words and str(port) in words:
            return pid
    raise RuntimeError(f"no uvicorn process of ours listens on port {port}")


def server_processes(port: int) -> list[int]:
    """The uvicorn process ``running_server`` started for ``port`` and its children."""
    master = server_master(port)
    return [master, *children(master)]


def server_workers(master: int, workers: int) -> list[int]:
    """The worker processes: uvicorn's spawned children, or the master itself for one."""
    if workers == 1:
        return [master]
    return [pid for pid in children(master) if "spawn_main" in _cmdline(pid)]


async def wait_workers(master: int, workers: int, within: float = 90.0) -> list[int]:
    """Wait until the ``workers`` processes exist and have gone idle (imports done, pool
    open): ``running_server`` returns as soon as one of them answers."""
    deadline = time.monotonic() + within
    previous: dict[int, int] = {}
    while time.monotonic() < deadline:
        pids = server_workers(master, workers)
        ticks = {pid: stat[1] for pid in pids if (stat := _stat(pid))}
        if len(ticks) == workers and ticks == previous:
            return pids
        previous = ticks
        await asyncio.sleep(0.4)
    raise RuntimeError(f"{workers} server workers did not settle within {within:g} s")


def _socket_inodes(pid: int) -> set[str]:
    found = set()
    with contextlib.suppress(OSError):
        for fd in os.scandir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                if (target := os.readlink(fd.path)).startswith("socket:["):
                    found.add(target[8:-1])
    return found


def connections(pids: list[int], port: int) -> dict[int, int]:
    """Established connections on ``port`` held by each of ``pids`` (uvicorn's workers share
    one listening socket: whichever is idle first accepts, the kernel does not balance)."""
    mine = set()
    with contextlib.suppress(OSError):
        for row in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            cols = row.split()
            if int(cols[1].rsplit(":", 1)[1], 16) == port and cols[3] == "01":
                mine.add(cols[9])
    return {pid: len(_socket_inodes(pid) & mine) for pid in pids}


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine, from the first line of /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


@dataclass
class Phase:
    """What the processes did during one load: CPU seconds per process, the connections each
    server worker held on average, and how busy the whole machine was (in cores)."""

    seconds: float = 0.0
    cpu: dict[int, float] = field(default_factory=dict)
    connections: dict[int, float] = field(default_factory=dict)
    machine_cores: float = 0.0


@dataclass
class Memory:
    peak_kb: dict[int, int] = field(default_factory=dict)  # sampled VmRSS
    hwm_kb: dict[int, int] = field(default_factory=dict)  # the kernel's VmHWM at the end
    phases: dict[str, Phase] = field(default_factory=dict)
    current: str = ""
    samples: Counter[int] = field(default_factory=Counter)  # connection samples per pid

    def peak_mb(self, pid: int) -> float:
        return self.peak_kb.get(pid, 0) / 1024


class Watch:
    """Sample the resident memory of ``pids`` every 200 ms (and the connections the server
    workers hold on ``port``) while the block runs; ``phase(name)`` times one load."""

    def __init__(self, pids: list[int], servers: list[int], port: int) -> None:
        self.pids, self.servers, self.port = pids, servers, port
        self.memory = Memory()

    def sample(self) -> None:
        memory = self.memory
        for pid in self.pids:
            rss = memory_kb(pid).get("VmRSS", 0)
            memory.peak_kb[pid] = max(memory.peak_kb.get(pid, 0), rss)
        if memory.current:
            phase = memory.phases[memory.current]
            for pid, n in connections(self.servers, self.port).items():
                phase.connections[pid] = phase.connections.get(pid, 0.0) + n
                memory.samples[pid] += 1

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[Phase]:
        memory = self.memory
        phase = memory.phases[name] = Phase()
        ticks = os.sysconf("SC_CLK_TCK")
        cpu = {pid: stat[1] for pid in self.pids if (stat := _stat(pid))}
        machine, began = _machine_ticks(), time.perf_counter()
        memory.current, memory.samples = name, Counter()
        try:
            yield phase
        finally:
            memory.current = ""
            phase.seconds = time.perf_counter() - began
            busy, total = (now - then for now, then in zip(_machine_ticks(), machine, strict=True))
            phase.machine_cores = (os.cpu_count() or 1) * busy / max(1, total)
            for pid, then in cpu.items():
                if stat := _stat(pid):
                    phase.cpu[pid] = (stat[1] - then) / ticks
            for pid, n in memory.samples.items():
                phase.connections[pid] /= n

    async def _loop(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(SAMPLE_SECONDS)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Watch]:
        task = asyncio.create_task(self._loop())
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self.sample()
            for pid in self.pids:
                self.memory.hwm_kb[pid] = memory_kb(pid).get("VmHWM", 0)


