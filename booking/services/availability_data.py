"""Load what ``booking.slots`` needs from the database, in a fixed number of queries.

A counsellor's busy time is gathered across every venue and convention: their appointments
(widened by each appointment's own buffers, stored as ``blocked_from/blocked_until``), the
workshop sessions they animate, and their absences (recurring ones expanded here).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from booking.db import aware, json_dates, json_list
from booking.errors import UnknownService
from booking.slots import BusyMap, RuleSpec, ServiceSpec
from booking.tables import (
    Absence,
    Appointment,
    AvailabilityRule,
    Service,
    VenueClosure,
    WorkshopAnimator,
    WorkshopSession,
)
from calendars.intervals import Interval, IntervalSet
from calendars.recurrence import Recurrence, occurrence_dates


@dataclass(frozen=True, slots=True)
class ServiceRow:
    spec: ServiceSpec
    convention_id: int
    public_label: str
    online_bookable: bool
    active: bool
    what_to_bring: str
    reminder_offsets_minutes: tuple[int, ...]
    confirm_online_ahead_minutes: int | None


def service_spec(row: dict[str, Any]) -> ServiceSpec:
    return ServiceSpec(
        id=int(row["id"]),
        duration=timedelta(minutes=row["duration_minutes"]),
        buffer_before=timedelta(minutes=row["buffer_before_minutes"]),
        buffer_after=timedelta(minutes=row["buffer_after_minutes"]),
        step=timedelta(minutes=row["step_minutes"]) if row["step_minutes"] else None,
        min_notice=timedelta(minutes=row["min_notice_minutes"]),
        horizon=timedelta(days=row["horizon_days"]),
    )


async def load_service(service_id: int) -> ServiceRow:
    row = await Service.select().where(Service.id == service_id).first()
    if row is None or not row["active"]:
        raise UnknownService("Ce motif de rendez-vous n'existe pas.", field="service_id")
    return ServiceRow(
        spec=service_spec(row),
        convention_id=int(row["convention"]),
        public_label=row["public_label"],
        online_bookable=bool(row["online_bookable"]),
        active=bool(row["active"]),
        what_to_bring=row["what_to_bring"],
        reminder_offsets_minutes=tuple(int(m) for m in json_list(row["reminder_offsets_minutes"])),
        confirm_online_ahead_minutes=row["confirm_online_ahead_minutes"],
    )


async def load_rules(
    *, venue_ids: Iterable[int] | None = None, counsellor_ids: Iterable[int] | None = None
) -> list[RuleSpec]:
    query = AvailabilityRule.select(
        *AvailabilityRule.all_columns(),
        AvailabilityRule.venue._.commune._.timezone.as_alias("tz"),
        AvailabilityRule.venue._.commune._.holiday_region.as_alias("region"),
    ).where(
        (AvailabilityRule.active == True)  # noqa: E712
        & (AvailabilityRule.venue._.active == True)  # noqa: E712
        & (AvailabilityRule.counsellor._.active == True)  # noqa: E712
    )
    if venue_ids is not None:
        query = query.where(AvailabilityRule.venue.is_in(list(venue_ids) or [-1]))
    if counsellor_ids is not None:
        query = query.where(AvailabilityRule.counsellor.is_in(list(counsellor_ids) or [-1]))
    return [rule_spec(row) for row in await query]


def rule_spec(row: dict[str, Any]) -> RuleSpec:
    return RuleSpec(
        id=int(row["id"]),
        counsellor_id=int(row["counsellor"]),
        venue_id=int(row["venue"]),
        service_ids=frozenset(int(s) for s in json_list(row["service_ids"])),
        tz=row["tz"],
        holiday_region=row["region"],
        start_time=row["start_time"],
        end_time=row["end_time"],
        recurrence=Recurrence(
            first_day=row["first_day"],
            rrule=row["rrule"],
            until=row["until"],
            rdates=json_dates(row["rdates"]),
            exdates=json_dates(row["exdates"]),
        ),
    )


async def load_busy(
    *,
    counsellor_ids: Iterable[int],
    venue_ids: Iterable[int],
    start: datetime,
    end: datetime,
    ignore_appointment: int | None = None,
) -> BusyMap:
    """Busy intervals overlapping ``[start, end)`` for these counsellors and venues."""
    counsellors = sorted(set(counsellor_ids)) or [-1]
    venues = sorted(set(venue_ids)) or [-1]
    by_counsellor: dict[int, list[Interval]] = defaultdict(list)

    appointments = Appointment.select(
        Appointment.counsellor, Appointment.blocked_from, Appointment.blocked_until
    ).where(
        Appointment.counsellor.is_in(counsellors)
        & (Appointment.status != "cancelled")
        & (Appointment.blocked_from < end)
        & (Appointment.blocked_until > start)
    )
    if ignore_appointment is not None:
        appointments = appointments.where(Appointment.id != ignore_appointment)
    for row in await appointments:
        by_counsellor[row["counsellor"]].append(
            Interval(aware(row["blocked_from"]), aware(row["blocked_until"])))

    sessions = await WorkshopAnimator.select(
        WorkshopAnimator.counsellor,
        WorkshopAnimator.series._.id.as_alias("series_id"),
    ).where(WorkshopAnimator.counsellor.is_in(counsellors))
    series_to_counsellors: dict[int, list[int]] = defaultdict(list)
    for row in sessions:
        series_to_counsellors[row["series_id"]].append(row["counsellor"])
    if series_to_counsellors:
        for row in await WorkshopSession.select(
            WorkshopSession.series, WorkshopSession.starts_at, WorkshopSession.ends_at
        ).where(
            WorkshopSession.series.is_in(list(series_to_counsellors))
            & (WorkshopSession.status != "cancelled")
            & (WorkshopSession.starts_at < end)
            & (WorkshopSession.ends_at > start)
        ):
            span = Interval(aware(row["starts_at"]), aware(row["ends_at"]))
            for counsellor in series_to_counsellors[row["series"]]:
                by_counsellor[counsellor].append(span)

    for row in await Absence.select().where(
        Absence.counsellor.is_in(counsellors) & (Absence.starts_at < end)
    ):
        by_counsellor[row["counsellor"]].extend(absence_spans(row, start, end))

    by_venue: dict[int, list[Interval]] = defaultdict(list)
    closures = await VenueClosure.select(
        VenueClosure.venue, VenueClosure.commune, VenueClosure.starts_at, VenueClosure.ends_at
    ).where(
        (VenueClosure.venue.is_in(venues) | VenueClosure.commune.is_not_null())
        & (VenueClosure.starts_at < end)
        & (VenueClosure.ends_at > start)
    )
    commune_closures = [c for c in closures if c["venue"] is None]
    for row in closures:
        if row["venue"] is not None:
            by_venue[row["venue"]].append(Interval(aware(row["starts_at"]), aware(row["ends_at"])))
    if commune_closures:
        await _spread_commune_closures(commune_closures, venues, by_venue)

    return BusyMap(
        by_counsellor={k: IntervalSet(v) for k, v in by_counsellor.items()},
        by_venue={k: IntervalSet(v) for k, v in by_venue.items()},
    )


async def _spread_commune_closures(
    closures: list[dict[str, Any]], venues: list[int], by_venue: dict[int, list[Interval]]
) -> None:
    from booking.tables import Venue

    communes = {c["commune"] for c in closures}
    venue_rows = await Venue.select(Venue.id, Venue.commune).where(
        Venue.id.is_in(venues) & Venue.commune.is_in(list(communes)))
    venues_of: dict[int, list[int]] = defaultdict(list)
    for v in venue_rows:
        venues_of[v["commune"]].append(v["id"])
    for c in closures:
        for venue in venues_of[c["commune"]]:
            by_venue[venue].append(Interval(aware(c["starts_at"]), aware(c["ends_at"])))


def absence_spans(row: dict[str, Any], start: datetime, end: datetime) -> list[Interval]:
    """The spans of an absence overlapping ``[start, end)``; recurring ones repeat the first
    span's local times on each occurrence day."""
    first_start, first_end = aware(row["starts_at"]), aware(row["ends_at"])
    if not row["rrule"]:
        return [Interval(first_start, first_end)] if first_end > start else []
    tz = ZoneInfo(row["timezone"])
    local_start, local_end = first_start.astimezone(tz), first_end.astimezone(tz)
    length_days = (local_end.date() - local_start.date()).days
    rec = Recurrence(first_day=local_start.date(), rrule=row["rrule"], until=row["until"])
    days = occurrence_dates(rec, (start.astimezone(tz).date() - timedelta(days=length_days)),
                            end.astimezone(tz).date())
    spans = []
    for day in days:
        s = datetime.combine(day, local_start.time(), tz)
        e = datetime.combine(day + timedelta(days=length_days), local_end.time(), tz)
        if e > start and s < end:
            spans.append(Interval(s, e))
    return spans
