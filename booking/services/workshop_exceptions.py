"""Days without a session: an exception date cancels that day's session (registrants are
told)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from booking.db import json_dates, write_transaction
from booking.errors import NotFound
from booking.services import audit
from booking.services.workshop_links import WorkshopLinks
from booking.services.workshop_seats import SCHEDULED, lock_series
from booking.services.workshop_sessions import cancel_session_rows
from booking.tables import WorkshopSeries


async def add_exception(
    series_id: int, day: date, *, staff_id: int, now: datetime, links: WorkshopLinks
) -> int:
    """No session on ``day`` (local): the date joins the exceptions and its session, if
    any, is cancelled (registrants told). Returns how many registrants were told."""
    series = (
        await WorkshopSeries.select(
            WorkshopSeries.exdates, WorkshopSeries.venue._.commune._.timezone.as_alias("tz")
        )
        .where(WorkshopSeries.id == series_id)
        .first()
    )
    if series is None:
        raise NotFound("Cet atelier n'existe pas.")
    tz = ZoneInfo(series["tz"])
    async with write_transaction():
        sessions = await lock_series(series_id)
        exdates = sorted(set(json_dates(series["exdates"])) | {day})
        await WorkshopSeries.update(
            {
                WorkshopSeries.exdates: [d.isoformat() for d in exdates],
                WorkshopSeries.updated_at: now,
            }
        ).where(WorkshopSeries.id == series_id)
        told = 0
        for state in sessions.values():
            if (
                state.status == SCHEDULED
                and state.starts_at > now
                and state.starts_at.astimezone(tz).date() == day
            ):
                told += await cancel_session_rows(
                    state.id, series_id, now=now, staff_id=staff_id, links=links, reason="exception"
                )
        await audit.record(
            at=now,
            actor_kind="staff",
            actor_id=staff_id,
            action="workshop_series.exception",
            entity="workshop_series",
            entity_id=series_id,
            day=day.isoformat(),
        )
    return told
