"""Closures of a venue or a commune imported from an iCalendar file or URL.

Each import is a ``ClosureSource``; its ``VenueClosure`` rows are replaced as a whole when
the source is refreshed (on demand). Recurring events are expanded over
``[now - 1 day, now + 400 days]`` in the commune's zone; ``load_busy`` reads the rows, so
imported closures block availability like hand-made ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from booking.db import write_transaction
from booking.errors import InvalidInput, NotFound
from booking.services import audit
from booking.services.closure_fetch import FetchFailed, fetch_ics
from booking.tables import ClosureSource, Commune, Venue, VenueClosure
from calendars.ical_import import IcsImportError, ImportedClosure, parse_closures

BEFORE = timedelta(days=1)
AHEAD = timedelta(days=400)
INSERT_BATCH = 500


class ClosureImportFailed(InvalidInput):
    code = "closure_import_failed"


@dataclass(frozen=True, slots=True)
class Target:
    """Exactly one of ``venue_id`` / ``commune_id``."""

    venue_id: int | None = None
    commune_id: int | None = None


@dataclass(frozen=True, slots=True)
class ImportResult:
    source_id: int
    closures: int
    refreshed_at: datetime


async def _zone(target: Target) -> str:
    if (target.venue_id is None) == (target.commune_id is None):
        raise InvalidInput("Choisissez un lieu ou une commune.", field="venue_id")
    if target.venue_id is not None:
        row = (
            await Venue.select(Venue.commune.timezone.as_alias("tz"))
            .where(Venue.id == target.venue_id)
            .first()
        )
        if row is None:
            raise NotFound("Ce lieu n'existe pas.", field="venue_id")
    else:
        row = (
            await Commune.select(Commune.timezone.as_alias("tz"))
            .where(Commune.id == target.commune_id)
            .first()
        )
        if row is None:
            raise NotFound("Cette commune n'existe pas.", field="commune_id")
    return str(row["tz"])


async def _closures(data: bytes, target: Target, now: datetime) -> list[ImportedClosure]:
    try:
        return parse_closures(
            data, tz=await _zone(target), window_start=now - BEFORE, window_end=now + AHEAD
        )
    except IcsImportError as exc:
        raise ClosureImportFailed(str(exc), field="file") from exc


async def _replace(
    source_id: int, target: Target, closures: list[ImportedClosure], now: datetime
) -> None:
    await VenueClosure.delete().where(VenueClosure.source == source_id)
    rows = [
        VenueClosure(
            venue=target.venue_id,
            commune=target.commune_id,
            starts_at=c.start,
            ends_at=c.end,
            reason=(c.summary or "Fermeture")[:200],
            source=source_id,
            source_uid=c.uid[:300],
        )
        for c in closures
    ]
    for at in range(0, len(rows), INSERT_BATCH):
        await VenueClosure.insert(*rows[at : at + INSERT_BATCH])
    await ClosureSource.update(
        {ClosureSource.last_refreshed_at: now, ClosureSource.last_error: ""}
    ).where(ClosureSource.id == source_id)


async def import_closures(
    target: Target,
    *,
    now: datetime,
    actor_id: int | None,
    data: bytes | None = None,
    url: str = "",
    label: str = "",
    transport: Any = None,
) -> ImportResult:
    """Create a source from an uploaded file (``data``) or a URL, and import its closures."""
    if data is None and not url:
        raise InvalidInput("Envoyez un fichier .ics ou une adresse.", field="file")
    if data is not None and url:
        raise InvalidInput("Envoyez un fichier .ics ou une adresse, pas les deux.", field="file")
    if url:
        try:
            data = await fetch_ics(url, transport=transport)
        except FetchFailed as exc:
            raise ClosureImportFailed(exc.message, field="url") from exc
    assert data is not None
    closures = await _closures(data, target, now)
    async with write_transaction():
        source = ClosureSource(
            venue=target.venue_id,
            commune=target.commune_id,
            url=url,
            label=(label.strip() or "Fermetures importées")[:200],
        )
        await source.save()
        await _replace(int(source.id), target, closures, now)
        await audit.record(
            at=now,
            actor_kind="staff",
            actor_id=actor_id,
            action="closures.import",
            entity="closure_source",
            entity_id=int(source.id),
            closures=len(closures),
        )
    return ImportResult(int(source.id), len(closures), now)


async def source_target(source_id: int) -> tuple[Target, str]:
    row = (
        await ClosureSource.select(ClosureSource.venue, ClosureSource.commune, ClosureSource.url)
        .where(ClosureSource.id == source_id)
        .first()
    )
    if row is None:
        raise NotFound("Ce calendrier de fermetures n'existe pas.")
    return Target(row["venue"], row["commune"]), str(row["url"])


async def refresh_source(
    source_id: int,
    *,
    now: datetime,
    actor_id: int | None,
    data: bytes | None = None,
    transport: Any = None,
) -> ImportResult:
    """Fetch the source's URL again (or read a new upload) and replace its closures.

    On failure the previous closures stay and the source records the error."""
    target, url = await source_target(source_id)
    try:
        if data is None:
            if not url:
                raise ClosureImportFailed(
                    "Ce calendrier a été envoyé comme fichier : envoyez le nouveau fichier.",
                    field="file",
                )
            try:
                data = await fetch_ics(url, transport=transport)
            except FetchFailed as exc:
                raise ClosureImportFailed(exc.message, field="url") from exc
        closures = await _closures(data, target, now)
    except ClosureImportFailed as exc:
        await ClosureSource.update({ClosureSource.last_error: exc.message[:1000]}).where(
            ClosureSource.id == source_id
        )
        raise
    async with write_transaction():
        await _replace(source_id, target, closures, now)
        await audit.record(
            at=now,
            actor_kind="staff",
            actor_id=actor_id,
            action="closures.refresh",
            entity="closure_source",
            entity_id=source_id,
            closures=len(closures),
        )
    return ImportResult(source_id, len(closures), now)
