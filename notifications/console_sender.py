"""The embedded default when no SMS provider is configured: nothing leaves the machine.

Messages stay in the outbox, where staff can read them. The log line carries only the
provider id (also recorded on the outbox row) and the segment count: never the phone number
nor the body, which are personal data.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from notifications.gsm import segment_count
from notifications.sender_base import ProviderMessage, SendResult

logger = logging.getLogger(__name__)


class ConsoleSender:
    name = "console"

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def send(self, *, to: str, body: str, status_callback: str | None) -> SendResult:
        provider_id = f"console-{uuid.uuid4()}"
        logger.info(
            "SMS not sent (console sender), kept in the outbox: %s, %d segment(s)",
            provider_id,
            segment_count(body),
        )
        return SendResult(provider_id=provider_id, status="delivered")

    async def find_sent(self, *, to: str, body: str, since: datetime) -> ProviderMessage | None:
        return None  # nothing ever left the machine, so a resend can never duplicate one
