"""Staff JSON API: the phone desk (find a resident, next slots, book), outcomes, agenda."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, JSONBody

from booking.api.appointments_public import links
from booking.api.schemas import (
    BookingOut,
    CancelIn,
    Limit,
    OptionalQueryId,
    OutcomeIn,
    PathId,
    QueryId,
    ResidentOut,
    SlotList,
    StaffBookingIn,
    slot_list,
)
from booking.auth.permissions import Action
from booking.auth.scopes import (
    target_for_commune,
    target_for_convention_members,
    target_for_counsellor,
    target_for_venue,
)
from booking.context import request_context
from booking.errors import InvalidInput
from booking.services import appointments, residents
from booking.services.agenda import AgendaItem, agenda
from booking.services.appointments import BookingRequest
from booking.services.availability_data import load_service
from booking.services.slot_search import Scope, search_slots
from booking.web.abuse import limit_staff
from booking.web.guards import current_principal, require
from booking.web.staff_reach import residents_in_reach

MAX_AGENDA = timedelta(days=62)


class Desk(Controller):
    path = "/api/staff"
    tags = ["phone desk (staff)"]

    @get("/residents", summary="Find residents by mobile number (those received in scope)")
    async def find_residents(self, request: Request[Any, Any, Any],
                             phone: FromQuery[str]) -> list[ResidentOut]:
        principal = await current_principal(request)
        require(principal, Action.FIND_RESIDENT)
        found = await residents_in_reach(principal, await residents.find_by_phone(phone))
        return [ResidentOut(id=r.id, first_name=r.first_name, last_name=r.last_name,
                            phone=r.phone, email=r.email, sms_consent=r.sms_consent,
                            phone_status=r.phone_status) for r in found]

    @get("/slots", summary="Next free slots across a convention (staff view)")
    async def slots(
        self, request: Request[Any, Any, Any], service_id: QueryId,
        commune_id: OptionalQueryId = None, venue_id: OptionalQueryId = None,
        counsellor_id: OptionalQueryId = None, start: FromQuery[datetime | None] = None,
        end: FromQuery[datetime | None] = None, limit: Limit = 20,
    ) -> SlotList:
        principal = await current_principal(request)
        service = await load_service(service_id)
        require(principal, Action.BOOK, await target_for_convention_members(service.convention_id))
        search = await search_slots(
            service_id=service_id, now=request_context(request).clock(), start=start, end=end,
            scope=Scope(venue_id=venue_id, commune_id=commune_id, counsellor_id=counsellor_id),
            staff=True, limit=max(1, min(limit, 200)),
            cache=request_context(request).slot_cache)
        return slot_list(search)

    @post("/appointments", summary="Book for a resident (phone or desk)", status_code=201)
    async def book(self, request: Request[Any, Any, Any],
                   data: JSONBody[StaffBookingIn]) -> BookingOut:
        principal = await current_principal(request)
        require(principal, Action.BOOK, await target_for_venue(data.venue_id, data.counsellor_id))
        await limit_staff(request, principal.staff_id)
        if data.channel not in ("phone", "desk"):
            raise InvalidInput("Canal : « phone » ou « desk ».", field="channel")
        person = residents.identity(first_name=data.first_name, last_name=data.last_name,
                                    phone=data.phone, email=data.email,
                                    sms_consent=data.sms_consent)
        booked = await appointments.book(
            BookingRequest(service_id=data.service_id, venue_id=data.venue_id,
                           counsellor_id=data.counsellor_id, start=data.start, person=person,
                           channel=data.channel, staff_id=principal.staff_id,
                           override_reason=data.override_reason),
            now=request_context(request).clock(), links=links(request))
        return BookingOut(appointment_id=booked.appointment_id, start=booked.start,
                          end=booked.end, manage_url=links(request).manage(booked.manage_token))

    @post("/appointments/{appointment_id:int}/cancel", summary="Cancel with a reason",
          status_code=200)
    async def cancel(self, request: Request[Any, Any, Any], appointment_id: PathId,
                     data: JSONBody[CancelIn]) -> dict[str, str]:
        principal = await current_principal(request)
        found = await appointments.load(appointment_id)
        require(principal, Action.BOOK, await target_for_venue(found.venue.id, found.counsellor.id))
        await appointments.cancel_by_staff(appointment_id, staff_id=principal.staff_id,
                                           reason=data.reason,
                                           now=request_context(request).clock(),
                                           links=links(request))
        return {"status": "cancelled"}

    @post("/appointments/{appointment_id:int}/outcome", summary="Attended or no-show",
          status_code=200)
    async def outcome(self, request: Request[Any, Any, Any], appointment_id: PathId,
                      data: JSONBody[OutcomeIn]) -> dict[str, str]:
        principal = await current_principal(request)
        found = await appointments.load(appointment_id)
        require(principal, Action.BOOK, await target_for_venue(found.venue.id, found.counsellor.id))
        await appointments.mark_outcome(appointment_id, data.outcome, staff_id=principal.staff_id,
                                        now=request_context(request).clock())
        return {"status": data.outcome}

    @get("/counsellors/{counsellor_id:int}/agenda", summary="A counsellor's appointments")
    async def counsellor_agenda(self, request: Request[Any, Any, Any],
                                counsellor_id: PathId, start: FromQuery[datetime],
                                end: FromQuery[datetime]) -> list[AgendaItem]:
        principal = await current_principal(request)
        require(principal, Action.VIEW_AGENDA, await target_for_counsellor(counsellor_id))
        if start.tzinfo is None or end.tzinfo is None or not start < end <= start + MAX_AGENDA:
            raise InvalidInput("Période invalide (deux mois au plus, avec fuseau horaire).",
                               field="end")
        return await agenda(counsellor_id=counsellor_id, start=start, end=end)

    @get("/communes/{commune_id:int}/agenda", summary="Appointments in a commune's venues")
    async def commune_agenda(self, request: Request[Any, Any, Any], commune_id: PathId,
                             start: FromQuery[datetime],
                             end: FromQuery[datetime]) -> list[AgendaItem]:
        principal = await current_principal(request)
        require(principal, Action.VIEW_AGENDA, await target_for_commune(commune_id))
        if start.tzinfo is None or end.tzinfo is None or not start < end <= start + MAX_AGENDA:
            raise InvalidInput("Période invalide (deux mois au plus, avec fuseau horaire).",
                               field="end")
        return await agenda(commune_id=commune_id, start=start, end=end)
