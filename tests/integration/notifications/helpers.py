"""Outbox and resident rows for the delivery tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from booking.tables import Resident
from notifications.tables import OutboxMessage


async def add_resident(
    phone: str, *, first_name: str = "Josiane", sms_consent: bool = True, phone_status: str = "ok"
) -> int:
    resident = Resident(
        first_name=first_name,
        last_name="Keller",
        phone=phone,
        sms_consent=sms_consent,
        phone_status=phone_status,
    )
    await resident.save()
    return int(resident.id)


async def add_message(now: datetime, **fields: Any) -> int:
    """A pending SMS due now (created a minute ago), overridable field by field."""
    values: dict[str, Any] = {
        "kind": "appointment_reminder",
        "to_phone": "+33612345678",
        "body": "Rappel de votre RDV le mar. 24 nov. a 14h00, Mediatheque de Selestat.",
        "due_at": now,
        "created_at": now - timedelta(minutes=1),
        "timezone": "Europe/Paris",
        "event_start": now + timedelta(hours=4),
        "status": "pending",
        **fields,
    }
    message = OutboxMessage(**values)
    await message.save()
    return int(message.id)


async def row(message_id: int) -> dict[str, Any]:
    found = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert found is not None
    for key in ("due_at", "claimed_at", "sent_at", "event_start", "created_at"):
        if isinstance(found[key], datetime) and found[key].tzinfo is None:
            found[key] = found[key].replace(tzinfo=UTC)
    return found


async def phone_status(resident_id: int) -> tuple[bool, str]:
    found = (
        await Resident.select(Resident.sms_consent, Resident.phone_status)
        .where(Resident.id == resident_id)
        .first()
    )
    assert found is not None
    return bool(found["sms_consent"]), found["phone_status"]


def daytime_zone(now: datetime) -> str:
    """A fixed-offset zone where ``now`` is between noon and 1 p.m., so that real-time tests
    (worker processes, the app's timer) never meet the quiet hours."""
    offset = 12 - now.astimezone(UTC).hour  # -11 .. +12
    if offset == 0:
        return "Etc/GMT"
    return f"Etc/GMT{-offset:+d}"  # POSIX signs: Etc/GMT-3 is UTC+3
