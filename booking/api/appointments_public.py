"""Residents' JSON API: slots, booking without an account, managing from the link."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from booking.api.schemas import (
    AppointmentOut,
    BookingIn,
    BookingOut,
    Limit,
    OptionalQueryId,
    QueryId,
    RescheduleIn,
    SlotList,
    slot_list,
)
from booking.context import request_context
from booking.services import appointments
from booking.services.appointments import BookingRequest, Links
from booking.services.residents import identity
from booking.services.slot_search import Scope, search_slots
from booking.tables import Appointment
from booking.web.abuse import limit_address, limit_phone, reject_honeypot
from notifications.datetime_fr import format_when

MAX_LIMIT = 200


def links(request: Request[Any, Any, Any]) -> Links:
    return Links(request_context(request).settings.public_base_url)


def cutoff(request: Request[Any, Any, Any]) -> timedelta:
    return timedelta(hours=request_context(request).settings.resident_cutoff_hours)


class PublicAppointments(Controller):
    path = "/api/public"
    tags = ["appointments (residents)"]

    @get("/slots", summary="Free slots of a service in a commune, a venue or a convention")
    async def slots(
        self, request: Request[Any, Any, Any], service_id: QueryId,
        commune_id: OptionalQueryId = None, venue_id: OptionalQueryId = None,
        counsellor_id: OptionalQueryId = None, start: FromQuery[datetime | None] = None,
        end: FromQuery[datetime | None] = None, limit: Limit = 100,
    ) -> SlotList:
        """Without ``start``/``end``: the next available slots (up to ``limit``)."""
        search = await search_slots(
            service_id=service_id, now=request_context(request).clock(), start=start, end=end,
            scope=Scope(venue_id=venue_id, commune_id=commune_id, counsellor_id=counsellor_id),
            limit=max(1, min(limit, MAX_LIMIT)), cache=request_context(request).slot_cache)
        return slot_list(search)

    @post("/appointments", summary="Book an appointment without an account", status_code=201)
    async def book(self, request: Request[Any, Any, Any], data: JSONBody[BookingIn]) -> BookingOut:
        reject_honeypot(data.website)
        await limit_address(request, "book")
        person = identity(first_name=data.first_name, last_name=data.last_name, phone=data.phone,
                          email=data.email, sms_consent=data.sms_consent)
        await limit_phone(request, "book", person.phone)
        booked = await appointments.book(
            BookingRequest(service_id=data.service_id, venue_id=data.venue_id,
                           counsellor_id=data.counsellor_id, start=data.start, person=person,
                           channel="online"),
            now=request_context(request).clock(), links=links(request))
        return BookingOut(appointment_id=booked.appointment_id, start=booked.start,
                          end=booked.end, manage_url=links(request).manage(booked.manage_token))

    @get("/appointments/{token:str}", summary="An appointment seen from its management link")
    async def show(self, request: Request[Any, Any, Any], token: FromPath[str]) -> AppointmentOut:
        now = request_context(request).clock()
        found = await appointments.by_token(token, now)
        return await appointment_out(found, now=now, cutoff=cutoff(request))

    @post("/appointments/{token:str}/cancel", summary="Cancel from the management link",
          status_code=200)
    async def cancel(self, request: Request[Any, Any, Any], token: FromPath[str]) -> AppointmentOut:
        now = request_context(request).clock()
        await limit_address(request, "manage")
        await appointments.cancel_by_resident(token, now=now, cutoff=cutoff(request),
                                              links=links(request))
        found = await appointments.by_token(token, now)
        return await appointment_out(found, now=now, cutoff=cutoff(request))

    @post("/appointments/{token:str}/reschedule", summary="Move to another slot", status_code=200)
    async def reschedule(self, request: Request[Any, Any, Any], token: FromPath[str],
                         data: JSONBody[RescheduleIn]) -> BookingOut:
        await limit_address(request, "manage")
        booked = await appointments.reschedule_by_resident(
            token, start=data.start, venue_id=data.venue_id, counsellor_id=data.counsellor_id,
            now=request_context(request).clock(), cutoff=cutoff(request), links=links(request))
        return BookingOut(appointment_id=booked.appointment_id, start=booked.start,
                          end=booked.end, manage_url=links(request).manage(booked.manage_token))


async def appointment_out(
    found: Appointment, *, now: datetime, cutoff: timedelta
) -> AppointmentOut:
    start = found.starts_at
    return AppointmentOut(
        status=found.status, start=start, end=found.ends_at,
        label=format_when(start, ZoneInfo(found.venue.commune.timezone)),
        service=found.service.public_label, venue=found.venue.name,
        address=found.venue.address, what_to_bring=found.service.what_to_bring,
        can_change=found.status == "booked" and start - now >= cutoff)
