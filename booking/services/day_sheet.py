"""A counsellor's appointments and permanences over a period, for agenda pages and the
printable day sheet (staff only: residents' names and phones appear)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from booking.db import aware
from booking.services.availability_data import load_rules
from booking.tables import Appointment, AvailabilityRule
from calendars.recurrence import local_span, occurrence_dates


@dataclass(frozen=True, slots=True)
class AgendaRow:
    id: int
    start: datetime
    end: datetime
    status: str
    channel: str
    service: str
    venue_id: int
    venue: str
    address: str
    tz: str
    resident: str
    phone: str
    override_reason: str
    counsellor: str = ""


@dataclass(frozen=True, slots=True)
class Permanence:
    start: datetime
    end: datetime
    venue: str
    tz: str


async def counsellor_timezone(counsellor_id: int, default: str) -> str:
    """The zone of the counsellor's first permanence (their working days are cut in it)."""
    row = (
        await AvailabilityRule.select(AvailabilityRule.venue._.commune._.timezone.as_alias("tz"))
        .where(AvailabilityRule.counsellor == counsellor_id)
        .order_by(AvailabilityRule.id)
        .first()
    )
    return str(row["tz"]) if row else default


async def appointments_between(
    counsellor_id: int, start: datetime, end: datetime
) -> list[AgendaRow]:
    return await _rows(Appointment.counsellor == counsellor_id, start, end)


async def appointments_in_commune(
    commune_id: int, start: datetime, end: datetime
) -> list[AgendaRow]:
    """Every counsellor's appointments in the commune's venues (a town hall's view)."""
    return await _rows(Appointment.venue._.commune == commune_id, start, end)


async def _rows(where: Any, start: datetime, end: datetime) -> list[AgendaRow]:
    rows = (
        await Appointment.select(
            Appointment.id,
            Appointment.starts_at,
            Appointment.ends_at,
            Appointment.status,
            Appointment.channel,
            Appointment.override_reason,
            Appointment.service._.public_label.as_alias("service"),
            Appointment.venue.as_alias("venue_id"),
            Appointment.venue._.name.as_alias("venue"),
            Appointment.venue._.address.as_alias("address"),
            Appointment.venue._.commune._.timezone.as_alias("tz"),
            Appointment.resident._.first_name.as_alias("first_name"),
            Appointment.resident._.last_name.as_alias("last_name"),
            Appointment.resident._.phone.as_alias("phone"),
            Appointment.counsellor._.first_name.as_alias("counsellor_first"),
            Appointment.counsellor._.last_name.as_alias("counsellor_last"),
        )
        .where(where & (Appointment.starts_at < end) & (Appointment.ends_at > start))
        .order_by(Appointment.starts_at)
    )
    return [
        AgendaRow(
            id=r["id"],
            start=aware(r["starts_at"]),
            end=aware(r["ends_at"]),
            status=r["status"],
            channel=r["channel"],
            service=r["service"],
            venue_id=r["venue_id"],
            venue=r["venue"],
            address=r["address"],
            tz=r["tz"],
            resident=f"{r['first_name']} {r['last_name']}",
            phone=r["phone"],
            override_reason=r["override_reason"],
            counsellor=f"{r['counsellor_first']} {r['counsellor_last']}",
        )
        for r in rows
    ]


async def permanences_between(counsellor_id: int, first: date, last: date) -> list[Permanence]:
    """Occurrences of the counsellor's availability rules on days ``first..last``."""
    rules = await load_rules(counsellor_ids=[counsellor_id])
    names = {
        int(str(r["id"])): str(r["name"]) for r in await _venue_names([r.venue_id for r in rules])
    }
    found = []
    for rule in rules:
        tz = ZoneInfo(rule.tz)
        for day in occurrence_dates(rule.recurrence, first, last):
            span = local_span(day, rule.start_time, rule.end_time, tz)
            if span is not None:
                found.append(Permanence(span[0], span[1], names.get(rule.venue_id, ""), rule.tz))
    return sorted(found, key=lambda p: p.start)


async def _venue_names(ids: list[int]) -> list[dict[str, object]]:
    from booking.tables import Venue

    return list(await Venue.select(Venue.id, Venue.name).where(Venue.id.is_in(ids or [-1])))


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return (
        datetime.combine(day, datetime.min.time(), tz),
        datetime.combine(day + timedelta(days=1), datetime.min.time(), tz),
    )
