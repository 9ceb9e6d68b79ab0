"""Public workshop feeds (per commune, venue or convention) and single-event calendars.

Public feeds carry public facts only: titles, places, times, seats left, links. Never a
resident, never an animator's name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Max

from booking.db import aware
from booking.errors import NotFound
from booking.services.feed_events import SESSION_COLUMNS
from booking.services.feed_model import (
    EPOCH,
    KEEP_CANCELLED,
    Feed,
    FeedLinks,
    FeedSource,
    Place,
    as_moment,
    day_start,
    ical_sequence,
    ical_status,
    location,
    make_feed,
    place_text,
    short_name,
)
from booking.services.feed_permanences import permanence_events
from booking.services.feed_rows import Rows, built, rows_source
from booking.tables import (
    Appointment,
    Commune,
    Convention,
    Registration,
    Venue,
    WorkshopSession,
)
from calendars.ical_build import CalendarMeta, FeedEvent

PAST = timedelta(days=30)
AHEAD = timedelta(days=200)
KINDS = ("commune", "venue", "convention")


_SESSION_COLUMNS = (
    *SESSION_COLUMNS,
    WorkshopSession.venue.id.as_alias("venue_id"),
    WorkshopSession.series.description.as_alias("series_description"),
)


async def find_place(kind: str, place_id: int) -> Place:
    """The commune, venue or convention a public feed is about, or NotFound."""
    if kind == "commune":
        row = (
            await Commune.select(Commune.name, Commune.timezone.as_alias("tz"))
            .where(Commune.id == place_id)
            .first()
        )
    elif kind == "venue":
        row = (
            await Venue.select(Venue.name, Venue.commune.timezone.as_alias("tz"))
            .where(Venue.id == place_id)
            .first()
        )
    elif kind == "convention":
        row = (
            await Convention.select(
                Convention.name, Convention.seat_commune.timezone.as_alias("tz")
            )
            .where(Convention.id == place_id)
            .first()
        )
    else:
        row = None
    if row is None:
        raise NotFound("Ce calendrier n'existe pas.")
    return Place(kind, place_id, row["name"], row["tz"] or "Europe/Paris")


def _place_filter(place: Place) -> Any:
    return {
        "commune": WorkshopSession.venue.commune == place.id,
        "venue": WorkshopSession.venue == place.id,
        "convention": WorkshopSession.series.convention == place.id,
    }[place.kind]


def _seats_text(row: dict[str, Any]) -> str:
    left = max(0, row["capacity"] - row["seats_taken"])
    if row["status"] == "cancelled":
        return "Séance annulée."
    if left == 0:
        return f"Complet ({row['capacity']} places) : inscription sur liste d'attente."
    return f"Places restantes : {left} sur {row['capacity']}"


def public_session_event(row: dict[str, Any], links: FeedLinks) -> FeedEvent:
    status = ical_status(row["status"])
    page = links.workshop(row["series"])
    about = " ".join(str(row["series_description"]).split())
    about = about if len(about) <= 400 else about[:399].rstrip() + "…"
    description = "\n".join(filter(None, [_seats_text(row), about, f"Inscription : {page}"]))
    return FeedEvent(
        uid=links.uid("session", row["id"]),
        start=aware(row["starts_at"]),
        end=aware(row["ends_at"]),
        tz=row["tz"],
        summary=("[Annulé] " if status == "CANCELLED" else "") + row["title"],
        location=place_text(row["venue"], row["address"]),
        description=description,
        url=page,
        status=status,
        sequence=ical_sequence(row["status"], row["sequence"]),
        last_modified=max(aware(row["updated_at"]), aware(row["series_updated_at"])),
        categories=("Atelier numérique",),
        transparent=True,
    )


def _registration_activity(condition: Any) -> Any:
    """When seats last changed (a registration made or cancelled) in these sessions."""
    return Registration.select(
        Max(Registration.created_at, alias="made"),
        Max(Registration.cancelled_at, alias="gone"),
    ).where(condition)


def _activity_moments(rows: list[dict[str, Any]]) -> list[datetime | None]:
    return [as_moment(v) for v in (rows[0] if rows else {}).values()]


def _place_statements(place: Place, today: datetime) -> list[Any]:
    """The sessions at ``place`` overlapping the window, and when their seats last changed."""
    start, end, kept = today - PAST, today + AHEAD, today - KEEP_CANCELLED

    def sessions() -> Any:
        window = (
            (WorkshopSession.starts_at < end)
            & (WorkshopSession.ends_at > start)
            & (WorkshopSession.series.status == "published")
            & ((WorkshopSession.status != "cancelled") | (WorkshopSession.cancelled_at >= kept))
        )
        return WorkshopSession.select(*_SESSION_COLUMNS).where(window & _place_filter(place))

    def activity() -> Any:
        session = Registration.session
        seat_filter = {
            "commune": session._.venue._.commune == place.id,
            "venue": session._.venue == place.id,
            "convention": session._.series._.convention == place.id,
        }[place.kind]
        return _registration_activity(
            seat_filter & (session._.starts_at < end) & (session._.ends_at > start)
        )

    return [sessions, activity]


async def _place_parts(
    place: Place, *, now: datetime, links: FeedLinks, permanences: bool
) -> tuple[tuple[Any, ...], list[Any], Callable[[list[Rows]], Feed]]:
    """The feed's key (all but its rows), its statements and how rows become the feed."""
    today = day_start(now)
    path = f"/feeds/{place.kind}s/{place.id}.ics"
    more: list[FeedEvent] = []
    more_changes: list[datetime | None] = []
    if permanences:
        more, more_changes = await permanence_events(place, now=now, links=links)
        path += "?permanences=1"

    def build(rows: list[Rows]) -> Feed:
        events = [public_session_event(r, links) for r in rows[0]] + more
        changes = [e.last_modified for e in events] + _activity_moments(rows[1]) + more_changes
        meta = CalendarMeta(
            name=f"Ateliers numériques — {place.name}",
            description=f"Ateliers numériques : {place.name}",
            url=links.url(path),
            refresh=timedelta(hours=1),
            timezone=place.tz,
        )
        return make_feed(meta, events, changes, window_moved=today)

    key = ("place", place, links, today, path, tuple(more), tuple(more_changes))
    return key, _place_statements(place, today), build


async def place_source(
    place: Place, *, now: datetime, links: FeedLinks, permanences: bool = False
) -> FeedSource:
    """Workshop sessions at a place, keyed for ``FeedCache`` by a digest of their rows (the
    permanence hours, computed from rules and closures, are part of the key)."""
    key, statements, build = await _place_parts(
        place, now=now, links=links, permanences=permanences
    )
    return await rows_source(key, statements, build)


async def place_feed(
    place: Place, *, now: datetime, links: FeedLinks, permanences: bool = False
) -> Feed:
    """Workshop sessions at a place (cancelled ones kept 30 days), optionally with the
    permanence hours of its venues."""
    _, statements, build = await _place_parts(place, now=now, links=links, permanences=permanences)
    return await built(statements, build)


async def session_feed(session_id: int, *, now: datetime, links: FeedLinks) -> Feed:
    """One workshop session of a published series (a cancelled one says so)."""
    row = (
        await WorkshopSession.select(*_SESSION_COLUMNS)
        .where((WorkshopSession.id == session_id) & (WorkshopSession.series.status == "published"))
        .first()
    )
    if row is None:
        raise NotFound("Cette séance n'existe pas.")
    event = public_session_event(row, links)
    activity = _activity_moments(await _registration_activity(Registration.session == session_id))
    meta = CalendarMeta(name=row["title"], url=event.url, timezone=row["tz"])
    return make_feed(meta, [event], [event.last_modified, *activity], window_moved=EPOCH)


async def resident_appointment_feed(
    appointment: Appointment, token: str, *, links: FeedLinks
) -> Feed:
    """The ``.ics`` of a resident's appointment, offered on their management link."""
    venue, service = appointment.venue, appointment.service
    status = ical_status(appointment.status)
    counsellor = short_name(appointment.counsellor.first_name, appointment.counsellor.last_name)
    manage = links.manage(token)
    lines = [
        f"Avec {counsellor}, conseiller numérique" if counsellor else "",
        f"À apporter : {service.what_to_bring}" if service.what_to_bring else "",
        f"Modifier ou annuler : {manage}",
    ]
    event = FeedEvent(
        uid=links.uid("appointment", appointment.id),
        start=aware(appointment.starts_at),
        end=aware(appointment.ends_at),
        tz=venue.commune.timezone,
        summary=("[Annulé] " if status == "CANCELLED" else "")
        + f"Rendez-vous numérique — {service.public_label}",
        location=location(service.location_kind, venue.name, venue.address),
        description="\n".join(filter(None, lines)),
        url=manage,
        status=status,
        sequence=ical_sequence(appointment.status, appointment.sequence),
        created=aware(appointment.created_at),
        last_modified=aware(appointment.updated_at),
    )
    meta = CalendarMeta(name="Mon rendez-vous numérique", timezone=venue.commune.timezone)
    return make_feed(meta, [event], [event.last_modified], window_moved=EPOCH)
