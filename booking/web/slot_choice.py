"""Slots as form choices: a compact value per slot, and the listing grouped by day and place."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from booking.services.slot_search import SlotSearch, VenueInfo
from booking.slots import Slot
from booking.web.display import long_day, time_range
from notifications.datetime_fr import format_time


@dataclass(frozen=True, slots=True)
class Choice:
    venue_id: int
    counsellor_id: int
    start: datetime

    @property
    def value(self) -> str:
        return f"{self.venue_id}-{self.counsellor_id}-{int(self.start.timestamp())}"


def encode(slot: Slot) -> str:
    return Choice(slot.venue_id, slot.counsellor_id, slot.start).value


def decode(raw: str | None) -> Choice | None:
    """The choice behind a form value, or None when it was tampered with."""
    parts = (raw or "").strip().split("-")
    if len(parts) != 3 or not all(p.isdigit() and len(p) <= 12 for p in parts):
        return None
    venue, counsellor, stamp = (int(p) for p in parts)
    if not (venue and counsellor) or not 10**9 <= stamp < 10**11:
        return None
    return Choice(venue, counsellor, datetime.fromtimestamp(stamp, UTC))


@dataclass(slots=True)
class PlaceGroup:
    venue: VenueInfo
    options: list[dict[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class DayGroup:
    label: str
    places: list[PlaceGroup] = field(default_factory=list)


def group_by_day_and_place(search: SlotSearch) -> list[DayGroup]:
    """Days in order; within a day, places in the order of their first slot."""
    days: list[DayGroup] = []
    index: dict[tuple[str, int], PlaceGroup] = {}
    for slot in search.slots:
        venue = search.venues[slot.venue_id]
        tz = ZoneInfo(venue.timezone)
        label = long_day(slot.start.astimezone(tz).date())
        if not days or days[-1].label != label:
            days.append(DayGroup(label))
        key = (label, venue.id)
        if key not in index:
            index[key] = PlaceGroup(venue)
            days[-1].places.append(index[key])
        index[key].options.append(
            {
                "value": encode(slot),
                "time": format_time(slot.start, tz),
                "range": time_range(slot.start, slot.end, tz),
                "counsellor": search.counsellors.get(slot.counsellor_id, ""),
            }
        )
    return days
