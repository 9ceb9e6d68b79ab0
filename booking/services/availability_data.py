"""Load what ``booking.slots`` needs from the database, in a fixed number of queries.

The hot reads are plain SQL that runs unchanged on SQLite and PostgreSQL (``{}``
placeholders, ``IN`` lists, ``UNION ALL``); values that SQLite may hand back as text
(dates, times, instants) are converted here.

A counsellor's busy time is gathered across every venue and convention: their appointments
(widened by each appointment's own buffers, stored as ``blocked_from/blocked_until``), the
workshop sessions they animate, and their absences (recurring ones expanded here).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.querystring import QueryString

from booking.db import aware, engine, json_dates, json_list
from booking.errors import UnknownService
from booking.slots import BusyMap, RuleSpec, ServiceSpec
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


def service_spec(row: Mapping[str, Any]) -> ServiceSpec:
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
    found = await fetch("SELECT * FROM service WHERE id = {}", service_id)
    row = found[0] if found else None
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


RULE_SQL = (
    "SELECT r.id, r.counsellor, r.venue, r.service_ids, r.start_time, r.end_time, r.rrule, "
    "r.first_day, r.until, r.rdates, r.exdates, c.timezone AS tz, c.holiday_region AS region, "
    "v.name AS venue_name, v.address AS venue_address, v.commune AS commune_id, "
    "c.name AS commune_name, k.first_name, k.last_name "
    "FROM availability_rule r JOIN venue v ON v.id = r.venue "
    "JOIN commune c ON c.id = v.commune JOIN counsellor k ON k.id = r.counsellor "
    "WHERE r.active AND v.active AND k.active"
)


async def fetch(sql: str, *args: Any) -> list[Mapping[str, Any]]:
    """One raw statement (``{}`` placeholders, engine-neutral SQL), in the current transaction
    if any: the hot reads skip the ORM's query building, which costs more than the query.
    Rows are read by column name (dicts on SQLite, asyncpg records on PostgreSQL)."""
    rows: list[Mapping[str, Any]] = await engine().run_querystring(QueryString(sql, *args))
    return rows


def marks(values: Sequence[Any]) -> str:
    """Placeholders of an ``IN (...)`` list (never empty: ``NULL`` matches nothing)."""
    return ", ".join("{}" for _ in values) or "NULL"


async def load_rules(
    *, venue_ids: Iterable[int] | None = None, counsellor_ids: Iterable[int] | None = None
) -> list[RuleSpec]:
    sql, args = RULE_SQL, []
    for column, ids in (("r.venue", venue_ids), ("r.counsellor", counsellor_ids)):
        if ids is not None:
            wanted = sorted(set(ids))
            sql += f" AND {column} IN ({marks(wanted)})"
            args += wanted
    return [rule_spec(row) for row in await fetch(sql + " ORDER BY r.id", *args)]


_RULE_COLUMNS = (
    "id", "counsellor", "venue", "service_ids", "tz", "region", "start_time", "end_time",
    "first_day", "rrule", "until", "rdates", "exdates",
)


def rule_spec(row: Mapping[str, Any]) -> RuleSpec:
    """The rule a row describes; rules rarely change, so the decoded spec is kept per row
    content (the same object for every search: its expansions are cached too)."""
    return _rule_spec(tuple(_hashable(row[column]) for column in _RULE_COLUMNS))


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@lru_cache(maxsize=8192)
def _rule_spec(values: tuple[Any, ...]) -> RuleSpec:
    return _decode_rule(dict(zip(_RULE_COLUMNS, values, strict=True)))


def _decode_rule(row: Mapping[str, Any]) -> RuleSpec:
    return RuleSpec(
        id=int(row["id"]),
        counsellor_id=int(row["counsellor"]),
        venue_id=int(row["venue"]),
        service_ids=frozenset(int(s) for s in json_list(row["service_ids"])),
        tz=row["tz"],
        holiday_region=row["region"],
        start_time=_time(row["start_time"]),
        end_time=_time(row["end_time"]),
        recurrence=Recurrence(
            first_day=_day(row["first_day"]),
            rrule=row["rrule"],
            until=_day(row["until"]) if row["until"] is not None else None,
            rdates=json_dates(row["rdates"]),
            exdates=json_dates(row["exdates"]),
        ),
    )


def _time(value: time | str) -> time:
    return value if isinstance(value, time) else time.fromisoformat(value)


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _instant(value: datetime | str) -> datetime:
    if isinstance(value, datetime):  # PostgreSQL: already aware (hot: a row per busy span)
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware(datetime.fromisoformat(value))


# One UNION ALL per load: (kind, owner, start, end, rrule, until, timezone) where owner is a
# counsellor (a: appointment, w: workshop animated, b: absence) or a venue (v: closure).
_COUNSELLOR_BRANCHES = (
    "SELECT 'a' AS kind, a.counsellor AS owner, a.blocked_from AS starts, "
    "a.blocked_until AS ends, '' AS rrule, CAST(NULL AS DATE) AS until, '' AS tz "
    "FROM appointment a WHERE a.counsellor IN ({c}) AND a.status <> 'cancelled' "
    "AND a.blocked_from < {{}} AND a.blocked_until > {{}}{ignore}",
    "SELECT 'w', n.counsellor, s.starts_at, s.ends_at, '', NULL, '' FROM workshop_session s "
    "JOIN workshop_animator n ON n.series = s.series WHERE n.counsellor IN ({c}) "
    "AND s.status <> 'cancelled' AND s.starts_at < {{}} AND s.ends_at > {{}}",
    "SELECT 'b', b.counsellor, b.starts_at, b.ends_at, b.rrule, b.until, b.timezone "
    "FROM absence b WHERE b.counsellor IN ({c}) AND b.starts_at < {{}} "
    "AND (b.ends_at > {{}} OR b.rrule <> '')",
)
_VENUE_BRANCHES = (
    "SELECT 'v' AS kind, c.venue AS owner, c.starts_at AS starts, c.ends_at AS ends, "
    "'' AS rrule, CAST(NULL AS DATE) AS until, '' AS tz FROM venue_closure c "
    "WHERE c.venue IN ({v}) AND c.starts_at < {{}} AND c.ends_at > {{}}",
    "SELECT 'v', v.id, c.starts_at, c.ends_at, '', NULL, '' FROM venue_closure c "
    "JOIN venue v ON v.commune = c.commune WHERE c.venue IS NULL AND v.id IN ({v}) "
    "AND c.starts_at < {{}} AND c.ends_at > {{}}",
)


async def load_busy(
    *,
    counsellor_ids: Iterable[int],
    venue_ids: Iterable[int],
    start: datetime,
    end: datetime,
    ignore_appointment: int | None = None,
) -> BusyMap:
    """Busy intervals overlapping ``[start, end)`` for these counsellors and venues, read in
    one statement whatever their number."""
    counsellors, venues = sorted(set(counsellor_ids)), sorted(set(venue_ids))
    branches: list[str] = []
    args: list[Any] = []
    if counsellors:
        ignore = " AND a.id <> {}" if ignore_appointment is not None else ""
        for n, branch in enumerate(_COUNSELLOR_BRANCHES):
            branches.append(branch.format(c=marks(counsellors), ignore=ignore if n == 0 else ""))
            args += [*counsellors, end, start]
            if n == 0 and ignore_appointment is not None:
                args.append(ignore_appointment)
    if venues:
        for branch in _VENUE_BRANCHES:
            branches.append(branch.format(v=marks(venues)))
            args += [*venues, end, start]
    by_counsellor: dict[int, list[Span]] = defaultdict(list)
    by_venue: dict[int, list[Span]] = defaultdict(list)
    for row in await fetch(" UNION ALL ".join(branches), *args) if branches else []:
        kind, owner = row["kind"], int(row["owner"])
        span = (_instant(row["starts"]), _instant(row["ends"]))
        if kind == "v":
            by_venue[owner].append(span)
        elif kind == "b":
            by_counsellor[owner].extend(
                (i.start, i.end)
                for i in absence_spans(
                    {
                        "starts_at": span[0],
                        "ends_at": span[1],
                        "rrule": row["rrule"],
                        "timezone": row["tz"],
                        "until": _day(row["until"]) if row["until"] is not None else None,
                    },
                    start,
                    end,
                )
            )
        else:
            by_counsellor[owner].append(span)
    return BusyMap(
        by_counsellor={k: IntervalSet.from_spans(v) for k, v in by_counsellor.items()},
        by_venue={k: IntervalSet.from_spans(v) for k, v in by_venue.items()},
    )


Span = tuple[datetime, datetime]


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
    days = occurrence_dates(
        rec, (start.astimezone(tz).date() - timedelta(days=length_days)), end.astimezone(tz).date()
    )
    spans = []
    for day in days:
        s = datetime.combine(day, local_start.time(), tz)
        e = datetime.combine(day + timedelta(days=length_days), local_end.time(), tz)
        if e > start and s < end:
            spans.append(Interval(s, e))
    return spans
