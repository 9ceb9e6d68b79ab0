"""One import point for SMS senders, and the choice between Twilio and the console."""

from __future__ import annotations

from notifications.console_sender import ConsoleSender
from notifications.sender_base import (
    PermanentSendError,
    PhoneFlag,
    ProviderMessage,
    SendError,
    SendResult,
    SmsSender,
    TransientSendError,
)
from notifications.twilio_sender import TwilioConfig, TwilioSender

__all__ = [
    "ConsoleSender",
    "PermanentSendError",
    "PhoneFlag",
    "ProviderMessage",
    "SendError",
    "SendResult",
    "SmsSender",
    "TransientSendError",
    "TwilioConfig",
    "TwilioSender",
    "make_sms_sender",
]


def make_sms_sender(
    *,
    account_sid: str = "",
    auth_token: str = "",
    from_number: str = "",
    messaging_service_sid: str = "",
    sender_id: str = "",
    api_base_url: str = "",
    timeout: float = 10.0,
) -> SmsSender:
    """Twilio when credentials are set (ValueError if the rest is inconsistent), else console.

    The caller still awaits ``start()`` inside the running loop and ``close()`` at shutdown.
    """
    if not account_sid and not auth_token:
        return ConsoleSender()
    return TwilioSender(
        TwilioConfig(
            account_sid=account_sid,
            auth_token=auth_token,
            from_number=from_number,
            messaging_service_sid=messaging_service_sid,
            sender_id=sender_id,
            api_base_url=api_base_url,
            timeout=timeout,
        )
    )
