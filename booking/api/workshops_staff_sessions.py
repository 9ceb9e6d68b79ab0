"""Staff workshop API, one session at a time: edit, cancel, roster, registrations by phone,
attendance. Every call checks ``Action.MANAGE_WORKSHOPS`` on the session's series."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post
from litestar.params import JSONBody

from booking.api.schemas import PathId
from booking.api.workshop_schemas import (
    AttendanceIn,
    AttendanceOut,
    CancelRegistrationIn,
    CancelSessionIn,
    CountOut,
    OutcomeIn,
    RegistrationOut,
    RosterLineOut,
    SessionPatch,
    StaffRegistrationIn,
)
from booking.api.workshops_staff import guard_series
from booking.context import request_context
from booking.errors import NotFound
from booking.services import registrations, workshop_attendance, workshops
from booking.services.registrations import RegistrationRequest
from booking.services.residents import identity
from booking.services.workshop_links import links_from_settings
from booking.services.workshop_roster import roster
from booking.services.workshop_scope import series_of_session
from booking.services.workshop_sessions import SessionChange
from booking.tables import Registration
from booking.web.abuse import limit_staff


class StaffWorkshopSessions(Controller):
    path = "/api/staff/workshops"
    tags = ["workshops (staff)"]

    @patch(
        "/sessions/{session_id:int}",
        status_code=200,
        summary="Edit one session (time, venue, capacity)",
    )
    async def edit_session(
        self,
        request: Request[Any, Any, Any],
        session_id: PathId,
        data: JSONBody[SessionPatch],
    ) -> CountOut:
        principal = await guard_series(request, await series_of_session(session_id))
        ctx = request_context(request)
        await workshops.edit_session(
            session_id,
            SessionChange(
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                capacity=data.capacity,
                venue_id=data.venue_id,
            ),
            staff_id=principal.staff_id,
            now=ctx.clock(),
            links=links_from_settings(ctx.settings),
            force=data.force,
        )
        return CountOut(count=1)

    @post(
        "/sessions/{session_id:int}/cancel",
        status_code=200,
        summary="Cancel a session: every registration is cancelled and told by SMS",
    )
    async def cancel_session(
        self,
        request: Request[Any, Any, Any],
        session_id: PathId,
        data: JSONBody[CancelSessionIn],
    ) -> CountOut:
        principal = await guard_series(request, await series_of_session(session_id))
        ctx = request_context(request)
        return CountOut(
            count=await workshops.cancel_session(
                session_id,
                staff_id=principal.staff_id,
                now=ctx.clock(),
                links=links_from_settings(ctx.settings),
                reason=data.reason,
            )
        )

    @get("/sessions/{session_id:int}/registrations", summary="A session's roster")
    async def roster(
        self, request: Request[Any, Any, Any], session_id: PathId
    ) -> list[RosterLineOut]:
        await guard_series(request, await series_of_session(session_id))
        return [
            RosterLineOut(
                id=line.id,
                resident_id=line.resident_id,
                first_name=line.first_name,
                last_name=line.last_name,
                phone=line.phone,
                party_size=line.party_size,
                status=line.status,
                channel=line.channel,
                created_at=line.created_at,
                offer_expires_at=line.offer_expires_at,
                whole_series=line.whole_series,
            )
            for line in await roster(session_id)
        ]

    @post(
        "/sessions/{session_id:int}/registrations",
        status_code=201,
        summary="Register a resident (phone or desk)",
    )
    async def register(
        self,
        request: Request[Any, Any, Any],
        session_id: PathId,
        data: JSONBody[StaffRegistrationIn],
    ) -> RegistrationOut:
        series_id = await series_of_session(session_id)
        principal = await guard_series(request, series_id)
        await limit_staff(request, principal.staff_id)
        ctx = request_context(request)
        links = links_from_settings(ctx.settings)
        done = await registrations.register(
            RegistrationRequest(
                series_id=series_id,
                session_id=None if data.whole_series else session_id,
                person=identity(
                    first_name=data.first_name,
                    last_name=data.last_name,
                    phone=data.phone,
                    email=data.email,
                    sms_consent=data.sms_consent,
                ),
                party_size=data.party_size,
                channel=data.channel,
                staff_id=principal.staff_id,
            ),
            now=ctx.clock(),
            links=links,
        )
        return RegistrationOut(
            status=done.status,
            registration_ids=list(done.registration_ids),
            session_ids=list(done.session_ids),
            waitlist_position=done.waitlist_position,
            manage_url=f"{links.base_url}/a/{done.manage_token}",
        )

    @post(
        "/sessions/{session_id:int}/attendance",
        status_code=200,
        summary="Record a session's attendance (the listed registrations came)",
    )
    async def attendance(
        self,
        request: Request[Any, Any, Any],
        session_id: PathId,
        data: JSONBody[AttendanceIn],
    ) -> AttendanceOut:
        principal = await guard_series(request, await series_of_session(session_id))
        here, away = await workshop_attendance.record_attendance(
            session_id,
            data.present,
            staff_id=principal.staff_id,
            now=request_context(request).clock(),
        )
        return AttendanceOut(attended=here, no_show=away)

    @post(
        "/registrations/{registration_id:int}/attendance",
        status_code=200,
        summary="Mark one registration attended or no-show",
    )
    async def outcome(
        self,
        request: Request[Any, Any, Any],
        registration_id: PathId,
        data: JSONBody[OutcomeIn],
    ) -> CountOut:
        principal = await guard_series(request, await _series_of_registration(registration_id))
        await workshop_attendance.mark_attendance(
            registration_id,
            data.outcome,
            staff_id=principal.staff_id,
            now=request_context(request).clock(),
        )
        return CountOut(count=1)

    @post(
        "/registrations/{registration_id:int}/cancel",
        status_code=200,
        summary="Cancel a registration (one session, or its whole parcours)",
    )
    async def cancel_registration(
        self,
        request: Request[Any, Any, Any],
        registration_id: PathId,
        data: JSONBody[CancelRegistrationIn],
    ) -> CountOut:
        principal = await guard_series(request, await _series_of_registration(registration_id))
        ctx = request_context(request)
        return CountOut(
            count=await registrations.cancel_by_staff(
                registration_id,
                staff_id=principal.staff_id,
                now=ctx.clock(),
                links=links_from_settings(ctx.settings),
                whole_group=data.whole_group,
            )
        )


async def _series_of_registration(registration_id: int) -> int:
    row = (
        await Registration.select(Registration.session._.series.as_alias("series"))
        .where(Registration.id == registration_id)
        .first()
    )
    if row is None:
        raise NotFound("Cette inscription n'existe pas.")
    return int(row["series"])
