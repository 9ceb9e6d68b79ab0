"""What a signed-in staff member can reach: conventions, counsellors, venues, communes.

Listings are filtered with the same ``allowed`` check as single objects, on targets built
in memory from the membership tables (a fixed number of queries).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from booking.auth.permissions import Action, Principal, Target, allowed
from booking.services.privacy import resident_target
from booking.tables import (
    Commune,
    Convention,
    ConventionCommune,
    ConventionCounsellor,
    Counsellor,
    Resident,
    Service,
    Venue,
)


async def _memberships() -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """(commune -> conventions, counsellor -> conventions)."""
    of_commune: dict[int, set[int]] = defaultdict(set)
    for row in await ConventionCommune.select(
        ConventionCommune.commune, ConventionCommune.convention
    ):
        of_commune[row["commune"]].add(row["convention"])
    of_counsellor: dict[int, set[int]] = defaultdict(set)
    for row in await ConventionCounsellor.select(
        ConventionCounsellor.counsellor, ConventionCounsellor.convention
    ):
        of_counsellor[row["counsellor"]].add(row["convention"])
    return of_commune, of_counsellor


async def conventions_in_reach(principal: Principal, action: Action) -> list[dict[str, Any]]:
    """Conventions where the principal may act on something (as coordinator, or through one
    of its communes or counsellors)."""
    of_commune, of_counsellor = await _memberships()
    rows = await Convention.select(Convention.id, Convention.name).order_by(Convention.name)
    reached = []
    for row in rows:
        cid = row["id"]
        target = Target(
            convention_ids=frozenset({cid}),
            commune_ids=frozenset(c for c, convs in of_commune.items() if cid in convs),
            counsellor_ids=frozenset(c for c, convs in of_counsellor.items() if cid in convs),
        )
        if allowed(principal, action, target):
            reached.append(dict(row))
    return reached


async def services_in_reach(principal: Principal, action: Action) -> list[dict[str, Any]]:
    conventions = {c["id"]: c["name"] for c in await conventions_in_reach(principal, action)}
    rows = (
        await Service.select(
            Service.id, Service.public_label, Service.online_bookable, Service.convention
        )
        .where(Service.convention.is_in(sorted(conventions) or [-1]) & Service.active.eq(True))
        .order_by(Service.convention, Service.id)
    )
    return [{**r, "convention_name": conventions[r["convention"]]} for r in rows]


async def counsellors_in_reach(principal: Principal, action: Action) -> list[dict[str, Any]]:
    _, of_counsellor = await _memberships()
    rows = (
        await Counsellor.select(Counsellor.id, Counsellor.first_name, Counsellor.last_name)
        .where(Counsellor.active.eq(True))
        .order_by(Counsellor.last_name)
    )
    return [
        {**r, "name": f"{r['first_name']} {r['last_name']}"}
        for r in rows
        if allowed(
            principal,
            action,
            Target(
                convention_ids=frozenset(of_counsellor.get(r["id"], set())),
                counsellor_ids=frozenset({r["id"]}),
            ),
        )
    ]


def commune_target(commune_id: int, of_commune: dict[int, set[int]]) -> Target:
    return Target(
        convention_ids=frozenset(of_commune.get(commune_id, set())),
        commune_ids=frozenset({commune_id}),
    )


async def communes_in_reach(principal: Principal, action: Action) -> list[dict[str, Any]]:
    of_commune, _ = await _memberships()
    rows = await Commune.select(Commune.id, Commune.name, Commune.slug, Commune.postcode).order_by(
        Commune.name
    )
    return [
        dict(r)
        for r in rows
        if r["id"] in of_commune and allowed(principal, action, commune_target(r["id"], of_commune))
    ]


async def bookable_places(principal: Principal, convention_id: int) -> list[dict[str, Any]]:
    """(venue, counsellor) pairs of a convention where the principal may book."""
    of_commune, _ = await _memberships()
    communes = [c for c, convs in of_commune.items() if convention_id in convs]
    venues = (
        await Venue.select(Venue.id, Venue.name, Venue.commune)
        .where(Venue.commune.is_in(communes or [-1]) & Venue.active.eq(True))
        .order_by(Venue.name)
    )
    counsellors = await ConventionCounsellor.select(
        ConventionCounsellor.counsellor,
        ConventionCounsellor.counsellor._.first_name.as_alias("first_name"),
        ConventionCounsellor.counsellor._.last_name.as_alias("last_name"),
    ).where(ConventionCounsellor.convention == convention_id)
    places = []
    for venue in venues:
        for c in counsellors:
            target = Target(
                convention_ids=frozenset(of_commune.get(venue["commune"], set())),
                commune_ids=frozenset({venue["commune"]}),
                counsellor_ids=frozenset({c["counsellor"]}),
            )
            if allowed(principal, Action.BOOK, target):
                places.append(
                    {
                        "value": f"{venue['id']}-{c['counsellor']}",
                        "label": f"{venue['name']} · {c['first_name']} {c['last_name']}",
                        "venue_id": venue["id"],
                        "counsellor_id": c["counsellor"],
                    }
                )
    return places


async def residents_in_reach(principal: Principal, found: list[Resident]) -> list[Resident]:
    """Residents (found by phone) the principal may see: received in their scope. Anyone
    else calling from that number is booked as a new person (matched by name on save)."""
    if principal.admin:
        return found
    return [
        r
        for r in found
        if allowed(principal, Action.FIND_RESIDENT, await resident_target(int(r.id)))
    ]
