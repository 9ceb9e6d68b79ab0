"""What a resident can book where: communes served, services offered online."""

from __future__ import annotations

from typing import Any

from booking.auth.scopes import conventions_of_commune
from booking.tables import Commune, ConventionCommune, Service


async def _bookable_conventions() -> set[int]:
    rows = await Service.select(Service.convention).where(
        Service.active.eq(True) & Service.online_bookable.eq(True)
    )
    return {int(r["convention"]) for r in rows}


async def communes_served() -> list[dict[str, Any]]:
    """Communes of a convention offering at least one service online, by name."""
    conventions = await _bookable_conventions()
    rows = await ConventionCommune.select(
        ConventionCommune.commune.as_alias("id"),
        ConventionCommune.commune._.name.as_alias("name"),
        ConventionCommune.commune._.postcode.as_alias("postcode"),
    ).where(ConventionCommune.convention.is_in(sorted(conventions) or [-1]))
    unique = {r["id"]: r for r in rows}
    return sorted(unique.values(), key=lambda r: (r["name"].casefold(), r["postcode"]))


async def communes_with_postcode(postcode: str) -> list[dict[str, Any]]:
    served = {c["id"] for c in await communes_served()}
    rows = (
        await Commune.select(Commune.id, Commune.name, Commune.postcode)
        .where(Commune.postcode == postcode)
        .order_by(Commune.name)
    )
    return [r for r in rows if r["id"] in served]


async def commune(commune_id: int) -> dict[str, Any] | None:
    row = (
        await Commune.select(Commune.id, Commune.name, Commune.postcode, Commune.timezone)
        .where(Commune.id == commune_id)
        .first()
    )
    return dict(row) if row else None


async def online_services(commune_ids: list[int]) -> list[dict[str, Any]]:
    """Services bookable online by residents of these communes."""
    conventions: set[int] = set()
    for commune_id in commune_ids:
        conventions |= await conventions_of_commune(commune_id)
    rows = (
        await Service.select(
            Service.id,
            Service.public_label,
            Service.description,
            Service.duration_minutes,
            Service.convention,
        )
        .where(
            Service.convention.is_in(sorted(conventions) or [-1])
            & Service.active.eq(True)
            & Service.online_bookable.eq(True)
        )
        .order_by(Service.id)
    )
    return list(rows)


async def service_serves_commune(service_id: int, commune_id: int) -> bool:
    row = await Service.select(Service.convention).where(Service.id == service_id).first()
    return row is not None and int(row["convention"]) in await conventions_of_commune(commune_id)
