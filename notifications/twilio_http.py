"""Twilio's aiohttp client, pointed at ``TWILIO_API_BASE_URL`` when one is set.

Twilio's edge/region settings cannot aim at localhost, so every ``*.twilio.com`` URL is
rewritten here; the REST code above it stays Twilio's own.
"""

from __future__ import annotations

import base64
import contextvars
import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from twilio.http.async_http_client import AsyncTwilioHttpClient

_logger = logging.getLogger(__name__)

retry_after_hint: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "twilio_retry_after", default=None
)
"""``Retry-After`` of the last HTTP 429 seen by the current task (reset it before a call)."""


def rewrite_twilio_url(url: str, base_url: str) -> str:
    """``https://api.twilio.com/2010-04-01/…`` -> ``{base_url}/2010-04-01/…`` (any *.twilio.com)."""
    if not base_url:
        return url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host != "twilio.com" and not host.endswith(".twilio.com"):
        return url
    base = urlsplit(base_url)
    return urlunsplit(
        (base.scheme, base.netloc, base.path.rstrip("/") + parts.path, parts.query, "")
    )


class RedirectingHttpClient(AsyncTwilioHttpClient):
    """Twilio's aiohttp client with URL rewriting, a default timeout and quiet, PII-free logs."""

    def __init__(self, *, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout, logger=_logger)
        self.base_url = base_url

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (Twilio's signature)
        allow_redirects: bool = False,
    ) -> Any:
        if auth is not None:  # aiohttp deprecates BasicAuth objects: send the header itself
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
            headers = {**(headers or {}), "Authorization": f"Basic {token}"}
        response = await super().request(
            method,
            rewrite_twilio_url(url, self.base_url),
            params=params,
            data=data,
            headers=headers,
            auth=None,
            timeout=timeout if timeout is not None else self.timeout,  # None = no timeout
            allow_redirects=allow_redirects,
        )
        if response.status_code == 429:
            retry_after_hint.set(_parse_retry_after(response.headers.get("Retry-After")))
        return response

    def log_request(self, kwargs: dict[str, Any]) -> None:  # the query holds the phone number
        self.logger.debug("Twilio %s %s", kwargs["method"], urlsplit(kwargs["url"]).path)

    def log_response(self, status_code: int, response: Any) -> None:
        self.logger.debug("Twilio answered HTTP %s", status_code)


def _parse_retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: rare from Twilio, left to the caller's own backoff
