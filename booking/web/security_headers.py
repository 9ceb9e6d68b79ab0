"""Security headers on every response; embeddable pages may be framed by configured origins."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from litestar.types import ASGIApp, Message, Receive, Scope, Send

EMBED_PREFIX = "/embed/"


def content_security_policy(frame_ancestors: str) -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ])


def security_headers_middleware(embed_origins: Sequence[str]) -> Callable[[ASGIApp], ASGIApp]:
    """Build an ASGI middleware factory adding the headers (closure over the settings)."""
    embed_ancestors = " ".join(embed_origins) if embed_origins else "'none'"
    common = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    page = [(b"content-security-policy", content_security_policy("'none'").encode()),
            (b"x-frame-options", b"DENY")]
    embed = [(b"content-security-policy", content_security_policy(embed_ancestors).encode())]

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            extra = common + (embed if scope["path"].startswith(EMBED_PREFIX) else page)

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    present = {name.lower() for name, _ in message.get("headers", [])}
                    headers = list(message.get("headers", []))
                    headers.extend(h for h in extra if h[0] not in present)
                    message = {**message, "headers": headers}
                await send(message)

            await app(scope, receive, send_with_headers)

        return middleware

    return factory
