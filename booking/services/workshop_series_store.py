"""Workshop series rows and drafts, one into the other."""

from __future__ import annotations

from typing import Any

from booking.db import json_dates, json_list
from booking.errors import NotFound
from booking.services.workshop_plan import SeriesDraft
from booking.services.workshop_scope import animators_of
from booking.tables import WorkshopSeries


def series_columns(draft: SeriesDraft) -> dict[str, Any]:
    return dict(
        venue=draft.venue_id,
        title=draft.title,
        description=draft.description,
        level=draft.level,
        themes=list(draft.themes),
        capacity=draft.capacity,
        registration_mode=draft.registration_mode,
        start_time=draft.start_time,
        end_time=draft.end_time,
        rrule=draft.rrule,
        first_day=draft.first_day,
        until=draft.until,
        rdates=[d.isoformat() for d in draft.rdates],
        exdates=[d.isoformat() for d in draft.exdates],
        external_animators=list(draft.external_animators),
        offer_minutes=draft.offer_minutes,
        cutoff_minutes=draft.cutoff_minutes,
        status=draft.status,
    )


async def current_draft(series_id: int) -> SeriesDraft:
    """The stored settings of a series as a draft (to edit some fields and keep the rest)."""
    row = await WorkshopSeries.select().where(WorkshopSeries.id == series_id).first()
    if row is None:
        raise NotFound("Cet atelier n'existe pas.")
    return SeriesDraft(
        convention_id=row["convention"],
        venue_id=row["venue"],
        title=row["title"],
        start_time=row["start_time"],
        end_time=row["end_time"],
        first_day=row["first_day"],
        rrule=row["rrule"],
        until=row["until"],
        rdates=json_dates(row["rdates"]),
        exdates=json_dates(row["exdates"]),
        description=row["description"],
        level=row["level"],
        themes=tuple(json_list(row["themes"])),
        capacity=row["capacity"],
        registration_mode=row["registration_mode"],
        counsellor_ids=tuple(await animators_of(series_id)),
        external_animators=tuple(json_list(row["external_animators"])),
        offer_minutes=row["offer_minutes"],
        cutoff_minutes=row["cutoff_minutes"],
        status=row["status"],
    )
