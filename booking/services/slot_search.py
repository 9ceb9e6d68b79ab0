"""Slot queries: a service's free slots in a venue, a commune or a whole convention.

Venues are shared by every convention covering their commune, so a query always keeps
to the counsellors of the service's convention.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from booking.errors import InvalidInput, NotFound
from booking.services.availability_data import ServiceRow, load_busy, load_rules, load_service
from booking.slots import Slot, compute_slots
from booking.tables import ConventionCommune, ConventionCounsellor, Counsellor, Venue

MAX_WINDOW = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class Scope:
    venue_id: int | None = None
    commune_id: int | None = None
    counsellor_id: int | None = None


@dataclass(frozen=True, slots=True)
class VenueInfo:
    id: int
    name: str
    address: str
    commune_id: int
    commune_name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class SlotSearch:
    service: ServiceRow
    slots: list[Slot]
    venues: dict[int, VenueInfo]
    counsellors: dict[int, str]


async def venues_info(venue_ids: list[int]) -> dict[int, VenueInfo]:
    rows = await Venue.select(
        Venue.id, Venue.name, Venue.address, Venue.commune,
        Venue.commune._.name.as_alias("commune_name"),
        Venue.commune._.timezone.as_alias("tz"),
    ).where(Venue.id.is_in(venue_ids or [-1]))
    return {r["id"]: VenueInfo(r["id"], r["name"], r["address"], r["commune"],
                               r["commune_name"], r["tz"]) for r in rows}


async def _scope_venues(convention_id: int, scope: Scope) -> list[int]:
    communes = [r["commune"] for r in await ConventionCommune.select(ConventionCommune.commune)
                .where(ConventionCommune.convention == convention_id)]
    query = Venue.select(Venue.id).where(Venue.commune.is_in(communes or [-1])
                                         & (Venue.active == True))  # noqa: E712
    if scope.commune_id is not None:
        query = query.where(Venue.commune == scope.commune_id)
    if scope.venue_id is not None:
        query = query.where(Venue.id == scope.venue_id)
    return [r["id"] for r in await query]


async def _convention_counsellors(convention_id: int, scope: Scope) -> list[int]:
    query = ConventionCounsellor.select(ConventionCounsellor.counsellor).where(
        ConventionCounsellor.convention == convention_id)
    if scope.counsellor_id is not None:
        query = query.where(ConventionCounsellor.counsellor == scope.counsellor_id)
    return [r["counsellor"] for r in await query]


async def search_slots(
    *,
    service_id: int,
    scope: Scope,
    now: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
    staff: bool = False,
    limit: int | None = None,
) -> SlotSearch:
    """Free slots of a service within the scope; ``staff`` lifts the minimum notice and
    allows staff-only services."""
    service = await load_service(service_id)
    if not service.online_bookable and not staff:
        raise NotFound("Ce motif se réserve auprès de votre mairie.", field="service_id")
    start = start or now
    end = end or now + service.spec.horizon + timedelta(minutes=1)
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("Les dates doivent préciser leur fuseau horaire.", field="start")
    if end <= start:
        raise InvalidInput("La fin de la période doit suivre son début.", field="end")
    if end - start > MAX_WINDOW:
        raise InvalidInput("La période demandée est trop longue (un an au plus).", field="end")
    venue_ids = await _scope_venues(service.convention_id, scope)
    counsellor_ids = await _convention_counsellors(service.convention_id, scope)
    rules = await load_rules(venue_ids=venue_ids, counsellor_ids=counsellor_ids)
    busy = await load_busy(counsellor_ids={r.counsellor_id for r in rules},
                           venue_ids={r.venue_id for r in rules}, start=start,
                           end=end + service.spec.duration)
    slots = compute_slots(rules, service.spec, busy, window_start=start, window_end=end, now=now,
                          respect_notice=not staff, limit=limit)
    used_venues = sorted({s.venue_id for s in slots})
    used_counsellors = sorted({s.counsellor_id for s in slots})
    names = {r["id"]: f"{r['first_name']} {r['last_name'][:1]}."
             for r in await Counsellor.select(Counsellor.id, Counsellor.first_name,
                                              Counsellor.last_name)
             .where(Counsellor.id.is_in(used_counsellors or [-1]))}
    return SlotSearch(service, slots, await venues_info(used_venues), names)


def describe(search: SlotSearch, slot: Slot) -> dict[str, Any]:
    venue = search.venues[slot.venue_id]
    return {"start": slot.start, "end": slot.end, "venue_id": venue.id, "venue": venue.name,
            "commune": venue.commune_name, "counsellor_id": slot.counsellor_id,
            "counsellor": search.counsellors.get(slot.counsellor_id, ""),
            "timezone": venue.timezone}
