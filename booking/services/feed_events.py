"""Rows of a counsellor's private feed and the events they become.

Summaries name the service and the resident by first name and last initial, never more;
the description links to the staff page of the appointment.
"""

from __future__ import annotations

from typing import Any

from booking.db import aware
from booking.services.feed_model import (
    FeedLinks,
    ical_sequence,
    ical_status,
    location,
    place_text,
    short_name,
)
from booking.tables import Appointment, WorkshopSession
from calendars.ical_build import FeedEvent

CHANNELS = {
    "online": "réservé en ligne",
    "phone": "réservé par téléphone",
    "desk": "réservé à l'accueil",
}
APPOINTMENT_COLUMNS = (
    Appointment.id,
    Appointment.starts_at,
    Appointment.ends_at,
    Appointment.status,
    Appointment.sequence,
    Appointment.channel,
    Appointment.created_at,
    Appointment.updated_at,
    Appointment.service.public_label.as_alias("label"),
    Appointment.service.private_label.as_alias("private_label"),
    Appointment.service.location_kind.as_alias("location_kind"),
    Appointment.resident.first_name.as_alias("first_name"),
    Appointment.resident.last_name.as_alias("last_name"),
    Appointment.venue.name.as_alias("venue"),
    Appointment.venue.address.as_alias("address"),
    Appointment.venue._.commune._.timezone.as_alias("tz"),
)
SESSION_COLUMNS = (
    WorkshopSession.id,
    WorkshopSession.series,
    WorkshopSession.starts_at,
    WorkshopSession.ends_at,
    WorkshopSession.status,
    WorkshopSession.sequence,
    WorkshopSession.capacity,
    WorkshopSession.seats_taken,
    WorkshopSession.updated_at,
    WorkshopSession.series.title.as_alias("title"),
    WorkshopSession.series.status.as_alias("series_status"),
    WorkshopSession.series.updated_at.as_alias("series_updated_at"),
    WorkshopSession.venue.name.as_alias("venue"),
    WorkshopSession.venue.address.as_alias("address"),
    WorkshopSession.venue._.commune._.timezone.as_alias("tz"),
)


def appointment_event(row: dict[str, Any], links: FeedLinks) -> FeedEvent:
    status = ical_status(row["status"])
    label = row["private_label"] or row["label"]
    who = short_name(row["first_name"], row["last_name"])
    summary = f"{label} — {who}" if who else label
    page = links.staff_appointment(row["id"])
    how = CHANNELS.get(row["channel"], "")
    description = "\n".join(
        filter(
            None,
            [f"{row['label']} ({how})" if how else row["label"], f"Fiche du rendez-vous : {page}"],
        )
    )
    return FeedEvent(
        uid=links.uid("appointment", row["id"]),
        start=aware(row["starts_at"]),
        end=aware(row["ends_at"]),
        tz=row["tz"],
        summary=("[Annulé] " if status == "CANCELLED" else "") + summary,
        location=location(row["location_kind"], row["venue"], row["address"]),
        description=description,
        url=page,
        status=status,
        sequence=ical_sequence(row["status"], row["sequence"]),
        created=aware(row["created_at"]),
        last_modified=aware(row["updated_at"]),
        categories=("Rendez-vous",),
    )


def animated_session_event(row: dict[str, Any], links: FeedLinks) -> FeedEvent:
    status = ical_status(row["status"])
    if status == "CONFIRMED" and row["series_status"] != "published":
        status = "TENTATIVE"  # a draft series: planned, not announced yet
    page = links.workshop(row["series"])
    description = (
        f"Inscrits : {row['seats_taken']} sur {row['capacity']}\nPage de l'atelier : {page}"
    )
    modified = max(aware(row["updated_at"]), aware(row["series_updated_at"]))
    return FeedEvent(
        uid=links.uid("session", row["id"]),
        start=aware(row["starts_at"]),
        end=aware(row["ends_at"]),
        tz=row["tz"],
        summary=("[Annulé] " if status == "CANCELLED" else "") + f"Atelier — {row['title']}",
        location=place_text(row["venue"], row["address"]),
        description=description,
        url=page,
        status=status,
        sequence=ical_sequence(row["status"], row["sequence"]),
        last_modified=modified,
        categories=("Atelier",),
    )
