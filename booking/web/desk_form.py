"""The phone desk's booking form: who, which slot (or an override with its reason), how."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from booking.phones import normalise_mobile
from booking.services.appointments import BookingRequest
from booking.services.residents import Identity, clean_email, clean_name
from booking.services.slot_search import venues_info
from booking.tables import Resident
from booking.web import slot_choice
from booking.web.forms import FieldErrors, number, text


@dataclass(frozen=True, slots=True)
class DeskForm:
    phone: str
    service: str
    resident: str
    first_name: str
    last_name: str
    email: str
    sms_consent: bool
    channel: str
    slot: str
    override_reason: str
    override_day: str
    override_time: str
    override_place: str

    FIELDS: ClassVar[tuple[str, ...]] = (
        "resident",
        "first_name",
        "last_name",
        "email",
        "slot",
        "override_reason",
        "override_day",
        "override_time",
        "override_place",
        "channel",
    )

    @classmethod
    def read(cls, form: Any) -> DeskForm:
        values = {f.name: text(form, f.name, 300) for f in fields(cls) if f.name != "sms_consent"}
        return cls(sms_consent=form.get("sms_consent") == "oui", **values)

    def values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


async def _person(form: DeskForm, phone: str, errors: FieldErrors) -> Identity | None:
    if form.resident not in ("new", "") and number(form.resident) is not None:
        row = (
            await Resident.select(Resident.first_name, Resident.last_name)
            .where(
                (Resident.id == number(form.resident))
                & (Resident.phone == phone)
                & Resident.anonymised_at.is_null()
            )
            .first()
        )
        if row is None:
            errors.add("resident", "Cette personne n'est plus enregistrée avec ce numéro.")
            return None
        first, last = row["first_name"], row["last_name"]
    elif form.resident == "new":
        first = last = ""
        with errors.collect("first_name"):
            first = clean_name(form.first_name, "first_name", "prénom")
        with errors.collect("last_name"):
            last = clean_name(form.last_name, "last_name", "nom")
    else:
        errors.add("resident", "Choisissez la personne qui appelle.")
        return None
    email = ""
    with errors.collect("email"):
        email = clean_email(form.email)
    return Identity(
        first_name=first, last_name=last, phone=phone, email=email, sms_consent=form.sms_consent
    )


async def _override_start(form: DeskForm, errors: FieldErrors) -> tuple[int, int, datetime] | None:
    parts = form.override_place.split("-")
    venue_id, counsellor_id = (
        (number(parts[0]), number(parts[1])) if len(parts) == 2 else (None, None)
    )
    if venue_id is None or counsellor_id is None:
        errors.add("override_place", "Choisissez le lieu et le conseiller.")
    try:
        day = date.fromisoformat(form.override_day)
    except ValueError:
        errors.add("override_day", "Indiquez le jour au format JJ/MM/AAAA.")
        day = None
    try:
        hour = time.fromisoformat(form.override_time)
    except ValueError:
        errors.add("override_time", "Indiquez l'heure, par exemple 14:30.")
        hour = None
    if venue_id is None or counsellor_id is None or day is None or hour is None:
        return None
    venue = (await venues_info([venue_id])).get(venue_id)
    if venue is None:
        errors.add("override_place", "Ce lieu n'existe pas.")
        return None
    return venue_id, counsellor_id, datetime.combine(day, hour, ZoneInfo(venue.timezone))


async def booking_request(
    form: DeskForm, staff_id: int
) -> tuple[FieldErrors, BookingRequest | None]:
    errors = FieldErrors()
    service_id = number(form.service)
    phone = ""
    with errors.collect("resident"):
        phone = normalise_mobile(form.phone)
    person = await _person(form, phone, errors) if phone else None
    if form.channel not in ("phone", "desk"):
        errors.add("channel", "Choisissez : par téléphone ou au guichet.")
    place: tuple[int, int, datetime] | None = None
    if form.override_reason:
        place = await _override_start(form, errors)
    else:
        choice = slot_choice.decode(form.slot)
        if choice is None:
            errors.add("slot", "Choisissez un créneau, ou remplissez la dérogation avec son motif.")
        else:
            place = (choice.venue_id, choice.counsellor_id, choice.start)
    if errors or person is None or place is None or service_id is None:
        return errors, None
    return errors, BookingRequest(
        service_id=service_id,
        venue_id=place[0],
        counsellor_id=place[1],
        start=place[2],
        person=person,
        channel=form.channel,
        staff_id=staff_id,
        override_reason=form.override_reason,
    )
