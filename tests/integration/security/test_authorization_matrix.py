"""Every staff route × every role × in-scope and out-of-scope principals (issue 8).

The table (``matrix_routes_api``, ``matrix_routes_pages``; model in ``matrix_table``)
declares, per route, the action it requires and the scope of the object it acts on;
``expected`` derives the answer from ``GRANTS`` and that scope. An allowed principal must get
past the check (any answer but 401/403 or the sign-in page); a refused one gets exactly the
refusal and nothing is written. A route missing from the table fails."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx

from tests.integration.security.matrix_fingerprint import changed, fingerprint
from tests.integration.security.matrix_objects import World, build_world, fresh_token
from tests.integration.security.matrix_principals import PASSWORD, PRINCIPALS, StaffSpec
from tests.integration.security.matrix_routes_api import API_ROUTES
from tests.integration.security.matrix_routes_pages import PAGE_ROUTES
from tests.integration.security.matrix_table import Route, expected, sees
from tests.support.clock import FrozenClock
from tests.support.fixtures import sign_in

ROUTES = (*API_ROUTES, *PAGE_ROUTES)
STAFF_PREFIXES = ("/staff", "/api/staff")
PARAM = re.compile(r"\{(\w+):\w+\}")
# Sign-in and sign-out are checked by ``test_sign_in_and_sign_out``.
MATRIX = [r for r in ROUTES if r.kind != "public" and r.path != "/staff/logout-everywhere"]
# Reads first: a listing's check must not depend on what the writes did.
ORDERED = sorted(MATRIX, key=lambda r: r.method != "GET")


def routed(app: Any) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        for method in handler.http_methods
        if route.path.startswith(STAFF_PREFIXES) and method not in ("HEAD", "OPTIONS")
    }


def test_every_staff_route_has_an_entry(app: Any) -> None:
    table = [r.key for r in ROUTES]
    assert len(table) == len(set(table)), "a route is listed twice"
    missing = sorted(routed(app) - set(table))
    stale = sorted(set(table) - routed(app))
    assert not missing, f"staff routes without an entry in matrix_routes_*: {missing}"
    assert not stale, f"entries in matrix_routes_* no longer routed: {stale}"


def _transport(app: Any, n: int) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=app, client=(f"198.51.100.{n}", 40000 + n))


@asynccontextmanager
async def _client(app: Any, n: int) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=_transport(app, n), base_url="http://testserver"
    ) as client:
        await client.get("/staff/login")  # the CSRF cookie, as a browser would have it
        yield client


async def _path(route: Route, world: World, now: Any) -> str:
    """The route's path for the in-scope objects (a token to revoke is made afresh)."""
    path = route.path
    for name in PARAM.findall(route.path):
        value = await fresh_token(world, now) if name == "token_id" else world.param(name)
        path = re.sub(r"\{" + name + r":\w+\}", str(value), path)
    return path


async def _send(
    client: httpx.AsyncClient,
    route: Route,
    path: str,
    world: World,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = dict(headers or {})
    if route.method != "GET":
        sent["x-csrftoken"] = client.cookies.get("csrftoken") or ""
    return await client.request(
        route.method,
        path,
        headers=sent,
        params=route.query(world) if route.query else None,
        json=route.json(world) if route.json else None,
        data=route.form(world) if route.form else None,
        files=route.files(world) if route.files else None,
    )


def _to_sign_in(response: httpx.Response) -> bool:
    return response.is_redirect and response.headers["location"].startswith("/staff/login")


async def test_unauthenticated_requests_are_refused(
    app: Any, demo: dict[str, Any], settings: Any, clock: FrozenClock
) -> None:
    world = await build_world(demo, settings, clock())
    failures = []
    async with _client(app, 1) as client:
        for route in ROUTES:
            if route.kind == "public":
                continue
            path = await _path(route, world, clock())
            before = await fingerprint()
            for credentials in ({}, {"authorization": "Bearer crn_not-a-token"}):
                response = await _send(client, route, path, world, credentials)
                api = route.path.startswith("/api/")
                if (api and response.status_code != 401) or (not api and not _to_sign_in(response)):
                    failures.append(
                        f"{route.method} {route.path} {credentials}: {response.status_code}"
                    )
            if written := changed(before, await fingerprint()):
                failures.append(f"{route.method} {route.path} wrote {written}")
    assert not failures, "\n".join(failures)


async def _signed_in(
    stack: AsyncExitStack, app: Any, world: World, n: int, spec: StaffSpec
) -> tuple[httpx.AsyncClient, dict[str, str]]:
    client = await stack.enter_async_context(_client(app, n))
    if spec.token_scopes is not None:
        return client, {"authorization": f"Bearer {world.token}"}
    response = await sign_in(client, spec.email, PASSWORD)
    assert response.status_code in (302, 303), (spec.key, response.text)
    return client, {}


def _verdict(spec: StaffSpec, route: Route, response: httpx.Response, allowed: bool) -> str:
    status = response.status_code
    if not allowed:
        return "" if status == route.refused_status else f"should be refused, got {status}"
    if status in (401, 403) or _to_sign_in(response) or status >= 500:
        return f"should pass the check, got {status} {response.text[:120]!r}"
    if route.marker is not None and status == 200:
        text, kind = route.marker
        if (text in response.text) != sees(spec, kind):
            return f"listing shows {text!r}: {text in response.text}, expected {sees(spec, kind)}"
    return ""


async def test_roles_and_scopes(
    app: Any, demo: dict[str, Any], settings: Any, clock: FrozenClock
) -> None:
    world = await build_world(demo, settings, clock())
    failures = []
    async with AsyncExitStack() as stack:
        clients = [
            (spec, *await _signed_in(stack, app, world, n + 10, spec))
            for n, spec in enumerate(PRINCIPALS)
        ]
        for route in ORDERED:
            refused = [
                (*c, await _path(route, world, clock()))
                for c in clients
                if not expected(c[0], route)
            ]
            allowed = [c for c in clients if expected(c[0], route)]
            before = await fingerprint()
            for spec, client, headers, path in refused:
                response = await _send(client, route, path, world, headers)
                if problem := _verdict(spec, route, response, allowed=False):
                    failures.append(f"{route.method} {route.path} as {spec.key}: {problem}")
            if written := changed(before, await fingerprint()):
                failures.append(f"{route.method} {route.path}: refused requests wrote {written}")
            for spec, client, headers in allowed:
                path = await _path(route, world, clock())
                response = await _send(client, route, path, world, headers)
                if problem := _verdict(spec, route, response, allowed=True):
                    failures.append(f"{route.method} {route.path} as {spec.key}: {problem}")
    assert not failures, "\n".join(failures)


async def test_sign_in_and_sign_out(app: Any, demo: dict[str, Any]) -> None:
    """The public routes, and the two that end sessions: only the caller's own."""
    async with AsyncExitStack() as stack:
        first, second, admin, anonymous = [
            await stack.enter_async_context(_client(app, n)) for n in (2, 3, 4, 5)
        ]
        assert (await anonymous.get("/staff/login")).status_code == 200
        refused = await sign_in(anonymous, "conseillere.rance@creneau.demo", "wrong-password!")
        assert refused.status_code == 401 and "creneau_session" not in anonymous.cookies
        tokens = []
        for client, email in (
            (first, "conseillere.rance@creneau.demo"),
            (second, "conseillere.rance@creneau.demo"),
            (admin, "admin@creneau.demo"),
        ):
            assert (await sign_in(client, email, PASSWORD)).status_code in (302, 303)
            tokens.append(client.cookies["creneau_session"])

        async def still_signed_in() -> list[bool]:
            """Each session cookie replayed as is (a logout must end it on the server)."""
            return [
                (
                    await anonymous.get("/staff", headers={"cookie": f"creneau_session={t}"})
                ).status_code
                == 200
                for t in tokens
            ]

        def csrf(client: httpx.AsyncClient) -> dict[str, str]:
            return {"x-csrftoken": client.cookies.get("csrftoken") or ""}

        assert await still_signed_in() == [True, True, True]
        assert _to_sign_in(await first.post("/staff/logout", headers=csrf(first)))
        assert await still_signed_in() == [False, True, True]
        assert (await sign_in(first, "conseillere.rance@creneau.demo", PASSWORD)).is_redirect
        tokens[0] = first.cookies["creneau_session"]
        assert await still_signed_in() == [True, True, True]
        everywhere = await second.post("/staff/logout-everywhere", headers=csrf(second))
        assert _to_sign_in(everywhere)
        assert await still_signed_in() == [False, False, True]
