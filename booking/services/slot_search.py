"""Slot queries: a service's free slots in a venue, a commune or a whole convention.

Venues are shared by every convention covering their commune, so a query always keeps
to the counsellors of the service's convention.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from booking.errors import InvalidInput, NotFound
from booking.services.availability_data import (
    RULE_SQL,
    ServiceRow,
    fetch,
    load_busy,
    load_service,
    rule_spec,
)
from booking.services.slot_cache import SlotCache
from booking.slots import Slot, compute_slots
from booking.tables import Venue

MAX_WINDOW = timedelta(days=366)
_TICK = timedelta(microseconds=1)


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
    counsellors: dict[int, str]  # of the slots listed
    considered: frozenset[int] = frozenset()  # every counsellor whose rules were read


async def venues_info(venue_ids: list[int]) -> dict[int, VenueInfo]:
    rows = await Venue.select(
        Venue.id,
        Venue.name,
        Venue.address,
        Venue.commune,
        Venue.commune._.name.as_alias("commune_name"),
        Venue.commune._.timezone.as_alias("tz"),
    ).where(Venue.id.is_in(venue_ids or [-1]))
    return {
        r["id"]: VenueInfo(
            r["id"], r["name"], r["address"], r["commune"], r["commune_name"], r["tz"]
        )
        for r in rows
    }


async def scope_rules(convention_id: int, scope: Scope) -> list[Mapping[str, Any]]:
    """Active rules of the convention's counsellors in the active venues of its communes
    (within the scope), with what the answer shows about their venue and counsellor."""
    sql = (
        RULE_SQL + " AND v.commune IN (SELECT commune FROM convention_commune "
        "WHERE convention = {}) AND r.counsellor IN (SELECT counsellor FROM "
        "convention_counsellor WHERE convention = {})"
    )
    args: list[Any] = [convention_id, convention_id]
    for column, value in (
        ("v.commune", scope.commune_id),
        ("v.id", scope.venue_id),
        ("r.counsellor", scope.counsellor_id),
    ):
        if value is not None:
            sql += f" AND {column} = {{}}"
            args.append(value)
    return await fetch(sql + " ORDER BY r.id", *args)


async def search_slots(
    *,
    service_id: int,
    scope: Scope,
    now: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
    staff: bool = False,
    limit: int | None = None,
    cache: SlotCache[SlotSearch] | None = None,
) -> SlotSearch:
    """Free slots of a service within the scope; ``staff`` lifts the minimum notice and
    allows staff-only services. Three queries, whatever the scope and the data size; none
    when ``cache`` holds the answer."""
    if cache is not None:
        ttl = cache.ttl
        entry = await cache.get_or_compute(
            (service_id, scope), now, lambda at: _search_ahead(service_id, scope, at, ttl)
        )
        if entry is not None:
            full = entry.value
            start, end = _window(full.service, now, start, end, staff=staff)
            return _cut(full, now, start, end, staff=staff, limit=limit)
    service = await load_service(service_id)
    start, end = _window(service, now, start, end, staff=staff)
    return await _search(service, scope, now, start, end, staff=staff, limit=limit)


def _window(
    service: ServiceRow, now: datetime, start: datetime | None, end: datetime | None, *,
    staff: bool,
) -> tuple[datetime, datetime]:
    """The requested window, checked (default: from now to the end of the horizon)."""
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
    return start, end


async def _search_ahead(service_id: int, scope: Scope, now: datetime, ttl: timedelta) -> SlotSearch:
    """Every slot from ``now`` (notice ignored) to the end of the horizon plus ``ttl``: what
    any request made within ``ttl`` after ``now`` may ask for."""
    service = await load_service(service_id)
    ahead = replace(service, spec=replace(service.spec, horizon=service.spec.horizon + ttl))
    full = await _search(ahead, scope, now, now, now + ahead.spec.horizon + _TICK, staff=True)
    return replace(full, service=service)


def _cut(
    full: SlotSearch, now: datetime, start: datetime, end: datetime, *, staff: bool,
    limit: int | None,
) -> SlotSearch:
    """What ``_search`` answers for this window, cut from a search that covers it: the
    bounds ``compute_slots`` applies, then the limit."""
    spec = full.service.spec
    lowest = max(start, now + (_TICK if staff else spec.min_notice))
    below = min(end, now + spec.horizon + _TICK)
    if below <= lowest or (limit is not None and limit <= 0):
        slots: list[Slot] = []
    else:
        first = bisect_left(full.slots, lowest, key=_start)
        last = bisect_left(full.slots, below, key=_start)
        if limit is not None:
            last = min(last, first + limit)
        slots = full.slots[first:last]
    venues = {v: full.venues[v] for v in sorted({s.venue_id for s in slots})}
    names = {c: full.counsellors[c] for c in sorted({s.counsellor_id for s in slots})}
    return SlotSearch(full.service, slots, venues, names, full.considered)


def _start(slot: Slot) -> datetime:
    return slot.start


async def _search(
    service: ServiceRow, scope: Scope, now: datetime, start: datetime, end: datetime, *,
    staff: bool, limit: int | None = None,
) -> SlotSearch:
    rows = await scope_rules(service.convention_id, scope)
    rules = [rule_spec(row) for row in rows]
    spec = service.spec
    busy = await load_busy(  # what a slot's own buffers may touch at either end
        counsellor_ids={r.counsellor_id for r in rules},
        venue_ids={r.venue_id for r in rules},
        start=start - spec.buffer_before,
        end=end + spec.duration + spec.buffer_after,
    )
    slots = compute_slots(
        rules,
        spec,
        busy,
        window_start=start,
        window_end=end,
        now=now,
        respect_notice=not staff,
        limit=limit,
    )
    used_venues = {s.venue_id for s in slots}
    used_counsellors = {s.counsellor_id for s in slots}
    venues = {
        r["venue"]: VenueInfo(
            r["venue"],
            r["venue_name"],
            r["venue_address"],
            r["commune_id"],
            r["commune_name"],
            r["tz"],
        )
        for r in rows
        if r["venue"] in used_venues
    }
    names = {
        r["counsellor"]: f"{r['first_name']} {r['last_name'][:1]}."
        for r in rows
        if r["counsellor"] in used_counsellors
    }
    return SlotSearch(service, slots, dict(sorted(venues.items())), dict(sorted(names.items())),
                      frozenset(r.counsellor_id for r in rules))


def considered_counsellors(search: SlotSearch) -> frozenset[int]:
    """The counsellors whose changes can alter this search's answer."""
    return search.considered
