"""The booking path's own statements, in plain engine-neutral SQL (``{}`` placeholders):
on a booking, building these queries through the ORM cost more than running them.

Each runs in the caller's transaction, if any. Values are passed as the ORM passes them
(aware datetimes, booleans), so the rows written are the ORM's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from booking.db import is_postgres
from booking.errors import NotFound, SlotUnavailable
from booking.services.availability_data import fetch, marks

_SCOPE = (
    "SELECT v.name, v.address, v.active, c.timezone, "
    "EXISTS (SELECT 1 FROM convention_commune cc WHERE cc.convention = {{}} "
    "AND cc.commune = v.commune) AS covered, "
    "EXISTS (SELECT 1 FROM convention_counsellor ck WHERE ck.convention = {{}} "
    "AND ck.counsellor = {counsellor}) AS serves{more} "
    "FROM venue v JOIN commune c ON c.id = v.commune"
)
SCOPE_SQL = _SCOPE.format(counsellor="{}", more="") + " WHERE v.id = {}"
LOCKED_SCOPE_SQL = (
    _SCOPE.format(counsellor="k.id", more=", r.id AS resident_id, r.first_name, r.last_name")
    + " JOIN counsellor k ON k.id = {} LEFT JOIN resident r ON r.phone = {} "
    "AND r.anonymised_at IS NULL WHERE v.id = {} ORDER BY r.id FOR UPDATE OF k"
)
INSERT_SQL = (
    "INSERT INTO appointment (resident, counsellor, venue, service, starts_at, ends_at, "
    "blocked_from, blocked_until, status, channel, created_by, created_at, updated_at, "
    "cancelled_at, cancelled_by_kind, cancelled_by, cancel_reason, override_reason, "
    "outcome_by, manage_token_hash, manage_token_expires_at, sequence, rescheduled_from) "
    "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, NULL, '', NULL, '', {}, "
    "NULL, {}, {}, 0, {}) RETURNING id"
)


@dataclass(frozen=True, slots=True)
class Place:
    """What an SMS shows of a venue, and the time zone its times are written in."""

    name: str
    address: str
    tz: str


@dataclass(frozen=True, slots=True)
class NewAppointment:
    resident: int
    counsellor: int
    venue: int
    service: int
    start: datetime
    end: datetime
    blocked_from: datetime
    blocked_until: datetime
    status: str
    channel: str
    created_by: int | None
    now: datetime
    override_reason: str
    token_hash: str
    rescheduled_from: int | None = None


async def lock_counsellors(*ids: int) -> None:
    """PostgreSQL: serialise bookings per counsellor (ordered, so two locks never deadlock).
    SQLite: the immediate write transaction already serialises every writer."""
    if is_postgres():
        wanted = sorted(set(ids))
        await fetch(f"SELECT id FROM counsellor WHERE id IN ({marks(wanted)}) "
                    "ORDER BY id FOR UPDATE", *wanted)


async def check_scope(convention_id: int, venue_id: int, counsellor_id: int) -> Place:
    """The venue is active, in a commune of the service's convention, and the counsellor
    serves that convention: one statement."""
    rows = await fetch(SCOPE_SQL, convention_id, convention_id, counsellor_id, venue_id)
    return _in_scope(rows[0] if rows else None)


@dataclass(frozen=True, slots=True)
class Scoped:
    place: Place
    same_phone: Sequence[Mapping[str, Any]] | None
    """The residents with the booking's phone (``id``, ``first_name``, ``last_name``), when
    read by the same statement (PostgreSQL)."""


async def lock_and_check_scope(
    convention_id: int, venue_id: int, counsellor_id: int, phone: str
) -> Scoped:
    """``lock_counsellors(counsellor_id)`` then ``check_scope``. On PostgreSQL one statement
    (the lock is taken on the counsellor's row only: ``FOR UPDATE OF k``) that also reads
    the residents with ``phone``, for ``residents.upsert_row`` a few statements later in the
    same transaction."""
    if not is_postgres():
        return Scoped(await check_scope(convention_id, venue_id, counsellor_id), None)
    rows = await fetch(LOCKED_SCOPE_SQL, convention_id, convention_id, counsellor_id, phone,
                       venue_id)
    if not rows:  # no such venue or counsellor: the plain check says which, and raises
        await check_scope(convention_id, venue_id, counsellor_id)
        raise SlotUnavailable("Ce créneau n'est pas proposé pour ce motif.", field="start")
    same_phone = [{"id": row["resident_id"], "first_name": row["first_name"],
                   "last_name": row["last_name"]} for row in rows if row["resident_id"] is not None]
    return Scoped(_in_scope(rows[0]), same_phone)


def _in_scope(row: Mapping[str, Any] | None) -> Place:
    if row is None or not row["active"]:
        raise NotFound("Ce lieu n'existe pas.", field="venue_id")
    if not (row["covered"] and row["serves"]):
        raise SlotUnavailable("Ce créneau n'est pas proposé pour ce motif.", field="start")
    return Place(row["name"], row["address"], row["timezone"])


async def insert_appointment(new: NewAppointment) -> int:
    rows = await fetch(
        INSERT_SQL, new.resident, new.counsellor, new.venue, new.service, new.start, new.end,
        new.blocked_from, new.blocked_until, new.status, new.channel, new.created_by, new.now,
        new.now, new.override_reason, new.token_hash, new.end, new.rescheduled_from)
    return int(rows[0]["id"])
