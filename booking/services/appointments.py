"""Book, cancel, move and close appointments.

Acceptance re-runs the slot computation (``booking.slots.find_slot``, the function that
lists slots) inside the write transaction, after locking the counsellor: a counsellor is in
one place at a time, whatever the venue or convention.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from booking.auth.secrets import hash_token, new_token
from booking.db import aware, is_exclusion_violation, write_transaction
from booking.errors import (
    AlreadyCancelled,
    CutoffPassed,
    InvalidInput,
    NotFound,
    OutsideHorizon,
    OutsideNotice,
    SlotTaken,
    SlotUnavailable,
)
from booking.services import audit, notify
from booking.services.appointment_rows import (
    NewAppointment,
    Place,
    check_scope,
    insert_appointment,
    lock_and_check_scope,
    lock_counsellors,
)
from booking.services.availability_data import ServiceRow, load_busy, load_rules, load_service
from booking.services.residents import Identity, upsert_row
from booking.slots import find_slot
from booking.tables import Appointment, Resident, Venue

CHANNELS = ("online", "phone", "desk")
OUTCOMES = ("attended", "no_show")
ACTIVE = "booked"


@dataclass(frozen=True, slots=True)
class BookingRequest:
    service_id: int
    venue_id: int
    counsellor_id: int
    start: datetime
    person: Identity
    channel: str = "online"
    staff_id: int | None = None
    override_reason: str = ""


@dataclass(frozen=True, slots=True)
class Booked:
    appointment_id: int
    manage_token: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Links:
    """How to build the absolute links put in SMS."""

    base_url: str

    def manage(self, token: str) -> str:
        return f"{self.base_url}/r/{token}"

    def book_again(self) -> str:
        return f"{self.base_url}/rdv"


@asynccontextmanager
async def _slot_guard() -> AsyncIterator[None]:
    """PostgreSQL's exclusion constraint is the last guard: its refusal means 'just taken'."""
    try:
        yield
    except Exception as exc:
        if is_exclusion_violation(exc):
            raise SlotTaken("Ce créneau vient d'être réservé. Choisissez-en un autre.",
                            field="start") from exc
        raise


async def _accept(
    service: ServiceRow, venue_id: int, counsellor_id: int, start: datetime, now: datetime, *,
    staff: bool, override: bool, ignore: int | None = None,
) -> datetime:
    """Return the end of the accepted slot or raise why it cannot be taken."""
    spec = service.spec
    end = start + spec.duration
    busy = await load_busy(counsellor_ids=[counsellor_id], venue_ids=[venue_id],
                           start=start - timedelta(days=1), end=end + timedelta(days=1),
                           ignore_appointment=ignore)
    mine = busy.by_counsellor.get(counsellor_id)
    clash = mine is not None and mine.overlaps(start - spec.buffer_before, end + spec.buffer_after)
    if override:
        if clash:
            raise SlotTaken("Le conseiller est déjà occupé à cette heure-là.", field="start")
        if start <= now:
            raise OutsideNotice("Ce créneau est déjà passé.", field="start")
        return end
    rules = await load_rules(venue_ids=[venue_id], counsellor_ids=[counsellor_id])
    if find_slot(rules, spec, busy, start=start, counsellor_id=counsellor_id, venue_id=venue_id,
                 now=now, respect_notice=not staff) is not None:
        return end
    if clash:
        raise SlotTaken("Ce créneau vient d'être réservé. Choisissez-en un autre.", field="start")
    if start < now + (timedelta(0) if staff else spec.min_notice):
        raise OutsideNotice("Ce créneau est trop proche : choisissez un horaire plus tardif.",
                            field="start")
    if start > now + spec.horizon:
        raise OutsideHorizon("Ce créneau est trop lointain : les réservations ouvrent "
                             f"{spec.horizon.days} jours à l'avance.", field="start")
    raise SlotUnavailable("Ce créneau n'est pas disponible.", field="start")


def _place(venue: Venue) -> Place:
    """A venue loaded with its commune (``Appointment.venue._.commune``)."""
    return Place(venue.name, venue.address, venue.commune.timezone)


def _facts(appointment_id: int, start: datetime, place: Place, service: ServiceRow,
           link: str) -> notify.AppointmentFacts:
    return notify.AppointmentFacts(appointment_id=appointment_id, start=start, tz=place.tz,
                                   place=place.name, address=place.address,
                                   label=service.public_label, link=link)


async def _recipient(resident_id: int) -> notify.Recipient:
    row = await Resident.select(Resident.phone, Resident.sms_consent, Resident.phone_status).where(
        Resident.id == resident_id).first()
    assert row is not None
    return notify.Recipient(resident_id, row["phone"],
                            bool(row["sms_consent"]) and row["phone_status"] == "ok")


async def book(req: BookingRequest, *, now: datetime, links: Links) -> Booked:
    """Book a slot for a resident. Online bookings must fit the rules and notice; staff
    bookings may skip the notice, and with an override reason, the rules."""
    if req.channel not in CHANNELS:
        raise InvalidInput("Canal de réservation inconnu.", field="channel")
    staff = req.staff_id is not None
    if req.channel != "online" and not staff:
        raise InvalidInput("Seul un professionnel réserve par téléphone.", field="channel")
    override = bool(req.override_reason.strip())
    if override and not staff:
        raise InvalidInput("Seul un professionnel peut réserver hors des plages.",
                           field="override_reason")
    if req.start.tzinfo is None:
        raise InvalidInput("L'heure doit préciser son fuseau horaire.", field="start")
    service = await load_service(req.service_id)
    if not service.online_bookable and not staff:
        raise NotFound("Ce motif se réserve auprès de votre mairie.", field="service_id")
    start = aware(req.start)
    raw, digest = new_token()
    async with _slot_guard(), write_transaction():
        scoped = await lock_and_check_scope(service.convention_id, req.venue_id,
                                            req.counsellor_id, req.person.phone)
        end = await _accept(service, req.venue_id, req.counsellor_id, start, now, staff=staff,
                            override=override)
        resident = await upsert_row(req.person, now, scoped.same_phone)
        spec = service.spec
        appointment_id = await insert_appointment(NewAppointment(
            resident=resident.id, counsellor=req.counsellor_id, venue=req.venue_id,
            service=req.service_id, start=start, end=end,
            blocked_from=start - spec.buffer_before, blocked_until=end + spec.buffer_after,
            status=ACTIVE, channel=req.channel, created_by=req.staff_id, now=now,
            override_reason=req.override_reason.strip()[:300], token_hash=digest))
        await notify.appointment_booked(
            _facts(appointment_id, start, scoped.place, service, links.manage(raw)),
            notify.Recipient(resident.id, resident.phone, resident.sms_ok),
            channel=req.channel, now=now,
            policy=notify.policy_for(service.reminder_offsets_minutes,
                                     service.confirm_online_ahead_minutes))
        await audit.record(at=now, actor_kind="staff" if staff else "resident",
                           actor_id=req.staff_id, action="appointment.book",
                           entity="appointment", entity_id=appointment_id,
                           channel=req.channel, override=override)
    return Booked(appointment_id, raw, start, end)


async def by_token(token: str, now: datetime) -> Appointment:
    """The appointment behind a management link, while the link is valid."""
    if not token or len(token) > 64:
        raise NotFound("Ce lien n'est pas valide ou a expiré.")
    found = await Appointment.objects(
        Appointment.venue, Appointment.venue._.commune, Appointment.service,
        Appointment.counsellor,
    ).where(Appointment.manage_token_hash == hash_token(token)).first()
    if found is None or aware(found.manage_token_expires_at) < now:
        raise NotFound("Ce lien n'est pas valide ou a expiré.")
    return found


def _check_cutoff(appointment: Appointment, now: datetime, cutoff: timedelta) -> None:
    if appointment.status != ACTIVE:
        raise AlreadyCancelled("Ce rendez-vous n'est plus actif.")
    if aware(appointment.starts_at) - now < cutoff:
        raise CutoffPassed(
            "Il est trop tard pour modifier ce rendez-vous en ligne. "
            "Appelez la mairie ou votre conseiller.")


async def _cancel_row(appointment: Appointment, *, now: datetime, by_kind: str,
                      staff_id: int | None, reason: str) -> None:
    updated = await Appointment.update({
        Appointment.status: "cancelled", Appointment.cancelled_at: now,
        Appointment.cancelled_by_kind: by_kind, Appointment.cancelled_by: staff_id,
        Appointment.cancel_reason: reason[:300], Appointment.updated_at: now,
        Appointment.sequence: Appointment.sequence + 1,
    }).where((Appointment.id == appointment.id) & (Appointment.status == ACTIVE)).returning(
        Appointment.id)
    if not updated:
        raise AlreadyCancelled("Ce rendez-vous est déjà annulé.")


async def cancel_by_resident(token: str, *, now: datetime, cutoff: timedelta,
                             links: Links) -> int:
    appointment = await by_token(token, now)
    _check_cutoff(appointment, now, cutoff)
    async with write_transaction():
        await _cancel_row(appointment, now=now, by_kind="resident", staff_id=None, reason="")
        await _after_cancel(appointment, now=now, by_staff=False, links=links)
        await audit.record(at=now, actor_kind="resident", actor_id=None,
                           action="appointment.cancel", entity="appointment",
                           entity_id=appointment.id)
    return int(appointment.id)


async def cancel_by_staff(appointment_id: int, *, staff_id: int, reason: str, now: datetime,
                          links: Links) -> None:
    if not reason.strip():
        raise InvalidInput("Indiquez le motif de l'annulation.", field="reason")
    appointment = await load(appointment_id)
    async with write_transaction():
        await _cancel_row(appointment, now=now, by_kind="staff", staff_id=staff_id,
                          reason=reason.strip())
        await _after_cancel(appointment, now=now, by_staff=True, links=links)
        await audit.record(at=now, actor_kind="staff", actor_id=staff_id,
                           action="appointment.cancel", entity="appointment",
                           entity_id=appointment_id)


async def _after_cancel(appointment: Appointment, *, now: datetime, by_staff: bool,
                        links: Links, notify_resident: bool = True) -> None:
    service = await load_service(appointment.service.id)
    await notify.appointment_cancelled(
        _facts(appointment.id, aware(appointment.starts_at), _place(appointment.venue), service,
               links.book_again()),
        await _recipient(appointment.resident), by_staff=by_staff, now=now,
        notify=notify_resident)


async def load(appointment_id: int) -> Appointment:
    found = await Appointment.objects(
        Appointment.venue, Appointment.venue._.commune, Appointment.service,
        Appointment.counsellor,
    ).where(Appointment.id == appointment_id).first()
    if found is None:
        raise NotFound("Ce rendez-vous n'existe pas.")
    return found


async def reschedule_by_resident(
    token: str, *, start: datetime, venue_id: int, counsellor_id: int, now: datetime,
    cutoff: timedelta, links: Links,
) -> Booked:
    """Take the new slot, then release the old one, in one transaction: if the new slot is
    gone, the resident keeps the old one."""
    old = await by_token(token, now)
    _check_cutoff(old, now, cutoff)
    service = await load_service(old.service.id)
    start = aware(start)
    raw, digest = new_token()
    async with _slot_guard(), write_transaction():
        await lock_counsellors(old.counsellor.id, counsellor_id)
        place = await check_scope(service.convention_id, venue_id, counsellor_id)
        end = await _accept(service, venue_id, counsellor_id, start, now, staff=False,
                            override=False, ignore=old.id)
        await _cancel_row(old, now=now, by_kind="resident", staff_id=None, reason="rescheduled")
        await _after_cancel(old, now=now, by_staff=False, links=links, notify_resident=False)
        spec = service.spec
        new_id = await insert_appointment(NewAppointment(
            resident=old.resident, counsellor=counsellor_id, venue=venue_id, service=spec.id,
            start=start, end=end, blocked_from=start - spec.buffer_before,
            blocked_until=end + spec.buffer_after, status=ACTIVE, channel=old.channel,
            created_by=None, now=now, override_reason="", token_hash=digest,
            rescheduled_from=old.id))
        await notify.appointment_booked(
            _facts(new_id, start, place, service, links.manage(raw)),
            await _recipient(old.resident), channel="online", now=now,
            policy=notify.policy_for(service.reminder_offsets_minutes,
                                     service.confirm_online_ahead_minutes), rescheduled=True)
        await audit.record(at=now, actor_kind="resident", actor_id=None,
                           action="appointment.reschedule", entity="appointment",
                           entity_id=new_id, previous=old.id)
    return Booked(new_id, raw, start, end)


async def mark_outcome(appointment_id: int, outcome: str, *, staff_id: int, now: datetime) -> None:
    if outcome not in OUTCOMES:
        raise InvalidInput("Issue inconnue : « attended » ou « no_show ».", field="outcome")
    appointment = await load(appointment_id)
    if appointment.status == "cancelled":
        raise AlreadyCancelled("Ce rendez-vous a été annulé.")
    if aware(appointment.starts_at) > now:
        raise InvalidInput("Le rendez-vous n'a pas encore commencé.", field="outcome")
    await Appointment.update({Appointment.status: outcome, Appointment.outcome_by: staff_id,
                              Appointment.updated_at: now}).where(
        Appointment.id == appointment_id)
    await audit.record(at=now, actor_kind="staff", actor_id=staff_id,
                       action=f"appointment.{outcome}", entity="appointment",
                       entity_id=appointment_id)


async def cancel_next_by_phone(phone: str, *, now: datetime,
                               links: Links) -> notify.AppointmentFacts | None:
    """Inbound SMS "ANNULER": cancel the next booked appointment of the residents with this
    phone (the row is kept, cancelled by the resident, audited). There is no cutoff: hearing
    of a late cancellation beats a no-show. Pending reminders are cancelled; the resident is
    not sent the usual cancellation SMS (the caller replies). None: no appointment ahead."""
    async with write_transaction():
        residents = await Resident.select(Resident.id).where(
            (Resident.phone == phone) & Resident.anonymised_at.is_null())
        if not residents:
            return None
        appointment = await Appointment.objects(
            Appointment.venue, Appointment.venue._.commune, Appointment.service,
        ).where(
            Appointment.resident.is_in([r["id"] for r in residents])
            & (Appointment.status == ACTIVE) & (Appointment.starts_at > now)
        ).order_by(Appointment.starts_at).first()
        if appointment is None:
            return None
        await _cancel_row(appointment, now=now, by_kind="resident", staff_id=None,
                          reason="SMS ANNULER")
        service = await load_service(appointment.service.id)
        facts = _facts(appointment.id, aware(appointment.starts_at), _place(appointment.venue),
                       service, links.book_again())
        await notify.appointment_cancelled(facts, await _recipient(appointment.resident),
                                           by_staff=False, now=now, notify=False)
        await audit.record(at=now, actor_kind="resident", actor_id=None,
                           action="appointment.cancel", entity="appointment",
                           entity_id=appointment.id, channel="sms")
    return facts
