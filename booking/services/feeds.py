"""A counsellor's private calendar feed: its secret token and its events.

The feed holds the counsellor's appointments and the workshop sessions they animate, across
every convention, from 30 days back to the booking horizon (the longest ``horizon_days`` of
their conventions' services). It is built in a fixed number of queries whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Max

from booking.auth.secrets import hash_token, new_token
from booking.db import aware
from booking.errors import NotFound
from booking.services import audit
from booking.services.feed_events import (
    APPOINTMENT_COLUMNS,
    SESSION_COLUMNS,
    animated_session_event,
    appointment_event,
)
from booking.services.feed_model import (
    KEEP_CANCELLED,
    Feed,
    FeedLinks,
    FeedSource,
    day_start,
    make_feed,
    short_name,
)
from booking.services.feed_rows import built, rows_source
from booking.tables import (
    Appointment,
    ConventionCounsellor,
    Counsellor,
    Service,
    WorkshopAnimator,
    WorkshopSession,
)
from calendars.ical_build import CalendarMeta

TOKEN_BYTES = 24  # 192 bits
PAST = timedelta(days=30)
DEFAULT_HORIZON_DAYS = 60


@dataclass(frozen=True, slots=True)
class FeedOwner:
    id: int
    first_name: str
    last_name: str
    token_created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TokenStatus:
    active: bool
    created_at: datetime | None


async def _owner_row(counsellor_id: int) -> dict[str, Any]:
    row = (
        await Counsellor.select(Counsellor.id, Counsellor.feed_token_created_at)
        .where(Counsellor.id == counsellor_id)
        .first()
    )
    if row is None:
        raise NotFound("Ce conseiller n'existe pas.")
    return row


async def rotate_token(counsellor_id: int, *, now: datetime, actor_id: int | None) -> str:
    """Give the counsellor a new feed token (the previous URL stops working); return it."""
    await _owner_row(counsellor_id)
    raw, digest = new_token(TOKEN_BYTES)
    await Counsellor.update(
        {Counsellor.feed_token_hash: digest, Counsellor.feed_token_created_at: now}
    ).where(Counsellor.id == counsellor_id)
    await audit.record(
        at=now,
        actor_kind="staff",
        actor_id=actor_id,
        action="feed.rotate",
        entity="counsellor",
        entity_id=counsellor_id,
    )
    return raw


async def revoke_token(counsellor_id: int, *, now: datetime, actor_id: int | None) -> None:
    await _owner_row(counsellor_id)
    await Counsellor.update(
        {Counsellor.feed_token_hash: None, Counsellor.feed_token_created_at: None}
    ).where(Counsellor.id == counsellor_id)
    await audit.record(
        at=now,
        actor_kind="staff",
        actor_id=actor_id,
        action="feed.revoke",
        entity="counsellor",
        entity_id=counsellor_id,
    )


async def token_status(counsellor_id: int) -> TokenStatus:
    row = await _owner_row(counsellor_id)
    created = row["feed_token_created_at"]
    return TokenStatus(created is not None, aware(created) if created is not None else None)


async def owner_of_token(token: str) -> FeedOwner | None:
    """The active counsellor behind a feed token; None for an unknown or revoked one."""
    if not token or len(token) > 64:
        return None
    row = (
        await Counsellor.select(
            Counsellor.id,
            Counsellor.first_name,
            Counsellor.last_name,
            Counsellor.feed_token_created_at,
        )
        .where(
            (Counsellor.feed_token_hash == hash_token(token)) & (Counsellor.active == True)  # noqa: E712
        )
        .first()
    )
    if row is None:
        return None
    created = row["feed_token_created_at"]
    return FeedOwner(
        row["id"],
        row["first_name"],
        row["last_name"],
        aware(created) if created is not None else None,
    )


async def horizon_days(counsellor_id: int) -> int:
    """The longest booking horizon of the services of the counsellor's conventions."""
    conventions = ConventionCounsellor.select(ConventionCounsellor.convention).where(
        ConventionCounsellor.counsellor == counsellor_id
    )
    row = (
        await Service.select(Max(Service.horizon_days, alias="days"))
        .where(
            Service.convention.is_in(conventions) & (Service.active == True)  # noqa: E712
        )
        .first()
    )
    return int(row["days"]) if row and row["days"] else DEFAULT_HORIZON_DAYS


def _build(
    owner: FeedOwner,
    today: datetime,
    appointments: list[dict[str, Any]],
    sessions: list[dict[str, Any]],
    links: FeedLinks,
) -> Feed:
    events = [appointment_event(r, links) for r in appointments]
    events += [animated_session_event(r, links) for r in sessions]
    meta = CalendarMeta(
        name=f"Créneau — {short_name(owner.first_name, owner.last_name)}",
        description="Rendez-vous et ateliers (agenda privé, ne pas partager le lien)",
        refresh=timedelta(minutes=30),
    )
    changes = [e.last_modified for e in events]
    return make_feed(meta, events, changes, window_moved=today)


def _statements(owner_id: int, start: datetime, end: datetime, kept: datetime) -> list[Any]:
    """The feed's two reads: appointments and animated sessions overlapping the window."""

    def appointments() -> Any:
        return Appointment.select(*APPOINTMENT_COLUMNS).where(
            (Appointment.counsellor == owner_id)
            & (Appointment.starts_at < end)
            & (Appointment.ends_at > start)
            & ((Appointment.status != "cancelled") | (Appointment.cancelled_at >= kept))
        )

    def sessions() -> Any:
        animated = WorkshopAnimator.select(WorkshopAnimator.series).where(
            WorkshopAnimator.counsellor == owner_id
        )
        return WorkshopSession.select(*SESSION_COLUMNS).where(
            WorkshopSession.series.is_in(animated)
            & (WorkshopSession.starts_at < end)
            & (WorkshopSession.ends_at > start)
            & ((WorkshopSession.status != "cancelled") | (WorkshopSession.cancelled_at >= kept))
        )

    return [appointments, sessions]


async def _window(owner: FeedOwner, now: datetime) -> tuple[datetime, list[Any]]:
    today = day_start(now)
    start, end = today - PAST, today + timedelta(days=await horizon_days(owner.id) + 1)
    return today, _statements(owner.id, start, end, today - KEEP_CANCELLED)


async def counsellor_source(owner: FeedOwner, *, now: datetime, links: FeedLinks) -> FeedSource:
    """``owner``'s private feed, keyed for ``FeedCache`` by a digest of its rows (two
    statements, whatever the number of events): a poll that finds the same rows neither
    reads them nor builds the calendar. The token's generation is mixed into the ``ETag``."""
    today, statements = await _window(owner, now)
    return await rows_source(
        ("counsellor", owner, links, today),
        statements,
        lambda rows: _build(owner, today, rows[0], rows[1], links),
        tag=owner.token_created_at.isoformat() if owner.token_created_at else "",
    )


async def counsellor_feed(owner: FeedOwner, *, now: datetime, links: FeedLinks) -> Feed:
    """The private feed of ``owner``, read and built (three statements)."""
    today, statements = await _window(owner, now)
    return await built(statements, lambda rows: _build(owner, today, rows[0], rows[1], links))
