"""Authorisation scope of workshop series and sessions (for ``require``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from booking.auth.permissions import Target
from booking.auth.scopes import commune_of_venue
from booking.errors import InvalidInput, NotFound
from booking.tables import (
    ConventionCommune,
    Venue,
    WorkshopAnimator,
    WorkshopSeries,
    WorkshopSession,
)


async def target_for(convention_id: int, venue_id: int, counsellor_ids: frozenset[int]) -> Target:
    """Coordinators of the series' convention, agents of the venue's commune, animators."""
    return Target(
        convention_ids=frozenset({convention_id}),
        commune_ids=frozenset({await commune_of_venue(venue_id)}),
        counsellor_ids=counsellor_ids,
    )


async def series_target(series_id: int) -> Target:
    row = (
        await WorkshopSeries.select(WorkshopSeries.convention, WorkshopSeries.venue)
        .where(WorkshopSeries.id == series_id)
        .first()
    )
    if row is None:
        raise NotFound("Cet atelier n'existe pas.")
    return await target_for(
        row["convention"], row["venue"], frozenset(await animators_of(series_id))
    )


async def series_of_session(session_id: int) -> int:
    row = (
        await WorkshopSession.select(WorkshopSession.series)
        .where(WorkshopSession.id == session_id)
        .first()
    )
    if row is None:
        raise NotFound("Cette séance n'existe pas.")
    return int(row["series"])


async def venue_zone(convention_id: int, venue_id: int) -> tuple[ZoneInfo, str]:
    """The zone and holiday region of a venue the convention covers (else an error)."""
    venue = (
        await Venue.select(
            Venue.commune,
            Venue.active,
            Venue.commune.timezone.as_alias("tz"),
            Venue.commune.holiday_region.as_alias("region"),
        )
        .where(Venue.id == venue_id)
        .first()
    )
    if venue is None or not venue["active"]:
        raise NotFound("Ce lieu n'existe pas.", field="venue_id")
    if not await ConventionCommune.exists().where(
        (ConventionCommune.convention == convention_id)
        & (ConventionCommune.commune == venue["commune"])
    ):
        raise InvalidInput("Ce lieu n'est pas couvert par la convention.", field="venue_id")
    return ZoneInfo(venue["tz"]), venue["region"]


async def animators_of(series_id: int) -> list[int]:
    rows = await WorkshopAnimator.select(WorkshopAnimator.counsellor).where(
        WorkshopAnimator.series == series_id
    )
    return sorted(r["counsellor"] for r in rows)
