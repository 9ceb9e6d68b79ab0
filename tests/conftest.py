"""Test session set-up: one fresh database per session, emptied after each test.

The engine is chosen with ``--db=sqlite|postgres`` (or ``CRENEAU_TEST_DB``). Piccolo binds
tables when they are imported, so ``DATABASE_URL`` is set in ``pytest_configure``, before any
test module imports the tables.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from pathlib import Path

import pytest

PG_ADMIN_URL = os.environ.get("CRENEAU_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", default=os.environ.get("CRENEAU_TEST_DB", "sqlite"),
                     choices=["sqlite", "postgres"], help="database engine for the suite")


def pytest_configure(config: pytest.Config) -> None:
    engine = config.getoption("--db")
    workdir = Path(tempfile.mkdtemp(prefix="creneau-test-"))
    os.environ["CRENEAU_ENV"] = "test"
    os.environ["CRENEAU_DATA_DIR"] = str(workdir)
    os.environ["PICCOLO_CONF"] = "booking.piccolo_conf"
    if engine == "postgres":
        from tests.support.pg import create_database

        name = f"creneau_test_{os.getpid()}_{secrets.token_hex(3)}"
        url = asyncio.run(create_database(PG_ADMIN_URL, name))
        config.stash[_PG_DB] = name
    else:
        url = f"sqlite:///{workdir}/test.sqlite"
    os.environ["DATABASE_URL"] = url
    config.stash[_ENGINE] = engine


def pytest_unconfigure(config: pytest.Config) -> None:
    name = config.stash.get(_PG_DB, None)
    if name:
        from tests.support.pg import drop_database

        asyncio.run(drop_database(PG_ADMIN_URL, name))


def pytest_report_header(config: pytest.Config) -> str:
    return f"créneau database engine: {config.stash[_ENGINE]}"


_ENGINE = pytest.StashKey[str]()
_PG_DB = pytest.StashKey[str]()

pytest_plugins = ["tests.support.fixtures"]
