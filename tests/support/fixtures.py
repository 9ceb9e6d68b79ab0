"""Fixtures shared by the integration tests: database, app, HTTP client, clock, staff."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.support.clock import FrozenClock
from tests.support.lifespan import running_lifespan

# A Monday morning in Paris, in term time; tests move it as they need.
DEFAULT_NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
TABLES_IN_DELETE_ORDER = [
    "audit_log", "rate_counter", "api_token", "outbox_message", "inbound_message",
    "registration", "workshop_session", "workshop_animator", "workshop_series",
    "appointment", "login_attempt", "staff_session", "role_assignment", "staff_user",
    "resident", "venue_closure", "closure_source", "absence", "availability_rule", "service",
    "convention_counsellor", "counsellor", "venue", "convention_commune", "convention",
    "commune",
]


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[None]:
    from booking.db import close_engine, open_engine
    from booking.migrate import migrate

    await open_engine(pool_size=20)
    await migrate()
    yield
    await close_engine()


@pytest.fixture
async def db(database: None) -> AsyncIterator[None]:
    """An empty, migrated database; everything written by the test is removed after it."""
    yield
    from booking.db import engine, is_postgres

    if is_postgres():
        await engine().run_ddl(
            "TRUNCATE " + ", ".join(TABLES_IN_DELETE_ORDER) + " RESTART IDENTITY CASCADE")
    else:
        for table in TABLES_IN_DELETE_ORDER:
            await engine().run_ddl(f"DELETE FROM {table}")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(DEFAULT_NOW)


@pytest.fixture
def settings() -> Any:
    """The environment's settings, without the timed SMS dispatcher (tests drive it)."""
    from dataclasses import replace

    from booking.settings import load_settings

    return replace(load_settings(), dispatcher_enabled=False)


@pytest.fixture
def sms_sender() -> Any:
    from notifications.senders import ConsoleSender

    return ConsoleSender()


@pytest.fixture
async def app(db: None, settings: Any, clock: FrozenClock, sms_sender: Any) -> AsyncIterator[Any]:
    from booking.app import create_app

    application = create_app(settings, sms_sender=sms_sender, clock=clock)
    async with running_lifespan(application):
        yield application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def demo(db: None, clock: FrozenClock) -> dict[str, Any]:
    from booking.demo import seed_demo

    return await seed_demo(today=clock().date())


CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_token(client: httpx.AsyncClient, page: str) -> str:
    response = await client.get(page)
    match = CSRF_INPUT.search(response.text)
    assert match, f"no CSRF field on {page}"
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    token = await csrf_token(client, "/staff/login")
    return await client.post("/staff/login", data={"email": email, "password": password,
                                                   "_csrf_token": token})
