"""Make any DNS look-up other than loopback fail, to prove a test never reaches twilio.com."""

from __future__ import annotations

import socket
from typing import Any

import pytest

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def forbid_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Patch ``socket.getaddrinfo`` (what aiohttp's and httpx's resolvers call).

    Returns the list of every host name asked for, loopback included, for assertions.
    """
    asked: list[str] = []
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        asked.append(name)
        if name not in LOOPBACK:
            raise OSError(f"test tried to resolve {name!r}: only loopback is allowed")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    return asked
