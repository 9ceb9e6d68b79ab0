"""Seats of workshop sessions: statuses, row locks and the conditional seat counter.

Every change of ``seats_taken`` happens inside ``write_transaction()``. On PostgreSQL the
session rows are locked first, always in ascending id order (so two writers never deadlock),
which also makes registration ids follow the order in which writers got the seats: the
waiting list is in arrival order by id. The counter itself only moves through a conditional
``UPDATE … WHERE seats_taken + n <= capacity`` (and a CHECK constraint on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from piccolo.columns.combination import WhereRaw

from booking.db import aware, is_postgres
from booking.tables import WorkshopSession

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
OFFERED = "offered"
CANCELLED = "cancelled"
EXPIRED = "expired"
ATTENDED = "attended"
NO_SHOW = "no_show"
HOLDING = (CONFIRMED, OFFERED, ATTENDED, NO_SHOW)
"""Statuses that occupy seats."""
ACTIVE = (CONFIRMED, OFFERED, WAITLISTED)
"""Statuses a resident or staff may still cancel."""
SCHEDULED = "scheduled"


@dataclass(frozen=True, slots=True)
class SessionState:
    id: int
    series_id: int
    venue_id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    seats_taken: int
    status: str

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.seats_taken)

    def open_for_promotion(self, now: datetime, cutoff: timedelta) -> bool:
        """A freed seat is offered only before the cut-off (and so before the start)."""
        return self.status == SCHEDULED and now < self.starts_at - cutoff


def _state(row: dict[str, Any]) -> SessionState:
    return SessionState(
        id=int(row["id"]),
        series_id=int(row["series"]),
        venue_id=int(row["venue"]),
        starts_at=aware(row["starts_at"]),
        ends_at=aware(row["ends_at"]),
        capacity=int(row["capacity"]),
        seats_taken=int(row["seats_taken"]),
        status=str(row["status"]),
    )


_COLUMNS = (
    WorkshopSession.id,
    WorkshopSession.series,
    WorkshopSession.venue,
    WorkshopSession.starts_at,
    WorkshopSession.ends_at,
    WorkshopSession.capacity,
    WorkshopSession.seats_taken,
    WorkshopSession.status,
)


async def lock_sessions(session_ids: Iterable[int]) -> dict[int, SessionState]:
    """Lock (PostgreSQL) and read these sessions, in ascending id order."""
    wanted = sorted(set(session_ids))
    if not wanted:
        return {}
    query = (
        WorkshopSession.select(*_COLUMNS)
        .where(WorkshopSession.id.is_in(wanted))
        .order_by(WorkshopSession.id)
    )
    if is_postgres():
        query = query.lock_rows("UPDATE")
    return {s.id: s for s in map(_state, await query)}


async def lock_series(series_id: int) -> dict[int, SessionState]:
    """Lock and read every session of a series (promotion may touch any of them)."""
    query = (
        WorkshopSession.select(*_COLUMNS)
        .where(WorkshopSession.series == series_id)
        .order_by(WorkshopSession.id)
    )
    if is_postgres():
        query = query.lock_rows("UPDATE")
    return {s.id: s for s in map(_state, await query)}


async def read_sessions(session_ids: Iterable[int]) -> dict[int, SessionState]:
    wanted = sorted(set(session_ids))
    rows = await WorkshopSession.select(*_COLUMNS).where(WorkshopSession.id.is_in(wanted or [-1]))
    return {s.id: s for s in map(_state, rows)}


async def take_seats(session_id: int, seats: int, now: datetime) -> bool:
    """Add ``seats`` to a scheduled session if they fit; False (nothing changed) if not."""
    rows = (
        await WorkshopSession.update(
            {
                WorkshopSession.seats_taken: WorkshopSession.seats_taken + seats,
                WorkshopSession.updated_at: now,
            }
        )
        .where(
            (WorkshopSession.id == session_id)
            & (WorkshopSession.status == SCHEDULED)
            & WhereRaw("seats_taken + {} <= capacity", seats)
        )
        .returning(WorkshopSession.id)
    )
    return bool(rows)


async def release_seats(session_id: int, seats: int, now: datetime) -> None:
    await WorkshopSession.update(
        {
            WorkshopSession.seats_taken: WorkshopSession.seats_taken - seats,
            WorkshopSession.updated_at: now,
        }
    ).where((WorkshopSession.id == session_id) & WhereRaw("seats_taken >= {}", seats))
