"""Resolve the authorisation scope (``Target``) of stored objects."""

from __future__ import annotations

from booking.auth.permissions import Target
from booking.errors import NotFound
from booking.tables import ConventionCommune, ConventionCounsellor, Venue


async def conventions_of_commune(commune_id: int) -> frozenset[int]:
    rows = await ConventionCommune.select(ConventionCommune.convention).where(
        ConventionCommune.commune == commune_id
    )
    return frozenset(r["convention"] for r in rows)


async def conventions_of_counsellor(counsellor_id: int) -> frozenset[int]:
    rows = await ConventionCounsellor.select(ConventionCounsellor.convention).where(
        ConventionCounsellor.counsellor == counsellor_id
    )
    return frozenset(r["convention"] for r in rows)


async def commune_of_venue(venue_id: int) -> int:
    row = await Venue.select(Venue.commune).where(Venue.id == venue_id).first()
    if row is None:
        raise NotFound("Ce lieu n'existe pas.")
    return int(row["commune"])


async def target_for_venue(venue_id: int, counsellor_id: int | None = None) -> Target:
    commune = await commune_of_venue(venue_id)
    return Target(
        convention_ids=await conventions_of_commune(commune),
        commune_ids=frozenset({commune}),
        counsellor_ids=frozenset({counsellor_id}) if counsellor_id else frozenset(),
    )


async def target_for_counsellor(counsellor_id: int) -> Target:
    return Target(
        convention_ids=await conventions_of_counsellor(counsellor_id),
        counsellor_ids=frozenset({counsellor_id}),
    )


def target_for_convention(convention_id: int) -> Target:
    return Target(convention_ids=frozenset({convention_id}))


async def target_for_convention_members(convention_id: int) -> Target:
    """A convention-wide object reachable by its coordinators, the agents of its communes
    and its counsellors (e.g. the desk's slot search across the convention)."""
    communes = await ConventionCommune.select(ConventionCommune.commune).where(
        ConventionCommune.convention == convention_id)
    counsellors = await ConventionCounsellor.select(ConventionCounsellor.counsellor).where(
        ConventionCounsellor.convention == convention_id)
    return Target(convention_ids=frozenset({convention_id}),
                  commune_ids=frozenset(r["commune"] for r in communes),
                  counsellor_ids=frozenset(r["counsellor"] for r in counsellors))


async def target_for_commune(commune_id: int) -> Target:
    return Target(
        convention_ids=await conventions_of_commune(commune_id),
        commune_ids=frozenset({commune_id}),
    )
