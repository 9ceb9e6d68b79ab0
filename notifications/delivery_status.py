"""Delivery-status callbacks: the provider tells how a sent SMS ended.

Twilio posts ``MessageSid``, ``MessageStatus`` (queued, sending, sent, delivered,
undelivered, failed…) and, on failure, ``ErrorCode``. Callbacks may arrive out of order: a
final status (delivered, failed) is never replaced by an intermediate one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from notifications.claims import DELIVERED, FAILED
from notifications.recipients import flag_phone
from notifications.sender_base import PhoneFlag
from notifications.tables import OutboxMessage
from notifications.twilio_sender import INVALID_NUMBER_CODES, UNSUBSCRIBED_CODES

STATUS_CALLBACK_PATH = "/webhooks/twilio/status"
INBOUND_PATH = "/webhooks/twilio/inbound"

_FINAL_BY_PROVIDER = {
    "delivered": DELIVERED,
    "read": DELIVERED,
    "undelivered": FAILED,
    "failed": FAILED,
}


def phone_flag_for(error_code: int | None) -> PhoneFlag | None:
    if error_code in UNSUBSCRIBED_CODES:
        return "unsubscribed"
    if error_code in INVALID_NUMBER_CODES:
        return "invalid"
    return None


@dataclass(frozen=True, slots=True)
class StatusApplied:
    outbox_id: int
    status: str
    flagged: PhoneFlag | None


async def apply_status_callback(
    *, provider_id: str, provider_status: str, error_code: int | None
) -> StatusApplied | None:
    """Record a callback on the outbox row with this provider id (None: unknown id, or a
    stale intermediate status)."""
    if not provider_id:
        return None
    row = (
        await OutboxMessage.select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.to_phone)
        .where(OutboxMessage.provider_id == provider_id)
        .first()
    )
    if row is None:
        return None
    final = _FINAL_BY_PROVIDER.get(provider_status)
    if final is None and row["status"] in (DELIVERED, FAILED):
        return None
    status = final or row["status"]
    values: dict[Any, Any] = {
        OutboxMessage.status: status,
        OutboxMessage.provider_status: provider_status[:32],
    }
    if error_code is not None:
        values[OutboxMessage.last_error] = f"provider error {error_code}"
    await OutboxMessage.update(values).where(OutboxMessage.id == row["id"])
    flag = phone_flag_for(error_code) if final == FAILED else None
    if flag is not None:
        await flag_phone(row["to_phone"], flag)
    return StatusApplied(outbox_id=int(row["id"]), status=status, flagged=flag)
