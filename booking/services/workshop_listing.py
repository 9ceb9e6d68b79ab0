"""Public listing of workshops per commune, venue or convention, with seats left.

Only public facts leave this module: titles, places, times, seats. No registration, no
resident; animators appear as a first name and an initial, as on the booking pages.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from booking.db import aware, json_list
from booking.errors import NotFound
from booking.services.workshop_plan import LEVELS
from booking.services.workshop_seats import SCHEDULED
from booking.tables import (
    Commune,
    Convention,
    Venue,
    WorkshopAnimator,
    WorkshopSeries,
    WorkshopSession,
)

HORIZON = timedelta(days=200)
KINDS = ("commune", "lieu", "convention")


@dataclass(frozen=True, slots=True)
class PublicSession:
    id: int
    starts_at: datetime
    ends_at: datetime
    tz: str
    venue: str
    address: str
    commune: str
    capacity: int
    seats_left: int
    cancelled: bool
    open: bool  # online registration still possible


@dataclass(frozen=True, slots=True)
class PublicSeries:
    id: int
    slug: str
    title: str
    description: str
    level: str
    level_label: str
    themes: tuple[str, ...]
    registration_mode: str
    animators: tuple[str, ...]
    sessions: tuple[PublicSession, ...]

    @property
    def open_sessions(self) -> tuple[PublicSession, ...]:
        return tuple(s for s in self.sessions if s.open)

    @property
    def series_seats_left(self) -> int:
        """Seats left for a whole-*parcours* registration (the tightest open session)."""
        return min((s.seats_left for s in self.open_sessions), default=0)


@dataclass(frozen=True, slots=True)
class Place:
    kind: str
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class Listing:
    place: Place
    series: tuple[PublicSeries, ...]


_SESSION_COLUMNS = (
    WorkshopSession.id,
    WorkshopSession.series,
    WorkshopSession.starts_at,
    WorkshopSession.ends_at,
    WorkshopSession.capacity,
    WorkshopSession.seats_taken,
    WorkshopSession.status,
    WorkshopSession.venue.name.as_alias("venue_name"),
    WorkshopSession.venue.address.as_alias("address"),
    WorkshopSession.venue._.commune._.name.as_alias("commune_name"),
    WorkshopSession.venue._.commune._.timezone.as_alias("tz"),
    WorkshopSession.series.cutoff_minutes.as_alias("cutoff"),
)


async def _place(kind: str, slug: str) -> tuple[Place, Any]:
    table: Any = {"commune": Commune, "lieu": Venue, "convention": Convention}.get(kind)
    if table is None:
        raise NotFound("Page introuvable.")
    row = await table.select(table.id, table.name).where(table.slug == slug).first()
    if row is None:
        raise NotFound("Cette page n'existe pas.")
    condition = {
        "commune": WorkshopSession.venue.commune == row["id"],
        "lieu": WorkshopSession.venue == row["id"],
        "convention": WorkshopSession.series.convention == row["id"],
    }[kind]
    return Place(kind, slug, row["name"]), condition


def _session(row: dict[str, Any], now: datetime) -> PublicSession:
    start = aware(row["starts_at"])
    scheduled = row["status"] == SCHEDULED
    return PublicSession(
        id=row["id"],
        starts_at=start,
        ends_at=aware(row["ends_at"]),
        tz=row["tz"],
        venue=row["venue_name"],
        address=row["address"],
        commune=row["commune_name"],
        capacity=row["capacity"],
        seats_left=max(0, row["capacity"] - row["seats_taken"]),
        cancelled=not scheduled,
        open=scheduled and now < start - timedelta(minutes=row["cutoff"]),
    )


async def _animators(series_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for row in await WorkshopAnimator.select(
        WorkshopAnimator.series,
        WorkshopAnimator.counsellor.first_name.as_alias("first"),
        WorkshopAnimator.counsellor.last_name.as_alias("last"),
    ).where(
        WorkshopAnimator.series.is_in(series_ids or [-1])
        & WorkshopAnimator.counsellor._.active.eq(True)
    ):
        found[row["series"]].append(f"{row['first']} {row['last'][:1]}.")
    return found


async def _assemble(session_rows: list[dict[str, Any]], now: datetime) -> list[PublicSeries]:
    by_series: dict[int, list[PublicSession]] = defaultdict(list)
    for row in session_rows:
        by_series[row["series"]].append(_session(row, now))
    ids = sorted(by_series)
    animators = await _animators(ids)
    series = await WorkshopSeries.select().where(WorkshopSeries.id.is_in(ids or [-1]))
    out = [
        PublicSeries(
            id=s["id"],
            slug=s["slug"],
            title=s["title"],
            description=s["description"],
            level=s["level"],
            level_label=LEVELS.get(s["level"], s["level"]),
            themes=tuple(json_list(s["themes"])),
            registration_mode=s["registration_mode"],
            animators=tuple(animators[s["id"]]) + tuple(json_list(s["external_animators"])),
            sessions=tuple(sorted(by_series[s["id"]], key=lambda p: p.starts_at)),
        )
        for s in series
    ]
    return sorted(out, key=lambda p: (p.sessions[0].starts_at, p.id))


def _upcoming(now: datetime) -> Any:
    return (
        (WorkshopSession.ends_at > now)
        & (WorkshopSession.starts_at < now + HORIZON)
        & (WorkshopSession.series.status == "published")
    )


async def listing(kind: str, slug: str, *, now: datetime) -> Listing:
    """Upcoming sessions (cancelled ones flagged) of published series at this place."""
    place, condition = await _place(kind, slug)
    rows = await WorkshopSession.select(*_SESSION_COLUMNS).where(_upcoming(now) & condition)
    return Listing(place, tuple(await _assemble(rows, now)))


async def public_series(ref: str, *, now: datetime) -> PublicSeries:
    """A published series by id or slug, with its upcoming sessions."""
    key = (
        WorkshopSeries.id == int(ref)
        if ref.isdigit() and len(ref) < 10
        else WorkshopSeries.slug == ref
    )
    found = (
        await WorkshopSeries.select(WorkshopSeries.id)
        .where(key & (WorkshopSeries.status == "published"))
        .first()
    )
    if found is None:
        raise NotFound("Cet atelier n'existe pas ou n'est plus proposé.")
    rows = await WorkshopSession.select(*_SESSION_COLUMNS).where(
        _upcoming(now) & (WorkshopSession.series == found["id"])
    )
    series = await _assemble(rows, now)
    if not series:
        raise NotFound("Cet atelier n'a plus de séance à venir.")
    return series[0]
