"""The foundation end to end: migrations, health, OpenAPI, staff sign-in."""

from __future__ import annotations

from typing import Any

import httpx

from booking.db import engine, is_postgres
from tests.support.fixtures import sign_in

TABLES = {"commune", "convention", "convention_commune", "venue", "counsellor",
          "convention_counsellor", "service", "availability_rule", "absence", "venue_closure",
          "closure_source", "resident", "appointment", "workshop_series", "workshop_animator",
          "workshop_session", "registration", "staff_user", "role_assignment", "staff_session",
          "login_attempt", "api_token", "audit_log", "rate_counter", "outbox_message",
          "inbound_message"}


async def test_migrations_create_every_table() -> None:
    if is_postgres():
        rows = await engine().run_ddl(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'")
    else:
        rows = await engine().run_ddl("SELECT name FROM sqlite_master WHERE type = 'table'")
    assert {r["name"] for r in rows} >= TABLES


async def test_migrations_are_idempotent() -> None:
    from booking.migrate import migrate

    await migrate()
    await migrate()


async def test_health_names_engine(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body == {"status": "ok", "database": "postgresql" if is_postgres() else "sqlite",
                    "database_ok": True}


async def test_openapi_document(client: httpx.AsyncClient) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert "/health" in response.json()["paths"]


async def test_demo_is_idempotent(demo: dict[str, Any]) -> None:
    from booking.demo import seed_demo
    from booking.tables import AvailabilityRule, StaffUser, Venue

    before = (await Venue.count(), await StaffUser.count(), await AvailabilityRule.count())
    await seed_demo()
    assert (await Venue.count(), await StaffUser.count(), await AvailabilityRule.count()) == before
    assert before[0] == 7


async def test_sign_in_and_out(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    from booking.demo import DEMO_PASSWORD

    response = await sign_in(client, "admin@creneau.demo", DEMO_PASSWORD)
    assert response.status_code in (302, 303)
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("samesite", "SameSite")
    home = await client.get("/staff")
    assert home.status_code == 200 and "Administratrice" in home.text


async def test_bad_login_does_not_say_which_field(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    from booking.demo import DEMO_PASSWORD

    wrong_password = await sign_in(client, "admin@creneau.demo", "not-the-password")
    unknown_account = await sign_in(client, "nobody@creneau.demo", DEMO_PASSWORD)
    assert wrong_password.status_code == unknown_account.status_code == 401
    for response in (wrong_password, unknown_account):
        assert "Adresse e-mail ou mot de passe incorrect." in response.text
    assert (await client.get("/staff")).status_code in (302, 303)
