"""Browser-test helpers: prerequisites, axe-core audits, screenshots, sign-in."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CRENEAU_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = Path(
    os.environ.get("CRENEAU_AXE_JS", ROOT / "tests/artifacts/node_modules/axe-core/axe.min.js")
)
SCREENSHOTS = ROOT / "tests/artifacts/screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
INSTALL_HINT = (
    "apt-get install -y chromium; pip install playwright; "
    "npm install --prefix tests/artifacts axe-core@4"
)


def missing_prerequisites() -> list[str]:
    missing = []
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("the playwright package")
    if not CHROMIUM.exists():
        missing.append(f"Chromium at {CHROMIUM}")
    if not AXE_JS.exists():
        missing.append(f"axe-core at {AXE_JS}")
    return missing


def require_prerequisites() -> None:
    """Skip on a workstation without the browser tools; fail under CI, which installs them."""
    missing = missing_prerequisites()
    if not missing:
        return
    reason = f"browser tests need {', '.join(missing)} ({INSTALL_HINT})"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@dataclass
class Auditor:
    """Runs axe-core (WCAG 2.1 A and AA rules) on every page a test looks at.

    A page of a context without JavaScript is audited from a copy of its HTML, served under
    the same origin to a JavaScript-enabled page (axe itself is JavaScript)."""

    browser: Any
    base_url: str
    source: str = field(default_factory=lambda: AXE_JS.read_text(encoding="utf-8"))
    audited: list[str] = field(default_factory=list)
    _helper: Any = None

    async def check(self, page: Any, *, javascript: bool = True) -> None:
        target = page if javascript else await self._replay(page)
        await target.wait_for_load_state()  # not halfway through a navigation
        await target.evaluate(self.source)
        result = await target.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})).violations.map(v => ({id: v.id, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' '))}))",
            WCAG_TAGS,
        )
        self.audited.append(page.url)
        assert result == [], f"axe violations on {page.url}:\n{json.dumps(result, indent=1)}"
        if javascript:
            await self._layout_checks(page)

    async def _replay(self, page: Any) -> Any:
        html = await page.content()
        if self._helper is None:
            context = await self.browser.new_context()
            self._helper = await context.new_page()
        url = f"{self.base_url}/__audit__"
        await self._helper.unroute(url)
        await self._helper.route(
            url, lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8")
        )
        await self._helper.goto(url)
        return self._helper

    async def _layout_checks(self, page: Any) -> None:
        """Controls are at least 44 px tall (radios and boxes through their row)."""
        small = await page.evaluate("""() => {
          const out = [];
          const sel = 'button:not([hidden]), .button, select, textarea, summary,' +
            ' input:not([type=hidden]):not([type=radio]):not([type=checkbox])';
          for (const el of document.querySelectorAll(sel)) {
            const r = el.getBoundingClientRect();
            if (r.width && r.height < 43.5) out.push(el.outerHTML.slice(0, 80));
          }
          for (const el of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
            const row = el.closest('.choice');
            const r = (row || el).getBoundingClientRect();
            if (r.height < 43.5) out.push(el.outerHTML.slice(0, 80));
          }
          return out;
        }""")
        assert small == [], f"touch targets under 44px on {page.url}: {small}"

    async def close(self) -> None:
        if self._helper is not None:
            await self._helper.context.close()


async def screenshots(page: Any, name: str, *, print_media: bool = False) -> None:
    """Full-page screenshots at 360 and 1280 CSS px wide; at 360 px nothing scrolls sideways
    (reflow, WCAG 1.4.10) when JavaScript can tell."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for width in (360, 1280):
        await page.set_viewport_size({"width": width, "height": 800})
        if print_media:
            await page.emulate_media(media="print")
        await page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        if print_media:
            await page.emulate_media(media="screen")
    if original:
        await page.set_viewport_size(original)


async def no_sideways_scroll(page: Any) -> None:
    await page.set_viewport_size({"width": 360, "height": 800})
    overflow = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    await page.set_viewport_size({"width": 1280, "height": 800})
    assert overflow <= 0, f"{page.url} scrolls sideways at 360 px ({overflow}px)"


async def sign_in(page: Any, base_url: str, email: str) -> None:
    from booking.demo import DEMO_PASSWORD

    await page.goto(f"{base_url}/staff/login")
    await page.fill("#email", email)
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("button[type=submit] >> text=Se connecter")
    await page.wait_for_url(f"{base_url}/staff**")
