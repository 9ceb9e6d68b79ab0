"""The SMS sender an app runs with, chosen from the settings."""

from __future__ import annotations

from booking.settings import Settings
from notifications.senders import SmsSender, make_sms_sender


def sender_from_settings(settings: Settings) -> SmsSender:
    tw = settings.twilio
    return make_sms_sender(
        account_sid=tw.account_sid, auth_token=tw.auth_token, from_number=tw.from_number,
        messaging_service_sid=tw.messaging_service_sid, sender_id=tw.sender_id,
        api_base_url=tw.api_base_url,
    )
