"""Permanence hours of venues, from availability rules, for public feeds (``?permanences=1``).

Each rule is expanded in its commune's zone (``calendars.recurrence``); public holidays are
skipped, the rules of one venue are merged, and an occurrence touching a closure is dropped.
Counsellors are not named: a permanence is the venue's opening for digital help.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Max

from booking.services.availability_data import fetch, load_rules, marks
from booking.services.feed_model import FeedLinks, Place, as_moment, day_start, place_text
from booking.slots import RuleSpec
from booking.tables import AvailabilityRule, ConventionCommune, ConventionCounsellor, Venue
from calendars.holidays import public_holidays
from calendars.ical_build import FeedEvent
from calendars.intervals import Interval, merge_intervals
from calendars.localtime import local_span
from calendars.recurrence import occurrence_dates

AHEAD = timedelta(days=60)


def _venue_filter(place: Place) -> Any:
    if place.kind == "venue":
        return Venue.id == place.id
    if place.kind == "commune":
        return Venue.commune == place.id
    communes = ConventionCommune.select(ConventionCommune.commune).where(
        ConventionCommune.convention == place.id
    )
    return Venue.commune.is_in(communes)


def rule_spans(rule: RuleSpec, start: datetime, end: datetime) -> list[Interval]:
    """UTC spans of one rule's occurrences within ``[start, end)``, holidays excluded."""
    tz = ZoneInfo(rule.tz)
    days = occurrence_dates(rule.recurrence, start.astimezone(tz).date(), end.astimezone(tz).date())
    if not days:
        return []
    closed = public_holidays(rule.holiday_region, range(days[0].year, days[-1].year + 1))
    spans = []
    for day in days:
        span = None if day in closed else local_span(day, rule.start_time, rule.end_time, tz)
        if span is not None and span[1] > start and span[0] < end:
            spans.append(Interval(*span))
    return spans


_CLOSURES = (
    "SELECT c.venue AS venue, c.starts_at AS starts, c.ends_at AS ends FROM venue_closure c "
    "WHERE c.venue IN ({v}) AND c.starts_at < {{}} AND c.ends_at > {{}} UNION ALL "
    "SELECT v.id, c.starts_at, c.ends_at FROM venue_closure c JOIN venue v "
    "ON v.commune = c.commune WHERE c.venue IS NULL AND v.id IN ({v}) "
    "AND c.starts_at < {{}} AND c.ends_at > {{}}"
)


async def _closures(
    venue_ids: list[int], start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Closures of these venues (their own and their commune's) overlapping the window, in
    one statement."""
    found: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    sql = _CLOSURES.format(v=marks(venue_ids))
    for row in await fetch(sql, *venue_ids, end, start, *venue_ids, end, start):
        low, high = as_moment(row["starts"]), as_moment(row["ends"])
        if low is not None and high is not None:
            found[int(row["venue"])].append((low, high))
    return found


async def permanence_events(
    place: Place, *, now: datetime, links: FeedLinks
) -> tuple[list[FeedEvent], list[datetime | None]]:
    start = day_start(now)
    end = start + AHEAD
    active = Venue.active == True  # noqa: E712
    rows = await Venue.select(
        Venue.id, Venue.name, Venue.address, Venue.commune.timezone.as_alias("tz")
    ).where(_venue_filter(place) & active)
    venues = {row["id"]: row for row in rows}
    if not venues:
        return [], []
    rules = await load_rules(venue_ids=list(venues))
    if place.kind == "convention":
        serving = {
            r["counsellor"]
            for r in await ConventionCounsellor.select(ConventionCounsellor.counsellor).where(
                ConventionCounsellor.convention == place.id
            )
        }
        rules = [r for r in rules if r.counsellor_id in serving]
    created = (
        await AvailabilityRule.select(Max(AvailabilityRule.created_at, alias="at"))
        .where(AvailabilityRule.venue.is_in(list(venues)))
        .first()
    )
    changed = as_moment(created["at"]) if created else None
    closures = await _closures(list(venues), start, end)
    spans: dict[int, list[Interval]] = defaultdict(list)
    for rule in rules:
        spans[rule.venue_id] += rule_spans(rule, start, end)
    events = []
    for venue_id, found in spans.items():
        venue, closed = venues[venue_id], closures.get(venue_id, [])
        for span in merge_intervals(found):
            if any(low < span.end and high > span.start for low, high in closed):
                continue
            events.append(
                FeedEvent(
                    uid=links.uid("permanence", venue_id, f"{span.start:%Y%m%dT%H%M%SZ}"),
                    start=span.start,
                    end=span.end,
                    tz=venue["tz"],
                    summary=f"Permanence numérique — {venue['name']}",
                    location=place_text(venue["name"], venue["address"]),
                    description=f"Aide au numérique, sur rendez-vous : {links.booking()}",
                    url=links.booking(),
                    last_modified=changed,
                    categories=("Permanence numérique",),
                    transparent=True,
                )
            )
    return events, [changed]
