"""Appointments on the permanences' hourly grid: the coming 60 days first (fuller near
term), then history going back day by day as long as more are asked for.

A counsellor's permanences never overlap and each appointment (with its buffers) fits in its
hour, so the rows satisfy PostgreSQL's exclusion constraint by construction. Days that are
public holidays, closures, absences or exception dates of the rule get none.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.bulk import TableRows
from bench.dataset_plan import Block, Plan, local
from calendars.holidays import public_holidays

APPOINTMENT_COLUMNS = (
    "id",
    "resident",
    "counsellor",
    "venue",
    "service",
    "starts_at",
    "ends_at",
    "blocked_from",
    "blocked_until",
    "status",
    "channel",
    "created_by",
    "created_at",
    "updated_at",
    "cancelled_at",
    "cancelled_by_kind",
    "cancel_reason",
    "override_reason",
    "manage_token_hash",
    "manage_token_expires_at",
    "sequence",
)
SERVICE_WEIGHTS = {"demarches": 45, "email": 25, "smartphone": 25, "suivi-telephone": 5}
FUTURE_DAYS = 60


def resident_rows(plan: Plan, rng: random.Random, first_id: int, count: int) -> TableRows:
    rows = TableRows(
        "resident",
        (
            "id",
            "first_name",
            "last_name",
            "phone",
            "email",
            "commune",
            "sms_consent",
            "phone_status",
            "created_at",
            "last_activity_at",
        ),
    )
    stamp = datetime.combine(plan.today - timedelta(days=30), datetime.min.time(), UTC)
    for n in range(count):
        rows.add(
            first_id + n,
            f"Prénom{n}",
            f"Usager{n}",
            f"+336{10_000_000 + n:08d}",
            "",
            rng.choice(plan.communes),
            rng.random() < 0.9,
            "ok",
            stamp,
            stamp,
        )
    return rows


class AppointmentPlanner:
    """Stateful: ``take(n)`` continues where the previous call stopped."""

    def __init__(
        self,
        plan: Plan,
        rng: random.Random,
        *,
        now: datetime,
        first_id: int,
        residents: range,
        seed: int,
    ) -> None:
        self.plan, self.rng, self.now, self.seed = plan, rng, now, seed
        self.next_id = first_id
        self.residents = residents
        self.by_weekday: dict[int, list[Block]] = {}
        for block in plan.blocks:
            self.by_weekday.setdefault(block.weekday, []).append(block)
        self.stream = self._days()

    def take(self, count: int) -> Iterator[tuple[Any, ...]]:
        for _ in range(count):
            row = next(self.stream, None)
            if row is None:
                return
            yield row

    def _days(self) -> Iterator[tuple[Any, ...]]:
        today = self.plan.today
        for offset in range(FUTURE_DAYS):
            yield from self._day(today + timedelta(days=offset), max(0.2, 0.85 - 0.011 * offset))
        back = 1
        while True:
            yield from self._day(today - timedelta(days=back), 0.7)
            back += 1

    def _day(self, day: date, fill: float) -> Iterator[tuple[Any, ...]]:
        if day in public_holidays("", [day.year]):
            return
        for block in self.by_weekday.get(day.weekday(), ()):
            if not block.meets(day) or day in self.plan.absent_days[block.counsellor]:
                continue
            if day in self.plan.closed_days.get(block.venue, ()):
                continue
            for start_time in block.hour_starts():
                if self.rng.random() < fill:
                    yield self._row(block, local(day, start_time))

    def _row(self, block: Block, start: datetime) -> tuple[Any, ...]:
        plan, rng = self.plan, self.rng
        conv = plan.home_convention[block.counsellor]
        slugs = list(SERVICE_WEIGHTS)
        slug = rng.choices(slugs, weights=[SERVICE_WEIGHTS[s] for s in slugs])[0]
        service = plan.services[conv][slug]
        minutes, after = plan.service_minutes[service]
        end = start + timedelta(minutes=minutes)
        past = start < self.now
        roll = rng.random()
        if past:
            status = "attended" if roll < 0.8 else "no_show" if roll < 0.88 else "cancelled"
        else:
            status = "booked" if roll < 0.95 else "cancelled"
        channel = rng.choices(("online", "phone", "desk"), weights=(55, 35, 10))[0]
        if slug == "suivi-telephone":
            channel = "phone"
        created_by = (
            None if channel == "online" else plan.agent_of_commune[plan.venue_commune[block.venue]]
        )
        created = min(start - timedelta(days=rng.randint(1, 25)), self.now - timedelta(hours=1))
        cancelled = status == "cancelled"
        cancelled_at = created + (start - created) / 2 if cancelled else None
        aid = self.next_id
        self.next_id += 1
        token = hashlib.sha256(f"bench-{self.seed}-{aid}".encode()).hexdigest()
        return (
            aid,
            rng.choice(self.residents),
            block.counsellor,
            block.venue,
            service,
            start,
            end,
            start,
            end + timedelta(minutes=after),
            status,
            channel,
            created_by,
            created,
            cancelled_at or created,
            cancelled_at,
            "resident" if cancelled else "",
            "",
            "",
            token,
            end,
            1 if cancelled else 0,
        )
