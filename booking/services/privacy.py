"""Residents' personal data: retention (anonymisation after inactivity), export and erasure.

Appointment and registration rows stay (statistics, attributable history); what identifies
the person is blanked on the resident row, and their SMS traces are deleted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from booking.auth.permissions import Target
from booking.auth.scopes import conventions_of_commune
from booking.db import write_transaction
from booking.errors import NotFound
from booking.services import audit
from booking.tables import Appointment, Registration, Resident, WorkshopAnimator
from notifications.tables import InboundMessage, OutboxMessage

ANONYMOUS = {"first_name": "Anonyme", "last_name": "", "phone": "", "email": ""}
FINISHED_OUTBOX = ("sent", "delivered", "failed", "cancelled", "skipped")


def months_before(now: datetime, months: int) -> datetime:
    return now - timedelta(days=round(months * 30.44))


async def _blank(resident_ids: list[int], phones: list[str], now: datetime) -> None:
    if not resident_ids:
        return
    await Resident.update({
        Resident.first_name: ANONYMOUS["first_name"], Resident.last_name: "",
        Resident.phone: "", Resident.email: "", Resident.sms_consent: False,
        Resident.anonymised_at: now,
    }).where(Resident.id.is_in(resident_ids))
    await OutboxMessage.delete().where(OutboxMessage.resident_id.is_in(resident_ids))
    if phones:
        await InboundMessage.delete().where(InboundMessage.from_phone.is_in(phones))


async def apply_retention(*, now: datetime, months: int) -> dict[str, int]:
    """Anonymise residents inactive for ``months`` (nothing upcoming), trim old SMS traces."""
    cutoff = months_before(now, months)
    async with write_transaction():
        stale = await Resident.select(Resident.id, Resident.phone).where(
            (Resident.last_activity_at < cutoff) & Resident.anonymised_at.is_null())
        upcoming = {r["resident"] for r in await Appointment.select(Appointment.resident).where(
            (Appointment.status == "booked") & (Appointment.ends_at > now))}
        upcoming |= {r["resident"] for r in await Registration.select(Registration.resident)
                     .where(Registration.status.is_in(["confirmed", "waitlisted", "offered"])
                            & (Registration.session._.ends_at > now))}
        chosen = [r for r in stale if r["id"] not in upcoming]
        await _blank([r["id"] for r in chosen], [r["phone"] for r in chosen if r["phone"]], now)
        trimmed = await OutboxMessage.delete().where(
            (OutboxMessage.created_at < cutoff)
            & OutboxMessage.status.is_in(list(FINISHED_OUTBOX))).returning(OutboxMessage.id)
        inbound = await InboundMessage.delete().where(
            InboundMessage.received_at < cutoff).returning(InboundMessage.id)
        await audit.record(at=now, actor_kind="system", actor_id=None, action="retention.run",
                           entity="resident", entity_id=None, anonymised=len(chosen),
                           outbox_trimmed=len(trimmed), inbound_trimmed=len(inbound))
    return {"anonymised": len(chosen), "outbox_trimmed": len(trimmed),
            "inbound_trimmed": len(inbound)}


async def resident_target(resident_id: int) -> Target:
    """A resident is in the scope of the communes where they were received, and their own
    (with the conventions covering them), and of the counsellors who received them."""
    row = await Resident.select(Resident.commune).where(Resident.id == resident_id).first()
    if row is None:
        raise NotFound("Cet usager n'existe pas.")
    seen = await Appointment.select(
        Appointment.venue._.commune.as_alias("commune"), Appointment.counsellor).where(
        Appointment.resident == resident_id)
    communes = {r["commune"] for r in seen}
    counsellors = {r["counsellor"] for r in seen}
    registered = await Registration.select(
        Registration.session._.venue._.commune.as_alias("commune"),
        Registration.session._.series.as_alias("series")).where(
        Registration.resident == resident_id)
    communes |= {r["commune"] for r in registered}
    if registered:
        counsellors |= {r["counsellor"] for r in await WorkshopAnimator.select(
            WorkshopAnimator.counsellor).where(
            WorkshopAnimator.series.is_in(sorted({r["series"] for r in registered})))}
    if row["commune"]:
        communes.add(row["commune"])
    conventions: set[int] = set()
    for commune in communes:
        conventions |= await conventions_of_commune(commune)
    return Target(convention_ids=frozenset(conventions), commune_ids=frozenset(communes),
                  counsellor_ids=frozenset(counsellors))


async def export_resident(resident_id: int) -> dict[str, Any]:
    """Everything stored about one resident (the right of access)."""
    resident = await Resident.select().where(Resident.id == resident_id).first()
    if resident is None:
        raise NotFound("Cet usager n'existe pas.")
    appointments = await Appointment.select(
        Appointment.id, Appointment.starts_at, Appointment.ends_at, Appointment.status,
        Appointment.channel, Appointment.service._.public_label.as_alias("service"),
        Appointment.venue._.name.as_alias("venue"), Appointment.created_at,
    ).where(Appointment.resident == resident_id).order_by(Appointment.starts_at)
    registrations = await Registration.select(
        Registration.id, Registration.status, Registration.party_size, Registration.created_at,
        Registration.session._.starts_at.as_alias("starts_at"),
        Registration.session._.series._.title.as_alias("workshop"),
    ).where(Registration.resident == resident_id).order_by(Registration.id)
    messages = await OutboxMessage.select(
        OutboxMessage.kind, OutboxMessage.body, OutboxMessage.status, OutboxMessage.sent_at,
        OutboxMessage.created_at,
    ).where(OutboxMessage.resident_id == resident_id).order_by(OutboxMessage.id)
    fields = ("first_name", "last_name", "phone", "email", "sms_consent", "phone_status",
              "created_at", "last_activity_at", "anonymised_at")
    return {"resident": {k: resident[k] for k in fields}, "appointments": appointments,
            "registrations": registrations, "sms": messages}


async def erase_resident(resident_id: int, *, staff_id: int, now: datetime) -> None:
    """The right to erasure: upcoming appointments and registrations are cancelled, the
    person's data blanked, their SMS traces deleted."""
    resident = await Resident.select(Resident.phone).where(Resident.id == resident_id).first()
    if resident is None:
        raise NotFound("Cet usager n'existe pas.")
    async with write_transaction():
        await Appointment.update({
            Appointment.status: "cancelled", Appointment.cancelled_at: now,
            Appointment.cancelled_by_kind: "staff", Appointment.cancelled_by: staff_id,
            Appointment.cancel_reason: "effacement des données", Appointment.updated_at: now,
            Appointment.sequence: Appointment.sequence + 1,
        }).where((Appointment.resident == resident_id) & (Appointment.status == "booked")
                 & (Appointment.starts_at > now))
        await _blank([resident_id], [resident["phone"]] if resident["phone"] else [], now)
        await audit.record(at=now, actor_kind="staff", actor_id=staff_id,
                           action="resident.erase", entity="resident", entity_id=resident_id)
