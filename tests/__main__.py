"""The whole check, as CI runs it: ``python -m tests``.

Lint (ruff), types (mypy), then the test suite once on SQLite and once on PostgreSQL.
PostgreSQL comes from ``CRENEAU_TEST_PG`` (default: postgres@127.0.0.1:5432/test). When it
does not answer, the PostgreSQL run is skipped with a warning on a workstation, and is a
failure under ``CI=true``. Extra arguments go to pytest.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time

SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped)")


def run(title: str, argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    print(f"\n=== {title} ===", flush=True)
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})
    last = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        if SUMMARY.search(line):
            last = line
    code = proc.wait()
    print(f"--- {title}: exit {code} in {time.monotonic() - started:.0f}s", flush=True)
    return code, last


def postgres_answers() -> bool:
    import asyncpg

    url = os.environ.get("CRENEAU_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

    async def probe() -> None:
        conn = await asyncpg.connect(url, timeout=5)
        await conn.close()

    try:
        asyncio.run(probe())
    except Exception as err:
        print(f"PostgreSQL does not answer at {url}: {err}", flush=True)
        return False
    return True


def counts(summary: str) -> dict[str, int]:
    found = {kind.rstrip("s") if kind.startswith("error") else kind: int(n)
             for n, kind in SUMMARY.findall(summary)}
    return found


def main() -> int:
    in_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    py = sys.executable
    extra = sys.argv[1:]
    failures: list[str] = []
    totals = {"passed": 0, "failed": 0, "skipped": 0, "error": 0}

    for title, argv in (("ruff", [py, "-m", "ruff", "check", "."]),
                        ("mypy", [py, "-m", "mypy"])):
        if run(title, argv)[0] != 0:
            failures.append(title)

    engines = ["sqlite"]
    if postgres_answers():
        engines.append("postgres")
    elif in_ci:
        failures.append("postgres (not reachable in CI)")
    else:
        print("WARNING: PostgreSQL run skipped (not reachable); CI requires it.", flush=True)

    for engine in engines:
        code, summary = run(f"pytest on {engine}",
                            [py, "-m", "pytest", f"--db={engine}", "-q", *extra])
        for kind, n in counts(summary).items():
            totals[kind] = totals.get(kind, 0) + n
        if code != 0:
            failures.append(f"pytest on {engine}")

    print("\n=== summary ===")
    print(f"engines: {', '.join(engines)}")
    if failures:
        print("failed steps: " + ", ".join(failures))
    failed = totals["failed"] + totals["error"] + (1 if failures and not totals["failed"] else 0)
    print(f"total: {totals['passed']} passed, {failed} failed, {totals['skipped']} skipped")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
