"""What every calendar feed is made of, and the links and texts its events share.

A feed's content is a function of the database rows and of the current UTC day (windows
move at midnight UTC, never in between), so its body, ``ETag`` and ``Last-Modified`` stay
stable between requests: ``changed_at`` (written as ``DTSTAMP``) is the latest recorded
change of its rows, ``last_modified`` the later of that and the moment its window last moved.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from calendars.ical_build import CalendarMeta, FeedEvent, Status, build_calendar

KEEP_CANCELLED = timedelta(days=30)  # cancelled items stay this long so apps remove them
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Feed:
    meta: CalendarMeta
    events: tuple[FeedEvent, ...]
    changed_at: datetime
    last_modified: datetime

    def body(self) -> bytes:
        return build_calendar(self.meta, self.events, now=self.changed_at)


@dataclass(frozen=True, slots=True)
class FeedSource:
    """A feed before it is built: ``key`` holds everything its body depends on (hashable,
    compared for equality: the rows, or a digest of them), so a cache can answer without
    reading or building it again. ``load`` reads and builds it, returning the key of what
    it read (it differs from ``key`` when the rows changed in between). ``tag`` is mixed
    into the ``ETag`` (a private feed's token generation)."""

    key: Hashable
    load: Callable[[], Awaitable[tuple[Hashable, Feed]]]
    tag: str = ""

    @classmethod
    def of(cls, feed: Feed) -> FeedSource:
        async def ready() -> tuple[Hashable, Feed]:
            return feed, feed

        return cls(feed, ready)


@dataclass(frozen=True, slots=True)
class Place:
    """What a public feed is about."""

    kind: str  # "commune", "venue" or "convention"
    id: int
    name: str
    tz: str


@dataclass(frozen=True, slots=True)
class FeedLinks:
    """Absolute links and UIDs, from the public base URL (``PUBLIC_BASE_URL``)."""

    base_url: str

    @property
    def host(self) -> str:
        return _host(self.base_url)

    def uid(self, kind: str, *parts: object) -> str:
        return f"{kind}-{'-'.join(str(p) for p in parts)}@{self.host}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def staff_appointment(self, appointment_id: int) -> str:
        return self.url(f"/staff/appointments/{appointment_id}")

    def workshop(self, series_id: int) -> str:
        return self.url(f"/atelier/{series_id}")

    def manage(self, token: str) -> str:
        return self.url(f"/r/{token}")

    def booking(self) -> str:
        return self.url("/rdv")


@lru_cache(maxsize=16)
def _host(base_url: str) -> str:
    return urlsplit(base_url).hostname or "creneau"


def day_start(now: datetime) -> datetime:
    """Midnight UTC of ``now``'s UTC day: the instant feed windows last moved."""
    moment = now.astimezone(UTC)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def as_moment(value: object) -> datetime | None:
    """An aggregate's timestamp: SQLite returns ``MAX()`` of a timestamp as text."""
    if value is None or value == "":
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        raise TypeError(f"not a timestamp: {value!r}")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def latest(moments: list[datetime | None], default: datetime) -> datetime:
    known = [m for m in moments if m is not None]
    return max(known) if known else default


def make_feed(
    meta: CalendarMeta,
    events: list[FeedEvent],
    changes: list[datetime | None],
    *,
    window_moved: datetime,
) -> Feed:
    changed = latest(changes, window_moved)
    ordered = tuple(sorted(events, key=lambda e: (e.start, e.uid)))
    return Feed(meta, ordered, changed, max(changed, window_moved))


def place_text(name: str, address: str) -> str:
    """``LOCATION``: the venue's name and address."""
    return ", ".join(part for part in (name.strip(), address.strip()) if part)


def location(kind: str, name: str, address: str) -> str:
    """Where an appointment happens, from its service's location kind."""
    return {"phone": "Par téléphone", "home": "À domicile"}.get(kind) or place_text(name, address)


def short_name(first: str, last: str) -> str:
    """First name and last initial (``Jeanne L.``), the most a feed says about a person."""
    first, last = first.strip(), last.strip()
    return f"{first} {last[:1]}." if first and last else first


def ical_status(status: str) -> Status:
    return "CANCELLED" if status == "cancelled" else "CONFIRMED"


def ical_sequence(status: str, sequence: int) -> int:
    """A cancellation always bumps ``SEQUENCE``; guard rows written before it did."""
    return max(sequence, 1) if status == "cancelled" else max(sequence, 0)
