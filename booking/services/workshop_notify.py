"""SMS about workshop registrations, enqueued inside the use case's transaction.

A whole-*parcours* registration gets one confirmation (for its first session) and a
reminder the day before each session; the outbox subject is the registration row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from booking.db import aware
from booking.services.notify import Recipient
from booking.tables import Resident, WorkshopSession
from notifications.outbox import NewMessage, cancel_pending, enqueue
from notifications.policy import SmsPolicy, adjust_for_quiet_hours, plan_workshop_messages
from notifications.templates import MessageContext, MessageKind, compose

SUBJECT = "registration"
POLICY = SmsPolicy(reminder_offsets=(timedelta(days=1),))


@dataclass(frozen=True, slots=True)
class SessionFacts:
    session_id: int
    start: datetime
    tz: str
    place: str
    address: str
    label: str


async def session_facts(session_ids: Iterable[int]) -> dict[int, SessionFacts]:
    rows = await WorkshopSession.select(
        WorkshopSession.id,
        WorkshopSession.starts_at,
        WorkshopSession.series.title.as_alias("label"),
        WorkshopSession.venue.name.as_alias("place"),
        WorkshopSession.venue.address.as_alias("address"),
        WorkshopSession.venue._.commune._.timezone.as_alias("tz"),
    ).where(WorkshopSession.id.is_in(sorted(set(session_ids)) or [-1]))
    return {
        r["id"]: SessionFacts(
            r["id"], aware(r["starts_at"]), r["tz"], r["place"], r["address"], r["label"]
        )
        for r in rows
    }


async def recipients(resident_ids: Iterable[int]) -> dict[int, Recipient]:
    rows = await Resident.select(
        Resident.id,
        Resident.phone,
        Resident.sms_consent,
        Resident.phone_status,
        Resident.anonymised_at,
    ).where(Resident.id.is_in(sorted(set(resident_ids)) or [-1]))
    return {
        r["id"]: Recipient(
            r["id"],
            r["phone"],
            bool(r["sms_consent"]) and r["phone_status"] == "ok" and r["anonymised_at"] is None,
        )
        for r in rows
    }


def _message(
    kind: MessageKind,
    facts: SessionFacts,
    to: Recipient,
    registration_id: int,
    due: datetime,
    link: str,
    expires: datetime | None = None,
) -> NewMessage:
    body = compose(
        kind,
        MessageContext(
            start=facts.start,
            tz=facts.tz,
            place=facts.place,
            address=facts.address,
            label=facts.label,
            link=link,
            offer_expires=expires,
        ),
    )
    return NewMessage(
        kind=kind.value,
        to_phone=to.phone,
        body=body,
        due_at=due,
        resident_id=to.resident_id,
        subject_kind=SUBJECT,
        subject_id=registration_id,
        event_start=facts.start,
        timezone=facts.tz,
    )


async def registration_confirmed(
    rows: Sequence[tuple[int, SessionFacts]],
    to: Recipient,
    *,
    channel: str,
    now: datetime,
    link: str,
    confirm: bool = True,
) -> None:
    """``rows``: (registration id, its session) for every confirmed row of one registration.
    One confirmation (unless ``confirm`` is false), one reminder per session."""
    if not to.sms_ok or not rows:
        return
    ordered = sorted(rows, key=lambda row: row[1].start)
    messages: list[NewMessage] = []
    for index, (registration_id, facts) in enumerate(ordered):
        for planned in plan_workshop_messages(
            start=facts.start, tz=facts.tz, booked_at=now, channel=channel, now=now, policy=POLICY
        ):
            if planned.kind is MessageKind.WORKSHOP_REGISTRATION and (index or not confirm):
                continue
            messages.append(
                _message(planned.kind, facts, to, registration_id, planned.due_at, link)
            )
    await enqueue(messages, now=now)


async def offer_made(
    registration_id: int,
    facts: SessionFacts,
    to: Recipient,
    *,
    expires: datetime,
    link: str,
    now: datetime,
) -> None:
    if not to.sms_ok:
        return
    due = adjust_for_quiet_hours(now, ZoneInfo(facts.tz), POLICY, direction="later")
    if due >= expires:
        due = now  # the dispatcher still keeps quiet hours; better late than never
    await enqueue(
        [_message(MessageKind.WAITLIST_OFFER, facts, to, registration_id, due, link, expires)],
        now=now,
    )


async def session_cancelled(
    registration_id: int, facts: SessionFacts, to: Recipient, *, link: str, now: datetime
) -> None:
    if not to.sms_ok or facts.start <= now:
        return
    due = adjust_for_quiet_hours(now, ZoneInfo(facts.tz), POLICY, direction="later")
    await enqueue(
        [
            _message(
                MessageKind.SESSION_CANCELLED,
                facts,
                to,
                registration_id,
                min(due, facts.start),
                link,
            )
        ],
        now=now,
    )


async def drop_pending(
    registration_ids: Iterable[int], *, reason: str, kinds: list[str] | None = None
) -> None:
    for registration_id in sorted(set(registration_ids)):
        await cancel_pending(
            subject_kind=SUBJECT, subject_id=registration_id, kinds=kinds, reason=reason
        )
