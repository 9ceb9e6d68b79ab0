"""Animators are busy: a counsellor cannot animate a session while booked elsewhere.

The check runs inside the write transaction after ``lock_counsellors`` (PostgreSQL row locks,
the same that appointment bookings take), so a booking and a session cannot cross.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from booking.db import aware, is_postgres
from booking.errors import AnimatorBusy
from booking.services.availability_data import absence_spans
from booking.tables import Absence, Appointment, Counsellor, WorkshopAnimator, WorkshopSession
from notifications.datetime_fr import format_when

Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class Conflict:
    counsellor_id: int
    counsellor_name: str
    kind: str  # "rendez-vous", "atelier", "absence"
    start: datetime
    end: datetime
    session_start: datetime  # the planned session it clashes with

    def describe(self, tz: ZoneInfo) -> str:
        return (
            f"{self.counsellor_name} : {self.kind} le {format_when(self.start, tz)} "
            f"(séance du {format_when(self.session_start, tz)})"
        )


async def lock_counsellors(ids: Iterable[int]) -> None:
    """PostgreSQL: lock the animators' rows in id order, as appointment bookings do."""
    wanted = sorted(set(ids))
    if wanted and is_postgres():
        await (
            Counsellor.select(Counsellor.id)
            .where(Counsellor.id.is_in(wanted))
            .order_by(Counsellor.id)
            .lock_rows("UPDATE")
        )


async def _names(ids: list[int]) -> dict[int, str]:
    rows = await Counsellor.select(
        Counsellor.id, Counsellor.first_name, Counsellor.last_name
    ).where(Counsellor.id.is_in(ids))
    return {r["id"]: f"{r['first_name']} {r['last_name']}" for r in rows}


async def _busy(
    ids: list[int], low: datetime, high: datetime, ignore_sessions: frozenset[int]
) -> list[tuple[int, str, datetime, datetime]]:
    found: list[tuple[int, str, datetime, datetime]] = []
    for row in await Appointment.select(
        Appointment.counsellor, Appointment.blocked_from, Appointment.blocked_until
    ).where(
        Appointment.counsellor.is_in(ids)
        & (Appointment.status != "cancelled")
        & (Appointment.blocked_from < high)
        & (Appointment.blocked_until > low)
    ):
        found.append(
            (
                row["counsellor"],
                "rendez-vous",
                aware(row["blocked_from"]),
                aware(row["blocked_until"]),
            )
        )
    animated = await WorkshopAnimator.select(
        WorkshopAnimator.counsellor, WorkshopAnimator.series
    ).where(WorkshopAnimator.counsellor.is_in(ids))
    by_series: dict[int, list[int]] = {}
    for row in animated:
        by_series.setdefault(row["series"], []).append(row["counsellor"])
    if by_series:
        for row in await WorkshopSession.select(
            WorkshopSession.id,
            WorkshopSession.series,
            WorkshopSession.starts_at,
            WorkshopSession.ends_at,
        ).where(
            WorkshopSession.series.is_in(list(by_series))
            & (WorkshopSession.status != "cancelled")
            & (WorkshopSession.starts_at < high)
            & (WorkshopSession.ends_at > low)
        ):
            if row["id"] in ignore_sessions:
                continue
            for counsellor in by_series[row["series"]]:
                found.append(
                    (counsellor, "atelier", aware(row["starts_at"]), aware(row["ends_at"]))
                )
    for row in await Absence.select().where(
        Absence.counsellor.is_in(ids) & (Absence.starts_at < high)
    ):
        for span in absence_spans(row, low, high):
            found.append((row["counsellor"], "absence", span.start, span.end))
    return found


async def animator_conflicts(
    counsellor_ids: Iterable[int],
    spans: Sequence[Span],
    *,
    ignore_sessions: Iterable[int] = (),
) -> list[Conflict]:
    """Appointments, other sessions and absences of these counsellors overlapping a span."""
    ids = sorted(set(counsellor_ids))
    if not ids or not spans:
        return []
    low, high = min(s for s, _ in spans), max(e for _, e in spans)
    busy = await _busy(ids, low, high, frozenset(ignore_sessions))
    if not busy:
        return []
    names = await _names(ids)
    conflicts = [
        Conflict(counsellor, names.get(counsellor, ""), kind, b_start, b_end, start)
        for start, end in spans
        for counsellor, kind, b_start, b_end in busy
        if b_start < end and start < b_end
    ]
    return sorted(conflicts, key=lambda c: (c.session_start, c.start, c.counsellor_id))


def busy_error(conflicts: Sequence[Conflict], tz: ZoneInfo) -> AnimatorBusy:
    shown = [c.describe(tz) for c in conflicts[:5]]
    more = f" (et {len(conflicts) - 5} autres)" if len(conflicts) > 5 else ""
    return AnimatorBusy(
        "Un animateur est déjà occupé : "
        + " ; ".join(shown)
        + more
        + ". Déplacez la séance ou confirmez la création malgré tout.",
        field="force",
        conflicts=[
            {
                "counsellor_id": c.counsellor_id,
                "kind": c.kind,
                "start": c.start.isoformat(),
                "session_start": c.session_start.isoformat(),
            }
            for c in conflicts
        ],
    )
