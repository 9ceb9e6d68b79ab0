"""Property-based fuzzing of the whole JSON API from its OpenAPI document (schemathesis).

A real server (``creneau demo``) runs on 127.0.0.1 with its own database, so generated
requests never disturb other tests. Every operation gets a bounded number of cases; no
answer may be a 5xx, and documented answers must match their schema.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from booking.db import is_postgres

ROOT = Path(__file__).parents[3]
CASES_PER_OPERATION = int(os.environ.get("CRENEAU_FUZZ_CASES", "25"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_server() -> Iterator[str]:
    from tests.conftest import PG_ADMIN_URL
    from tests.support.pg import create_database, drop_database

    workdir = Path(tempfile.mkdtemp(prefix="creneau-fuzz-"))
    pg_name = f"creneau_fuzz_{os.getpid()}" if is_postgres() else ""
    url = (asyncio.run(create_database(PG_ADMIN_URL, pg_name)) if pg_name
           else f"sqlite:///{workdir}/fuzz.sqlite")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "CRENEAU_DATA_DIR": str(workdir),
           "CRENEAU_ENV": "test", "CRENEAU_DISPATCHER": "off",
           "CRENEAU_BOOKING_RATE_PER_HOUR": "1000000",
           "CRENEAU_BOOKING_RATE_PER_PHONE_DAY": "1000000",
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    server = subprocess.Popen([sys.executable, "-m", "booking.cli", "demo", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            server.kill()
            pytest.fail("server did not start: " + server.stderr.read().decode()[-2000:])
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        if pg_name:
            asyncio.run(drop_database(PG_ADMIN_URL, pg_name))


def test_no_server_error_and_documented_answers_match(live_server: str) -> None:
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    schema = schemathesis.openapi.from_url(f"{live_server}/schema/openapi.json")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:

        @settings(max_examples=CASES_PER_OPERATION, deadline=None, derandomize=True,
                  database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            response = case.call(base_url=live_server, timeout=30)
            case.validate_response(response, checks=[not_a_server_error,
                                                     response_schema_conformance])

        try:
            run()
        except Exception as failure:  # collect every operation's failure, then report
            failures.append(f"{operation.label}: {str(failure)[:800]}")
    assert not failures, "\n\n".join(failures)
