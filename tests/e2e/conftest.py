"""Browser tests: a real uvicorn serving a fresh demo database, driven by Debian's Chromium.

The server runs in a subprocess with its own database (SQLite file, or a throw-away
PostgreSQL database with ``--db=postgres``): the integration tests' cleanup never touches it.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.support import CHROMIUM, CHROMIUM_ARGS, ROOT, Auditor, require_prerequisites


@dataclass
class LiveServer:
    base_url: str
    data_dir: Path

    def set_clock(self, now: datetime) -> None:
        (self.data_dir / "clock.txt").write_text(now.isoformat())

    def reset_clock(self) -> None:
        (self.data_dir / "clock.txt").unlink(missing_ok=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the e2e server stopped:\n{log.read_text()[-3000:]}", pytrace=False)
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    pytest.fail(f"the e2e server did not start:\n{log.read_text()[-3000:]}", pytrace=False)


@pytest.fixture(scope="session")
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    require_prerequisites()
    data_dir = tmp_path_factory.mktemp("e2e")
    pg_name = ""
    if request.config.getoption("--db") == "postgres":
        from tests.conftest import PG_ADMIN_URL
        from tests.support.pg import create_database, drop_database

        pg_name = f"creneau_e2e_{os.getpid()}_{secrets.token_hex(3)}"
        url = asyncio.run(create_database(PG_ADMIN_URL, pg_name))
    else:
        url = f"sqlite:///{data_dir}/e2e.sqlite"
    port = _free_port()
    log = data_dir / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.e2e.server",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
                "--database-url",
                url,
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(proc, base_url, log)
        yield LiveServer(base_url, data_dir)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if pg_name:
            asyncio.run(drop_database(PG_ADMIN_URL, pg_name))


@pytest.fixture(scope="session")
async def browser(live_server: LiveServer) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


@pytest.fixture
async def auditor(browser: Any, live_server: LiveServer) -> AsyncIterator[Auditor]:
    audit = Auditor(browser, live_server.base_url)
    yield audit
    await audit.close()


class Tab:
    """A page in a fresh context; console errors (CSP refusals included) are collected."""

    def __init__(self, page: Any, javascript: bool) -> None:
        self.page = page
        self.javascript = javascript
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        # Error pages (a form's 422) are logged as failed loads: responses are checked below.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def _response(self, response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.errors.append(f"{response.status} {response.url}")


async def open_tab(browser: Any, *, javascript: bool = True) -> Tab:
    context = await browser.new_context(
        java_script_enabled=javascript, locale="fr-FR", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(10_000)
    return Tab(await context.new_page(), javascript)


@pytest.fixture
async def tab(browser: Any) -> AsyncIterator[Tab]:
    opened = await open_tab(browser)
    yield opened
    await opened.page.context.close()
    assert opened.errors == [], f"console errors: {opened.errors}"


@pytest.fixture
async def tab_without_js(browser: Any) -> AsyncIterator[Tab]:
    opened = await open_tab(browser, javascript=False)
    yield opened
    await opened.page.context.close()
    assert opened.errors == [], f"console errors: {opened.errors}"
