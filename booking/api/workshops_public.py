"""Residents' workshop API: public listings (no personal data), registration without an
account, and the management link (status, cancel, confirm an offer)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from booking.api.schemas import PathId
from booking.api.workshop_schemas import (
    ListingOut,
    PublicSeriesOut,
    PublicSessionOut,
    RegisteredSessionOut,
    RegistrationIn,
    RegistrationOut,
    RegistrationStatusOut,
)
from booking.context import request_context
from booking.errors import InvalidInput
from booking.services import registrations, workshop_listing
from booking.services.registration_view import waitlist_positions
from booking.services.registrations import RegistrationRequest
from booking.services.residents import identity
from booking.services.workshop_links import WorkshopLinks, links_from_settings
from booking.services.workshop_listing import PublicSeries
from booking.web.abuse import limit_address, limit_phone, reject_honeypot
from notifications.datetime_fr import format_when


def _links(request: Request[Any, Any, Any]) -> WorkshopLinks:
    return links_from_settings(request_context(request).settings)


def series_out(series: PublicSeries, base: str) -> PublicSeriesOut:
    return PublicSeriesOut(
        id=series.id,
        slug=series.slug,
        title=series.title,
        description=series.description,
        level=series.level,
        themes=list(series.themes),
        registration_mode=series.registration_mode,
        animators=list(series.animators),
        series_seats_left=series.series_seats_left,
        url=f"{base}/atelier/{series.id}",
        sessions=[
            PublicSessionOut(
                id=s.id,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                label=format_when(s.starts_at, ZoneInfo(s.tz)),
                venue=s.venue,
                address=s.address,
                commune=s.commune,
                capacity=s.capacity,
                seats_left=s.seats_left,
                cancelled=s.cancelled,
                registration_open=s.open,
                register_url=f"{base}/atelier/{series.id}/inscription?seance={s.id}",
            )
            for s in series.sessions
        ],
    )


async def status_out(token: str, request: Request[Any, Any, Any]) -> RegistrationStatusOut:
    now = request_context(request).clock()
    view = await registrations.by_token(token, now)
    positions = await waitlist_positions(view)
    return RegistrationStatusOut(
        series_id=view.series_id,
        series_title=view.series_title,
        status=view.summary(),
        offer_expires_at=view.offer_open(now),
        waitlist_position=min(positions.values()) if positions else None,
        cancellable=view.cancellable(now),
        sessions=[
            RegisteredSessionOut(
                session_id=r.session_id,
                starts_at=r.starts_at,
                ends_at=r.ends_at,
                venue=r.place,
                status=r.status,
                session_cancelled=r.session_status == "cancelled",
                party_size=r.party_size,
            )
            for r in view.rows
        ],
    )


class PublicWorkshops(Controller):
    path = "/api/public/workshops"
    tags = ["workshops (residents)"]

    @get("/", summary="Upcoming workshops of a commune, a venue or a convention (by slug)")
    async def listing(
        self,
        request: Request[Any, Any, Any],
        commune: FromQuery[str | None] = None,
        venue: FromQuery[str | None] = None,
        convention: FromQuery[str | None] = None,
    ) -> ListingOut:
        """Exactly one of ``commune``, ``venue``, ``convention``. Seats left, no names."""
        given = [
            (k, v)
            for k, v in (("commune", commune), ("lieu", venue), ("convention", convention))
            if v
        ]
        if len(given) != 1:
            raise InvalidInput("Indiquez une commune, un lieu ou une convention.", field="commune")
        kind, slug = given[0]
        found = await workshop_listing.listing(
            kind, slug[:140], now=request_context(request).clock()
        )
        base = request_context(request).settings.public_base_url
        return ListingOut(
            place_kind=found.place.kind,
            place_slug=found.place.slug,
            place_name=found.place.name,
            series=[series_out(s, base) for s in found.series],
        )

    @get("/{ref:str}", summary="A workshop series (by id or slug) and its upcoming sessions")
    async def series(self, request: Request[Any, Any, Any], ref: FromPath[str]) -> PublicSeriesOut:
        found = await workshop_listing.public_series(
            ref[:140], now=request_context(request).clock()
        )
        return series_out(found, request_context(request).settings.public_base_url)

    @post(
        "/{series_id:int}/registrations",
        status_code=201,
        summary="Register for a session or the whole parcours, without an account",
    )
    async def register(
        self,
        request: Request[Any, Any, Any],
        series_id: PathId,
        data: JSONBody[RegistrationIn],
    ) -> RegistrationOut:
        """Confirmed when every requested session has room, otherwise waitlisted (the
        whole *parcours* is all or nothing). Error codes: ``already_registered``,
        ``cutoff_passed``, ``session_full`` (party larger than the session), ``not_found``."""
        reject_honeypot(data.website)
        if (data.session_id is None) != data.whole_series:
            raise InvalidInput(
                "Indiquez une séance, ou whole_series pour tout le parcours.", field="session_id"
            )
        await limit_address(request, "workshop")
        person = identity(
            first_name=data.first_name,
            last_name=data.last_name,
            phone=data.phone,
            email=data.email,
            sms_consent=data.sms_consent,
        )
        await limit_phone(request, "workshop", person.phone)
        done = await registrations.register(
            RegistrationRequest(
                series_id=series_id,
                session_id=data.session_id,
                person=person,
                party_size=data.party_size,
            ),
            now=request_context(request).clock(),
            links=_links(request),
        )
        return RegistrationOut(
            status=done.status,
            registration_ids=list(done.registration_ids),
            session_ids=list(done.session_ids),
            waitlist_position=done.waitlist_position,
            manage_url=f"{_links(request).base_url}/a/{done.manage_token}",
        )

    @get("/registrations/{token:str}", summary="A registration seen from its management link")
    async def show(
        self, request: Request[Any, Any, Any], token: FromPath[str]
    ) -> RegistrationStatusOut:
        return await status_out(token, request)

    @post(
        "/registrations/{token:str}/cancel",
        status_code=200,
        summary="Cancel a registration (its sessions not yet started)",
    )
    async def cancel(
        self, request: Request[Any, Any, Any], token: FromPath[str]
    ) -> RegistrationStatusOut:
        await registrations.cancel_by_resident(
            token, now=request_context(request).clock(), links=_links(request)
        )
        return await status_out(token, request)

    @post(
        "/registrations/{token:str}/confirm",
        status_code=200,
        summary="Confirm a seat offered from the waiting list",
    )
    async def confirm(
        self, request: Request[Any, Any, Any], token: FromPath[str]
    ) -> RegistrationStatusOut:
        """Error code ``offer_expired`` when the offer ran out (the seat went to the next)."""
        await registrations.confirm_offer(
            token, now=request_context(request).clock(), links=_links(request)
        )
        return await status_out(token, request)
