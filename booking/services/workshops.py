"""Workshop series: preview, create and edit, with sessions generated from the recurrence in
the commune's zone. Single sessions are edited or cancelled in ``workshop_sessions``.

Creating or moving sessions locks the animators' counsellor rows (PostgreSQL) and refuses
sessions overlapping their appointments, other sessions or absences unless forced.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from booking.db import write_transaction
from booking.errors import InvalidInput, NotFound
from booking.services import audit
from booking.services.workshop_conflicts import (
    Conflict,
    animator_conflicts,
    busy_error,
    lock_counsellors,
)
from booking.services.workshop_exceptions import add_exception
from booking.services.workshop_links import WorkshopLinks
from booking.services.workshop_plan import (
    PlannedSession,
    SeriesDraft,
    clean_draft,
    included,
    plan_sessions,
    slugify,
)
from booking.services.workshop_reconcile import reconcile
from booking.services.workshop_scope import venue_zone
from booking.services.workshop_series_store import current_draft, series_columns
from booking.services.workshop_sessions import SessionChange, cancel_session, edit_session
from booking.tables import (
    ConventionCounsellor,
    WorkshopAnimator,
    WorkshopSeries,
    WorkshopSession,
)

__all__ = [
    "Preview",
    "SeriesDraft",
    "SeriesSaved",
    "SessionChange",
    "add_exception",
    "cancel_session",
    "create_series",
    "current_draft",
    "edit_session",
    "preview_series",
    "update_series",
]


@dataclass(frozen=True, slots=True)
class Preview:
    draft: SeriesDraft
    tz: str
    planned: list[PlannedSession]
    conflicts: list[Conflict]

    @property
    def sessions(self) -> list[PlannedSession]:
        return included(self.planned)


@dataclass(frozen=True, slots=True)
class SeriesSaved:
    series_id: int
    slug: str
    created: tuple[int, ...]
    moved: tuple[int, ...] = ()
    cancelled: tuple[int, ...] = ()


async def _zone(draft: SeriesDraft) -> tuple[ZoneInfo, str]:
    """The venue's zone and holiday region; every animator must serve the convention."""
    found = await venue_zone(draft.convention_id, draft.venue_id)
    serving = {
        r["counsellor"]
        for r in await ConventionCounsellor.select(ConventionCounsellor.counsellor).where(
            ConventionCounsellor.convention == draft.convention_id
        )
    }
    if set(draft.counsellor_ids) - serving:
        raise InvalidInput(
            "Un animateur ne fait pas partie de la convention.", field="counsellor_ids"
        )
    return found


def _with_holidays_excluded(draft: SeriesDraft, planned: list[PlannedSession]) -> SeriesDraft:
    """Store the skipped public holidays as exception dates, so an edit sees the same days."""
    holidays = {p.day for p in planned if p.excluded.startswith("jour férié")}
    return replace(draft, exdates=tuple(sorted(set(draft.exdates) | holidays)))


async def preview_series(
    draft: SeriesDraft, *, now: datetime, series_id: int | None = None
) -> Preview:
    """The dates a draft yields (with the excluded ones and why) and the animators' clashes."""
    draft = clean_draft(draft)
    tz, region = await _zone(draft)
    planned = plan_sessions(draft, tz=tz, holiday_region=region, now=now)
    ignore = (
        []
        if series_id is None
        else [
            r["id"]
            for r in await WorkshopSession.select(WorkshopSession.id).where(
                WorkshopSession.series == series_id
            )
        ]
    )
    conflicts = await animator_conflicts(
        draft.counsellor_ids, [(p.start, p.end) for p in included(planned)], ignore_sessions=ignore
    )
    return Preview(draft, tz.key, planned, conflicts)


async def _unique_slug(title: str) -> str:
    base = slugify(title)
    slug, n = base, 1
    while await WorkshopSeries.exists().where(WorkshopSeries.slug == slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


async def create_series(
    draft: SeriesDraft,
    *,
    staff_id: int | None,
    now: datetime,
    force: bool = False,
    slug: str | None = None,
) -> SeriesSaved:
    draft = clean_draft(draft)
    tz, region = await _zone(draft)
    planned = plan_sessions(draft, tz=tz, holiday_region=region, now=now)
    sessions = included(planned)
    if not sessions:
        raise InvalidInput("Cette récurrence ne donne aucune séance à venir.", field="first_day")
    draft = _with_holidays_excluded(draft, planned)
    async with write_transaction():
        await lock_counsellors(draft.counsellor_ids)
        conflicts = await animator_conflicts(
            draft.counsellor_ids, [(p.start, p.end) for p in sessions]
        )
        if conflicts and not force:
            raise busy_error(conflicts, tz)
        series = WorkshopSeries(
            convention=draft.convention_id,
            slug=await _unique_slug(slug or draft.title),
            created_by=staff_id,
            created_at=now,
            updated_at=now,
            **series_columns(draft),
        )
        await series.save()
        series_id = int(series.id)
        if draft.counsellor_ids:
            await WorkshopAnimator.insert(
                *[WorkshopAnimator(series=series_id, counsellor=c) for c in draft.counsellor_ids]
            )
        await WorkshopSession.insert(
            *[
                WorkshopSession(
                    series=series_id,
                    venue=draft.venue_id,
                    starts_at=p.start,
                    ends_at=p.end,
                    capacity=draft.capacity,
                    seats_taken=0,
                    status="scheduled",
                    updated_at=now,
                )
                for p in sessions
            ]
        )
        created = tuple(
            r["id"]
            for r in await WorkshopSession.select(WorkshopSession.id)
            .where(WorkshopSession.series == series_id)
            .order_by(WorkshopSession.starts_at)
        )
        await audit.record(
            at=now,
            actor_kind="staff" if staff_id else "system",
            actor_id=staff_id,
            action="workshop_series.create",
            entity="workshop_series",
            entity_id=series_id,
            sessions=len(created),
            forced=bool(conflicts),
        )
    return SeriesSaved(series_id, str(series.slug), created)


async def update_series(
    series_id: int,
    draft: SeriesDraft,
    *,
    staff_id: int,
    now: datetime,
    links: WorkshopLinks,
    force: bool = False,
) -> SeriesSaved:
    """Replace the series' settings; future sessions follow the new schedule (single-edited
    sessions are kept as they are; sessions whose day disappears are cancelled and their
    registrants told)."""
    existing = (
        await WorkshopSeries.select(WorkshopSeries.convention, WorkshopSeries.slug)
        .where(WorkshopSeries.id == series_id)
        .first()
    )
    if existing is None:
        raise NotFound("Cet atelier n'existe pas.")
    draft = clean_draft(replace(draft, convention_id=existing["convention"]))
    tz, region = await _zone(draft)
    planned = plan_sessions(draft, tz=tz, holiday_region=region, now=now)
    draft = _with_holidays_excluded(draft, planned)
    async with write_transaction():
        await lock_counsellors(draft.counsellor_ids)
        outcome = await reconcile(
            series_id,
            draft,
            included(planned),
            tz=tz,
            now=now,
            staff_id=staff_id,
            links=links,
            force=force,
        )
        await WorkshopSeries.update(
            {
                **{getattr(WorkshopSeries, k): v for k, v in series_columns(draft).items()},
                WorkshopSeries.updated_at: now,
            }
        ).where(WorkshopSeries.id == series_id)
        await WorkshopAnimator.delete().where(WorkshopAnimator.series == series_id)
        if draft.counsellor_ids:
            await WorkshopAnimator.insert(
                *[WorkshopAnimator(series=series_id, counsellor=c) for c in draft.counsellor_ids]
            )
        await audit.record(
            at=now,
            actor_kind="staff",
            actor_id=staff_id,
            action="workshop_series.update",
            entity="workshop_series",
            entity_id=series_id,
            created=len(outcome.created),
            moved=len(outcome.moved),
            cancelled=len(outcome.cancelled),
        )
    return SeriesSaved(
        series_id, existing["slug"], outcome.created, outcome.moved, outcome.cancelled
    )
