"""Agenda reads for staff: one query, whatever the number of appointments."""

from __future__ import annotations

from datetime import datetime

import msgspec

from booking.tables import Appointment


class AgendaItem(msgspec.Struct):
    """One line of a staff agenda (also the JSON shape of the agenda endpoints)."""

    appointment_id: int
    start: datetime
    end: datetime
    status: str
    service: str
    venue: str
    resident: str
    channel: str


async def agenda(*, start: datetime, end: datetime, counsellor_id: int | None = None,
                 commune_id: int | None = None) -> list[AgendaItem]:
    query = Appointment.select(
        Appointment.id, Appointment.starts_at, Appointment.ends_at, Appointment.status,
        Appointment.channel, Appointment.service._.public_label.as_alias("service"),
        Appointment.venue._.name.as_alias("venue"),
        Appointment.resident._.first_name.as_alias("first_name"),
        Appointment.resident._.last_name.as_alias("last_name"),
    ).where((Appointment.starts_at < end) & (Appointment.ends_at > start)).order_by(
        Appointment.starts_at)
    if counsellor_id is not None:
        query = query.where(Appointment.counsellor == counsellor_id)
    if commune_id is not None:
        query = query.where(Appointment.venue._.commune == commune_id)
    return [AgendaItem(appointment_id=r["id"], start=r["starts_at"], end=r["ends_at"],
                       status=r["status"], service=r["service"], venue=r["venue"],
                       resident=f"{r['first_name']} {r['last_name']}", channel=r["channel"])
            for r in await query]
