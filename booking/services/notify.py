"""Compose and enqueue the SMS that follow an appointment's life (inside its transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from notifications.outbox import NewMessage, cancel_pending, enqueue
from notifications.policy import SmsPolicy, plan_appointment_messages
from notifications.templates import MessageContext, MessageKind, compose

APPOINTMENT = "appointment"


@dataclass(frozen=True, slots=True)
class Recipient:
    resident_id: int
    phone: str
    sms_ok: bool  # consent given and phone neither invalid nor opted out


@dataclass(frozen=True, slots=True)
class AppointmentFacts:
    appointment_id: int
    start: datetime
    tz: str
    place: str
    address: str
    label: str
    link: str


def policy_for(reminder_offsets_minutes: tuple[int, ...],
               confirm_online_ahead_minutes: int | None) -> SmsPolicy:
    return SmsPolicy(
        reminder_offsets=tuple(timedelta(minutes=m) for m in reminder_offsets_minutes),
        confirm_online_if_booked_ahead=(None if confirm_online_ahead_minutes is None
                                        else timedelta(minutes=confirm_online_ahead_minutes)),
    )


def _message(kind: MessageKind, facts: AppointmentFacts, to: Recipient,
             due: datetime) -> NewMessage:
    body = compose(kind, MessageContext(start=facts.start, tz=facts.tz, place=facts.place,
                                        address=facts.address, label=facts.label,
                                        link=facts.link))
    return NewMessage(kind=kind.value, to_phone=to.phone, body=body, due_at=due,
                      resident_id=to.resident_id, subject_kind=APPOINTMENT,
                      subject_id=facts.appointment_id, event_start=facts.start,
                      timezone=facts.tz)


async def appointment_booked(
    facts: AppointmentFacts, to: Recipient, *, channel: str, now: datetime, policy: SmsPolicy,
    rescheduled: bool = False,
) -> None:
    if not to.sms_ok:
        return
    planned = plan_appointment_messages(start=facts.start, tz=facts.tz, booked_at=now,
                                        channel=channel, now=now, policy=policy)
    messages = []
    for p in planned:
        kind = p.kind
        if rescheduled and kind is MessageKind.APPOINTMENT_CONFIRMATION:
            kind = MessageKind.APPOINTMENT_RESCHEDULED
        messages.append(_message(kind, facts, to, p.due_at))
    if rescheduled and not any(m.kind == MessageKind.APPOINTMENT_RESCHEDULED for m in messages):
        messages.insert(0, _message(MessageKind.APPOINTMENT_RESCHEDULED, facts, to, now))
    await enqueue(messages, now=now)


async def appointment_cancelled(
    facts: AppointmentFacts, to: Recipient, *, by_staff: bool, now: datetime, notify: bool = True,
) -> None:
    """Cancel pending reminders; tell the resident (unless they moved the appointment)."""
    await cancel_pending(subject_kind=APPOINTMENT, subject_id=facts.appointment_id,
                         reason="appointment cancelled")
    if notify and to.sms_ok and facts.start > now:
        kind = (MessageKind.APPOINTMENT_CANCELLED_BY_STAFF if by_staff
                else MessageKind.APPOINTMENT_CANCELLED_BY_RESIDENT)
        await enqueue([_message(kind, facts, to, now)], now=now)
