"""Signed webhooks as Twilio posts them: delivery status callbacks and inbound SMS.

Each request is signed over ``url`` (the public URL Twilio would call) with the auth token.
``post_to`` sends it elsewhere (e.g. the app's address behind a proxy); the async variants
take an ``httpx.AsyncClient``, e.g. one on ``httpx.ASGITransport(app)`` for an in-process app
(the sync variants would block an app that runs in the caller's event loop).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from twilio.request_validator import RequestValidator

from notifications.gsm import segment_count
from tests.twilio_fake.state import API_VERSION, new_sid

if TYPE_CHECKING:
    from tests.twilio_fake.state import FakeState


class WebhookMixin:
    account_sid: str
    auth_token: str
    phone_number: str
    state: FakeState

    def sign(self, url: str, params: dict[str, str]) -> dict[str, str]:
        """Headers of a form POST to ``url`` carrying ``params``, signed as Twilio does."""
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        return {"X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1"}

    def status_callback_params(
        self, message_sid: str, status: str, *, error_code: int | None = None, to: str = ""
    ) -> dict[str, str]:
        """Updates the recorded message (when known) and returns the callback's form fields."""
        known = self.state.get(message_sid) is not None
        message = self.state.set_status(message_sid, status, error_code) if known else None
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "MessageSid": message_sid,
            "SmsSid": message_sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "To": message.to if message else to,
            "From": (message.from_ if message else None) or self.phone_number,
        }
        if message is not None and message.messaging_service_sid:
            params["MessagingServiceSid"] = message.messaging_service_sid
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        return params

    def inbound_params(self, from_: str, body: str, *, to: str | None = None) -> dict[str, str]:
        sid = new_sid("SM")
        return {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "MessageSid": sid,
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "SmsStatus": "received",
            "From": from_,
            "To": to or self.phone_number,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": str(segment_count(body)),
        }

    def send_status_callback(
        self,
        message_sid: str,
        status: str,
        url: str,
        *,
        error_code: int | None = None,
        to: str = "",
        post_to: str | None = None,
    ) -> httpx.Response:
        params = self.status_callback_params(message_sid, status, error_code=error_code, to=to)
        return httpx.post(
            post_to or url, data=params, headers=self.sign(url, params), trust_env=False
        )

    async def asend_status_callback(
        self,
        message_sid: str,
        status: str,
        url: str,
        *,
        error_code: int | None = None,
        to: str = "",
        post_to: str | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> httpx.Response:
        params = self.status_callback_params(message_sid, status, error_code=error_code, to=to)
        return await _apost(client, post_to or url, params, self.sign(url, params))

    def inbound(
        self, url: str, from_: str, body: str, *, to: str | None = None, post_to: str | None = None
    ) -> httpx.Response:
        params = self.inbound_params(from_, body, to=to)
        return httpx.post(
            post_to or url, data=params, headers=self.sign(url, params), trust_env=False
        )

    async def ainbound(
        self,
        url: str,
        from_: str,
        body: str,
        *,
        to: str | None = None,
        post_to: str | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> httpx.Response:
        params = self.inbound_params(from_, body, to=to)
        return await _apost(client, post_to or url, params, self.sign(url, params))


async def _apost(
    client: httpx.AsyncClient | None, url: str, params: dict[str, str], headers: dict[str, str]
) -> httpx.Response:
    if client is not None:
        return await client.post(url, data=params, headers=headers)
    async with httpx.AsyncClient(trust_env=False) as own:
        return await own.post(url, data=params, headers=headers)
