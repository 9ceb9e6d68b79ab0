"""msgspec schemas shared by the appointment APIs (public and staff)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo

import msgspec
from litestar.params import PathParameter, QueryParameter

from booking.services.slot_search import SlotSearch
from notifications.datetime_fr import format_when

MAX_ID = 2**31 - 1
Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
QueryId = Annotated[int, QueryParameter(ge=1, le=MAX_ID)]
OptionalQueryId = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]
PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Name = Annotated[str, msgspec.Meta(max_length=100)]
Phone = Annotated[str, msgspec.Meta(max_length=32)]
Email = Annotated[str, msgspec.Meta(max_length=254)]
Reason = Annotated[str, msgspec.Meta(max_length=300)]


class SlotOut(msgspec.Struct):
    start: datetime
    end: datetime
    label: str
    venue_id: int
    venue: str
    commune: str
    counsellor_id: int
    counsellor: str


class SlotList(msgspec.Struct):
    service_id: int
    service: str
    slots: list[SlotOut]


def slot_list(search: SlotSearch) -> SlotList:
    items = []
    for slot in search.slots:
        venue = search.venues[slot.venue_id]
        items.append(SlotOut(start=slot.start, end=slot.end,
                             label=slot_label(slot.start, venue.timezone),
                             venue_id=venue.id, venue=venue.name, commune=venue.commune_name,
                             counsellor_id=slot.counsellor_id,
                             counsellor=search.counsellors.get(slot.counsellor_id, "")))
    return SlotList(service_id=search.service.spec.id, service=search.service.public_label,
                    slots=items)


@lru_cache(maxsize=8192)
def slot_label(start: datetime, timezone: str) -> str:
    """French label of a slot's start; slots recur across requests, so labels are kept."""
    return format_when(start, ZoneInfo(timezone))


class BookingIn(msgspec.Struct, forbid_unknown_fields=True):
    service_id: Id
    venue_id: Id
    counsellor_id: Id
    start: datetime
    first_name: Name
    last_name: Name
    phone: Phone
    email: Email = ""
    sms_consent: bool = True
    website: Annotated[str, msgspec.Meta(max_length=200)] = ""  # honeypot: humans leave it empty


class StaffBookingIn(BookingIn, forbid_unknown_fields=True):
    channel: str = "phone"
    override_reason: Reason = ""


class BookingOut(msgspec.Struct):
    appointment_id: int
    start: datetime
    end: datetime
    manage_url: str


class AppointmentOut(msgspec.Struct):
    status: str
    start: datetime
    end: datetime
    label: str
    service: str
    venue: str
    address: str
    what_to_bring: str
    can_change: bool


class RescheduleIn(msgspec.Struct, forbid_unknown_fields=True):
    start: datetime
    venue_id: Id
    counsellor_id: Id


class CancelIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class OutcomeIn(msgspec.Struct, forbid_unknown_fields=True):
    outcome: str


class ResidentOut(msgspec.Struct):
    id: int
    first_name: str
    last_name: str
    phone: str
    email: str
    sms_consent: bool
    phone_status: str
