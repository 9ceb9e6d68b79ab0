"""``X-Twilio-Signature`` checking for webhooks (delivery status, inbound SMS).

Twilio signs the URL it called, which is the public one: behind a reverse proxy the app sees
another scheme, host or port, so the URL is rebuilt from ``PUBLIC_BASE_URL``.
"""

from __future__ import annotations

from collections.abc import Mapping

from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"


def public_webhook_url(public_base_url: str, path: str, query_string: str = "") -> str:
    """``PUBLIC_BASE_URL`` + request path + raw query string, as Twilio requested it."""
    url = public_base_url.rstrip("/") + "/" + path.lstrip("/")
    return f"{url}?{query_string}" if query_string else url


def is_valid_twilio_signature(
    *, auth_token: str, public_url: str, params: Mapping[str, str], signature: str | None
) -> bool:
    """True when ``signature`` is Twilio's HMAC-SHA1 of ``public_url`` + the POST params.

    ``params`` may be a multi-dict (``getall``/``getlist``): repeated keys are then signed as
    Twilio does. An empty auth token never validates (it would accept forgeries).
    """
    if not auth_token or not signature:
        return False
    return bool(RequestValidator(auth_token).validate(public_url, params, signature))
