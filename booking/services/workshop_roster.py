"""Staff views of workshops: the series a principal may manage, sessions with their counts,
and a session's roster (names and phones: staff only)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from booking.auth.permissions import Principal
from booking.db import aware
from booking.errors import NotFound
from booking.services.workshop_seats import ACTIVE, HOLDING, read_sessions
from booking.tables import Registration, WorkshopAnimator, WorkshopSeries, WorkshopSession


@dataclass(frozen=True, slots=True)
class SessionCounts:
    id: int
    starts_at: datetime
    ends_at: datetime
    venue_id: int
    venue: str
    tz: str
    capacity: int
    seats_taken: int
    status: str
    edited: bool
    by_status: dict[str, int]  # registrations (not seats) per status

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.seats_taken)


@dataclass(frozen=True, slots=True)
class RosterLine:
    id: int
    resident_id: int
    first_name: str
    last_name: str
    phone: str
    party_size: int
    status: str
    channel: str
    created_at: datetime
    offer_expires_at: datetime | None
    whole_series: bool


async def visible_series(principal: Principal) -> list[dict[str, Any]]:
    """Series in the principal's scope, newest first (with venue and commune names)."""
    query = WorkshopSeries.select(
        WorkshopSeries.id,
        WorkshopSeries.title,
        WorkshopSeries.status,
        WorkshopSeries.registration_mode,
        WorkshopSeries.convention,
        WorkshopSeries.venue._.name.as_alias("venue"),
        WorkshopSeries.venue._.commune._.name.as_alias("commune"),
    ).order_by(WorkshopSeries.id, ascending=False)
    if not principal.admin:
        animated = [
            r["series"]
            for r in await WorkshopAnimator.select(WorkshopAnimator.series).where(
                WorkshopAnimator.counsellor.is_in(sorted(principal.counsellors) or [-1])
            )
        ]
        query = query.where(
            WorkshopSeries.convention.is_in(sorted(principal.conventions) or [-1])
            | WorkshopSeries.venue._.commune.is_in(sorted(principal.communes) or [-1])
            | WorkshopSeries.id.is_in(animated or [-1])
        )
    return await query


async def series_sessions(series_id: int) -> list[SessionCounts]:
    rows = (
        await WorkshopSession.select(
            *WorkshopSession.all_columns(),
            WorkshopSession.venue._.name.as_alias("venue_name"),
            WorkshopSession.venue._.commune._.timezone.as_alias("tz"),
        )
        .where(WorkshopSession.series == series_id)
        .order_by(WorkshopSession.starts_at)
    )
    counts: dict[int, Counter[str]] = {r["id"]: Counter() for r in rows}
    for reg in await Registration.select(Registration.session, Registration.status).where(
        Registration.session.is_in(list(counts) or [-1])
    ):
        counts[reg["session"]][reg["status"]] += 1
    return [
        SessionCounts(
            id=r["id"],
            starts_at=aware(r["starts_at"]),
            ends_at=aware(r["ends_at"]),
            venue_id=r["venue"],
            venue=r["venue_name"],
            tz=r["tz"],
            capacity=r["capacity"],
            seats_taken=r["seats_taken"],
            status=r["status"],
            edited=bool(r["edited"]),
            by_status=dict(counts[r["id"]]),
        )
        for r in rows
    ]


async def roster(session_id: int, *, include_cancelled: bool = False) -> list[RosterLine]:
    """Registrations of a session in arrival order: those holding seats, then the waiting
    list (and, if asked, the cancelled ones)."""
    if not await read_sessions([session_id]):
        raise NotFound("Cette séance n'existe pas.")
    rows = (
        await Registration.select(
            Registration.id,
            Registration.resident,
            Registration.party_size,
            Registration.status,
            Registration.channel,
            Registration.created_at,
            Registration.offer_expires_at,
            Registration.group_key,
            Registration.resident._.first_name.as_alias("first_name"),
            Registration.resident._.last_name.as_alias("last_name"),
            Registration.resident._.phone.as_alias("phone"),
        )
        .where(Registration.session == session_id)
        .order_by(Registration.id)
    )
    groups = Counter(
        r["group_key"]
        for r in await Registration.select(Registration.group_key).where(
            Registration.group_key.is_in(sorted({r["group_key"] for r in rows}) or ["-"])
        )
    )
    wanted = set(HOLDING) | set(ACTIVE) | ({"cancelled", "expired"} if include_cancelled else set())
    lines = [
        RosterLine(
            id=r["id"],
            resident_id=r["resident"],
            first_name=r["first_name"],
            last_name=r["last_name"],
            phone=r["phone"],
            party_size=r["party_size"],
            status=r["status"],
            channel=r["channel"],
            created_at=aware(r["created_at"]),
            offer_expires_at=aware(r["offer_expires_at"]) if r["offer_expires_at"] else None,
            whole_series=groups[r["group_key"]] > 1,
        )
        for r in rows
        if r["status"] in wanted
    ]
    return sorted(lines, key=lambda line: (line.status not in HOLDING, line.id))
