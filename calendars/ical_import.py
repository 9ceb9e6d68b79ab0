"""Closures from an uploaded .ics (e.g. a library's closing days), as UTC spans in a window."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rruleset, rrulestr
from icalendar import Calendar, Event, vRecur

MAX_BYTES = 2 * 1024 * 1024
SCAN_LIMIT = 200_000  # recurrence instances looked at (before the window too) per file


class IcsImportError(ValueError):
    """The uploaded file cannot be imported; the message is shown to staff (French)."""


@dataclass(frozen=True, slots=True)
class ImportedClosure:
    uid: str  # the event UID; "UID/YYYYMMDDTHHMMSSZ" (original start) for recurring ones
    start: datetime
    end: datetime
    summary: str


@dataclass(slots=True)
class _Context:
    zone: ZoneInfo
    window_start: datetime
    window_end: datetime
    scanned: int = 0


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _events(data: bytes) -> list[Event]:
    if len(data) > MAX_BYTES:
        raise IcsImportError("Le fichier dépasse la taille maximale autorisée (2 Mo).")
    try:
        components = Calendar.from_ical(_decode(data), multiple=True)
    except ValueError as exc:
        raise IcsImportError("Ce fichier n'est pas un calendrier iCalendar (.ics) valide.") from exc
    calendars = [c for c in components if c.name == "VCALENDAR"]
    if not calendars:
        raise IcsImportError("Le fichier ne contient aucun calendrier (bloc VCALENDAR absent).")
    return [e for c in calendars for e in c.walk("VEVENT") if isinstance(e, Event)]


def _label(event: Event) -> str:
    return str(event.get("SUMMARY", "") or event.get("UID", "") or "sans titre")


def _flag(event: Event, name: str) -> str:
    return str(event.get(name, "")).upper()


def _when(event: Event, name: str) -> date:
    """A DATE or DATE-TIME property value (datetime is a date subclass)."""
    value = getattr(event[name], "dt", None)
    if not isinstance(value, date):
        raise ValueError(f"{name} is not a date")
    return value


def _utc(value: date | datetime, zone: tzinfo) -> datetime:
    """A DATE is local midnight in zone; a floating DATE-TIME is read in zone."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _wall(value: date | datetime, frame: tzinfo) -> datetime:
    """Naive wall time in frame, the space where recurrences are expanded."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time())
    if value.tzinfo is None:
        return value
    return value.astimezone(frame).replace(tzinfo=None)


def _rule(recur: vRecur, start: datetime, frame: tzinfo, all_day: bool) -> rrule:
    parts = {key: value for key, value in recur.items() if key.upper() != "UNTIL"}
    rule = rrulestr(vRecur(parts).to_ical().decode(), dtstart=start)
    if not isinstance(rule, rrule):
        raise ValueError("unexpected recurrence set")
    until = recur.get("UNTIL")
    if not until:
        return rule
    limit = _wall(until[0], frame)
    if not isinstance(until[0], datetime) and not all_day:
        limit += timedelta(days=1, seconds=-1)  # a DATE UNTIL includes the whole day
    return rule.replace(until=limit)


def _length(event: Event, first: date | datetime, frame: tzinfo) -> tuple[int, timedelta]:
    """Nominal days and exact remainder of each instance (RFC 5545 3.8.5.3)."""
    all_day = not isinstance(first, datetime)
    if "DTEND" in event:
        last = _when(event, "DTEND")
        if all_day:
            days = ((last.date() if isinstance(last, datetime) else last) - first).days
            return (days if days else 1), timedelta(0)
        return 0, _utc(last, frame) - _utc(first, frame)
    duration = getattr(event["DURATION"], "dt", None) if "DURATION" in event else timedelta(0)
    if not isinstance(duration, timedelta):
        raise ValueError("DURATION is not a duration")
    if all_day:
        return max(duration.days, 1), timedelta(0)
    return duration.days, duration - timedelta(days=duration.days)


def _spans(event: Event, ctx: _Context, *, expand: bool) -> Iterator[tuple[datetime, datetime]]:
    """(start, end) in UTC of the event's instances that meet the window."""
    if "DTSTART" not in event:
        raise IcsImportError(f"L'événement « {_label(event)} » n'a pas de date de début.")
    first = _when(event, "DTSTART")
    all_day = not isinstance(first, datetime)
    frame: tzinfo = ctx.zone
    if isinstance(first, datetime) and first.tzinfo is not None:
        frame = first.tzinfo
    days, exact = _length(event, first, frame)
    if days < 0 or exact < timedelta(0):
        raise IcsImportError(f"L'événement « {_label(event)} » se termine avant de commencer.")
    wall_start = _wall(first, frame)
    instances = rruleset()
    instances.rdate(wall_start)  # DTSTART is always an instance, matching the rule or not
    period_ends: dict[datetime, datetime] = {}
    if expand:
        for recur in event.rrules:
            instances.rrule(_rule(recur, wall_start, frame, all_day))
        for rdate, rdate_end in event.rdates:
            instances.rdate(_wall(rdate, frame))
            if rdate_end is not None:
                period_ends[_wall(rdate, frame)] = _utc(rdate_end, frame)
        for exdate in event.exdates:
            excluded = _wall(exdate, frame)
            instances.exdate(datetime.combine(excluded, time()) if all_day else excluded)
    horizon = _wall(ctx.window_end, frame) + timedelta(days=2)
    for wall in instances:
        ctx.scanned += 1
        if ctx.scanned > SCAN_LIMIT:
            raise IcsImportError(f"La répétition de « {_label(event)} » est trop dense.")
        if wall > horizon:
            break
        start = _utc(wall, frame)
        if wall in period_ends:
            end = period_ends[wall]
        elif days:
            end = _utc(wall + timedelta(days=days), frame) + exact
        else:
            end = start + exact
        if end > start and end > ctx.window_start and start < ctx.window_end:
            yield start, end


def parse_closures(
    data: bytes,
    *,
    tz: str,
    window_start: datetime,
    window_end: datetime,
    max_occurrences: int = 5000,
) -> list[ImportedClosure]:
    """Busy spans of the file's events within [window_start, window_end), sorted.

    Cancelled and transparent events are skipped; RECURRENCE-ID overrides replace (or,
    when cancelled, remove) the instance they name.
    """
    if window_start.tzinfo is None or window_end.tzinfo is None or window_end <= window_start:
        raise ValueError("window must be aware and non-empty")
    ctx = _Context(ZoneInfo(tz), window_start.astimezone(UTC), window_end.astimezone(UTC))
    masters: dict[str, Event] = {}
    overrides: dict[str, dict[datetime, Event]] = defaultdict(dict)
    for index, event in enumerate(_events(data)):
        uid = str(event.get("UID", "")) or f"sans-uid-{index}"
        try:
            if "RECURRENCE-ID" in event:
                overrides[uid][_utc(_when(event, "RECURRENCE-ID"), ctx.zone)] = event
            else:  # sloppy exports repeat UIDs: keep every event
                masters[uid if uid not in masters else f"{uid}#{index}"] = event
        except ValueError as exc:
            raise IcsImportError(f"L'événement « {_label(event)} » est illisible.") from exc
    closures: list[ImportedClosure] = []
    for uid in masters.keys() | overrides.keys():
        master = masters.get(uid)
        if master is not None and _flag(master, "STATUS") == "CANCELLED":
            continue  # the whole series is cancelled, its overrides with it
        recurring = master is None or any(p in master for p in ("RRULE", "RDATE"))
        sources = [(o, False) for o in overrides[uid].values()]
        if master is not None:
            sources.append((master, True))
        for event, expand in sources:
            if _flag(event, "STATUS") == "CANCELLED" or _flag(event, "TRANSP") == "TRANSPARENT":
                continue
            try:
                for start, end in _spans(event, ctx, expand=expand):
                    key = start if expand else _utc(_when(event, "RECURRENCE-ID"), ctx.zone)
                    if expand and key in overrides[uid]:
                        continue  # replaced (or cancelled) by an override
                    name = f"{uid}/{key:%Y%m%dT%H%M%SZ}" if recurring else uid
                    summary = str(event.get("SUMMARY", "")).strip()
                    closures.append(ImportedClosure(name, start, end, summary))
            except IcsImportError:
                raise
            except (ValueError, TypeError, KeyError, OverflowError) as exc:
                raise IcsImportError(f"L'événement « {_label(event)} » est illisible.") from exc
            if len(closures) > max_occurrences:
                raise IcsImportError(
                    f"Le calendrier contient plus de {max_occurrences} fermetures sur la "
                    "période : vérifiez ses règles de répétition."
                )
    return sorted(closures, key=lambda c: (c.start, c.end, c.uid))
