"""SMS through Twilio's own async client, pointable at any Twilio-compatible server.

Create-message has no idempotency key: the caller claims before ``send`` and records the SID
after; ``find_sent`` reconciles a claim left unconfirmed before any resend.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from twilio.base import values
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from notifications.sender_base import (
    PermanentSendError,
    ProviderMessage,
    SendError,
    SendResult,
    TransientSendError,
)
from notifications.twilio_http import RedirectingHttpClient, retry_after_hint

# 21408 ("region not enabled") is an account setting, not a fault of the number: no flag.
INVALID_NUMBER_CODES = frozenset({21211, 21214, 21217, 21401, 21407, 21421, 21614})
UNSUBSCRIBED_CODES = frozenset({21610})
RECONCILE_CLOCK_TOLERANCE = timedelta(seconds=60)
"""Twilio stamps whole seconds with its own clock: accept messages this much before ``since``."""
RECENT_SCAN_LIMIT = 50
"""Queued messages have no date_sent and may escape a DateSent filter: the latest few are read."""

_SENDER_ID = re.compile(r"[A-Za-z0-9 ]{1,11}")
_SERVICE_SID = re.compile(r"MG[0-9a-fA-F]{32}")


@dataclass(frozen=True, slots=True)
class TwilioConfig:
    account_sid: str
    auth_token: str
    from_number: str = ""
    messaging_service_sid: str = ""
    sender_id: str = ""
    api_base_url: str = ""  # empty: the real api.twilio.com
    timeout: float = 10.0


def _validate(config: TwilioConfig) -> None:
    if not config.account_sid or not config.auth_token:
        raise ValueError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are both required")
    senders = [config.from_number, config.messaging_service_sid, config.sender_id]
    if sum(1 for value in senders if value) != 1:
        raise ValueError(
            "set exactly one of TWILIO_FROM_NUMBER, TWILIO_MESSAGING_SERVICE_SID, TWILIO_SENDER_ID"
        )
    if config.messaging_service_sid and not _SERVICE_SID.fullmatch(config.messaging_service_sid):
        raise ValueError("TWILIO_MESSAGING_SERVICE_SID must look like MG + 32 hex digits")
    sender_id = config.sender_id
    if sender_id and not (
        _SENDER_ID.fullmatch(sender_id) and any(c.isascii() and c.isalpha() for c in sender_id)
    ):
        raise ValueError("TWILIO_SENDER_ID: 1 to 11 letters, digits or spaces, with a letter")
    if config.api_base_url:
        base = urlsplit(config.api_base_url)
        if base.scheme not in ("http", "https") or not base.netloc:
            raise ValueError("TWILIO_API_BASE_URL must be an http(s) URL")
    if config.timeout <= 0:
        raise ValueError("timeout must be positive")


class TwilioSender:
    name = "twilio"

    def __init__(self, config: TwilioConfig) -> None:
        _validate(config)
        self.config = config
        self._http: RedirectingHttpClient | None = None
        self._client: Any = None

    async def start(self) -> None:
        """Create the aiohttp session: must run inside the event loop that will use it."""
        if self._client is None:
            self._http = RedirectingHttpClient(
                base_url=self.config.api_base_url, timeout=self.config.timeout
            )
            self._client = Client(
                username=self.config.account_sid,
                password=self.config.auth_token,
                account_sid=self.config.account_sid,
                http_client=self._http,
                environment={},  # no TWILIO_EDGE / TWILIO_REGION from the process environment
            )

    async def close(self) -> None:
        http, self._http, self._client = self._http, None, None
        if http is not None:
            await http.close()

    def _messages(self) -> Any:
        if self._client is None:
            raise RuntimeError("TwilioSender.start() must be awaited before use")
        return self._client.api.v2010.accounts(self.config.account_sid).messages

    async def send(self, *, to: str, body: str, status_callback: str | None) -> SendResult:
        config = self.config
        origin: dict[str, str] = (
            {"messaging_service_sid": config.messaging_service_sid}
            if config.messaging_service_sid
            else {"from_": config.from_number or config.sender_id}
        )
        messages = self._messages()
        retry_after_hint.set(None)
        try:
            message = await messages.create_async(
                to=to,
                body=body,
                status_callback=status_callback or values.unset,
                **origin,
            )
        except Exception as exc:
            error = _translate(exc, "send")
            if error is None:
                raise
            raise error from None
        return SendResult(provider_id=str(message.sid), status=str(message.status or "queued"))

    async def find_sent(self, *, to: str, body: str, since: datetime) -> ProviderMessage | None:
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        earliest = since.astimezone(UTC) - RECONCILE_CLOCK_TOLERANCE
        messages = self._messages()
        retry_after_hint.set(None)
        try:
            # Twilio filters DateSent by whole UTC days ("DateSent>=YYYY-MM-DD").
            stream = await messages.stream_async(
                to=to, date_sent_after=earliest.date().isoformat(), page_size=100, limit=1000
            )
            found = await _first_match(stream, body, earliest)
            if found is None:
                stream = await messages.stream_async(to=to, limit=RECENT_SCAN_LIMIT)
                found = await _first_match(stream, body, earliest)
        except Exception as exc:
            error = _translate(exc, "message look-up")
            if error is None:
                raise
            raise error from None
        return found


async def _first_match(stream: Any, body: str, earliest: datetime) -> ProviderMessage | None:
    async for message in stream:
        created = message.date_created
        if (
            message.body == body
            and str(message.direction or "").startswith("outbound")
            and isinstance(created, datetime)
            and created >= earliest
        ):
            return ProviderMessage(
                provider_id=str(message.sid),
                to=str(message.to),
                body=body,
                status=str(message.status),
                date_created=created,
            )
    return None


def _translate(exc: Exception, action: str) -> SendError | None:
    """Twilio/aiohttp failure -> SendError (None: a bug, let it raise).

    Twilio's own error text may quote the phone number: it is dropped, code and status kept.
    """
    if isinstance(exc, TwilioRestException):
        status, code = int(exc.status), exc.code if isinstance(exc.code, int) else None
        return _from_status(status, None if code == status else code, action)
    if isinstance(exc, TwilioException) and len(exc.args) > 1:  # page fetch: (text, response)
        page_status = getattr(exc.args[1], "status_code", None)
        if isinstance(page_status, int):
            return _from_status(page_status, None, action)
    if isinstance(exc, TimeoutError):  # aiohttp's timeouts included
        return TransientSendError(f"Twilio {action} timed out", maybe_accepted=True)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return TransientSendError(f"Twilio {action}: cannot connect ({type(exc).__name__})")
    if isinstance(exc, aiohttp.ClientError | json.JSONDecodeError | TwilioException):
        return TransientSendError(
            f"Twilio {action} failed: {type(exc).__name__}", maybe_accepted=True
        )
    raise exc


def _from_status(status: int, code: int | None, action: str) -> SendError:
    text = f"Twilio {action} refused: HTTP {status}" + (f", error {code}" if code else "")
    if status == 429:
        return TransientSendError(
            text, code=code, status=status, retry_after=retry_after_hint.get()
        )
    if status >= 500:
        return TransientSendError(text, code=code, status=status, maybe_accepted=True)
    if code in INVALID_NUMBER_CODES:
        return PermanentSendError(text, code=code, status=status, flag_phone="invalid")
    if code in UNSUBSCRIBED_CODES:
        return PermanentSendError(text, code=code, status=status, flag_phone="unsubscribed")
    return PermanentSendError(text, code=code, status=status)
