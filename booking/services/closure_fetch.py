"""Download a closures calendar: http(s) only, bounded in time and size.

``webcal://`` links (what calendar sites offer) are fetched over https. Every request,
redirects included, is refused when its host is or resolves to a link-local, multicast,
unspecified or reserved address (cloud metadata endpoints live there); private networks stay
allowed, since a town hall's calendar server may sit on its intranet.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

import httpx

from calendars.ical_import import MAX_BYTES

TIMEOUT_SECONDS = 10.0
MAX_URL_LENGTH = 500
USER_AGENT = "Creneau/0.1 (import des fermetures)"


class FetchFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normalise_url(url: str) -> str:
    """The http(s) URL to fetch, or FetchFailed (French message)."""
    url = url.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchFailed("L'adresse doit commencer par https:// (ou http://).")
    if len(url) > MAX_URL_LENGTH:
        raise FetchFailed(f"L'adresse dépasse {MAX_URL_LENGTH} caractères.")
    return url


def _refused(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved


async def _check_host(request: httpx.Request) -> None:
    host = request.url.host
    try:
        addresses = (
            [host]
            if _is_ip(host)
            else [
                str(info[4][0])
                for info in await asyncio.get_running_loop().getaddrinfo(
                    host, request.url.port or 443, type=socket.SOCK_STREAM
                )
            ]
        )
    except OSError as exc:
        raise FetchFailed(f"Le serveur « {host} » est introuvable.") from exc
    if any(_refused(a) for a in addresses):
        raise FetchFailed("Cette adresse n'est pas autorisée.")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def fetch_ics(
    url: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    seconds: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_BYTES,
) -> bytes:
    """The body at ``url``; FetchFailed for a bad address, an error status, no answer within
    ``seconds`` (per operation; three times that overall) or a body over ``max_bytes``.
    A custom ``transport`` (tests) skips the host check."""
    url = normalise_url(url)
    hooks = {"request": [_check_host]} if transport is None else {}
    try:
        async with (
            asyncio.timeout(seconds * 3),
            httpx.AsyncClient(
                transport=transport,
                timeout=seconds,
                follow_redirects=True,
                max_redirects=3,
                headers={"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"},
                event_hooks=hooks,
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise FetchFailed(f"Le serveur du calendrier a répondu {response.status_code}.")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchFailed(_too_large(max_bytes))
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise FetchFailed(_too_large(max_bytes))
            return bytes(body)
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise FetchFailed("Le serveur du calendrier ne répond pas (délai dépassé).") from exc
    except httpx.HTTPError as exc:
        raise FetchFailed("Le calendrier n'a pas pu être téléchargé.") from exc


def _too_large(max_bytes: int) -> str:
    return f"Le calendrier dépasse la taille maximale autorisée ({max_bytes // 1024 // 1024} Mo)."
