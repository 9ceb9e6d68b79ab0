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

from booking.services.availability_data import load_busy, load_rules
from booking.services.feed_model import FeedLinks, Place, as_moment, day_start, place_text
from booking.slots import RuleSpec
from booking.tables import AvailabilityRule, ConventionCommune, ConventionCounsellor, Venue
from calendars.holidays import public_holidays
from calendars.ical_build import FeedEvent
from calendars.intervals import EMPTY_INTERVAL_SET, Interval, merge_intervals
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
    closures = (
        await load_busy(counsellor_ids=[], venue_ids=list(venues), start=start, end=end)
    ).by_venue
    spans: dict[int, list[Interval]] = defaultdict(list)
    for rule in rules:
        spans[rule.venue_id] += rule_spans(rule, start, end)
    events = []
    for venue_id, found in spans.items():
        venue, closed = venues[venue_id], closures.get(venue_id, EMPTY_INTERVAL_SET)
        for span in merge_intervals(found):
            if closed.overlaps(span.start, span.end):
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
