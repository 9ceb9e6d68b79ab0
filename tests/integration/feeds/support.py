"""Rows for feed tests (written directly: the feeds read tables) and a two-parser reader."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import icalendar
from ical.calendar_stream import IcsCalendarStream

from booking.db import aware
from booking.demo import DEMO_PASSWORD
from booking.tables import (
    Appointment,
    Registration,
    Resident,
    WorkshopAnimator,
    WorkshopSeries,
    WorkshopSession,
)
from tests.integration.booking.helpers import staff_headers
from tests.support.fixtures import sign_in

PARIS = ZoneInfo("Europe/Paris")
RESIDENT_PHONE = "+33612345678"


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)  # type: ignore[arg-type,misc]


@dataclass(frozen=True)
class Read:
    start: datetime
    end: datetime
    status: str
    sequence: int
    location: str
    summary: str
    description: str
    url: str


def moment(value: object) -> datetime:
    assert isinstance(value, datetime) and value.tzinfo is not None, value
    return value


def read_both(body: bytes) -> dict[str, Read]:
    """Events by UID as ``icalendar`` reads them, after checking the strict ``ical`` parser
    reads exactly the same values."""
    assert body.endswith(b"END:VCALENDAR\r\n")
    assert all(not line.endswith(b"\r") for line in body.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar.get_missing_tzids() == set()
    loose = {
        str(e["UID"]): Read(
            moment(e.start),
            moment(e.end),
            str(e["STATUS"]),
            int(str(e["SEQUENCE"])),
            str(e.get("LOCATION", "")),
            str(e["SUMMARY"]),
            str(e.get("DESCRIPTION", "")),
            str(e.get("URL", "")),
        )
        for e in calendar.events
    }
    strict = IcsCalendarStream.calendar_from_ics(body.decode())
    assert {
        e.uid: Read(
            moment(e.dtstart),
            moment(e.dtend),
            e.status.value if e.status else "",
            e.sequence or 0,
            e.location or "",
            e.summary or "",
            e.description or "",
            e.url or "",
        )
        for e in strict.events
    } == loose
    assert all(event.end > event.start for event in loose.values())
    return loose


async def assert_matches_database(events: dict[str, Read]) -> None:
    """Every appointment and session read back has its row's times, status, sequence and
    place (venue name and address)."""
    for uid, read in events.items():
        kind, _, rest = uid.partition("-")
        if kind == "appointment":
            table: Any = Appointment
            extra: tuple[Any, ...] = ()
        elif kind == "session":
            table = WorkshopSession
            extra = (WorkshopSession.series.status.as_alias("series_status"),)
        else:
            continue
        row = (
            await table.select(
                table.starts_at,
                table.ends_at,
                table.status,
                table.sequence,
                table.venue.name.as_alias("venue"),
                table.venue.address.as_alias("address"),
                *extra,
            )
            .where(table.id == int(rest.split("@")[0]))
            .first()
        )
        assert row is not None, uid
        assert (read.start, read.end) == (aware(row["starts_at"]), aware(row["ends_at"])), uid
        status = "CANCELLED" if row["status"] == "cancelled" else "CONFIRMED"
        if status == "CONFIRMED" and row.get("series_status", "published") != "published":
            status = "TENTATIVE"
        assert (read.status, read.sequence) == (status, row["sequence"]), uid
        assert read.location == f"{row['venue']}, {row['address']}", uid


async def resident(
    first: str = "Jeanne", last: str = "Le Bihan", phone: str = RESIDENT_PHONE
) -> int:
    row = Resident(first_name=first, last_name=last, phone=phone)
    await row.save()
    return int(row.id)


async def appointment(
    demo: dict[str, Any],
    start: datetime,
    *,
    minutes: int = 45,
    counsellor: str = "rance",
    venue: str = "epn-vicomte",
    service: str = "rance/demarches",
    status: str = "booked",
    sequence: int = 0,
    cancelled_at: datetime | None = None,
    resident_id: int | None = None,
    updated_at: datetime | None = None,
) -> int:
    end = start + timedelta(minutes=minutes)
    changed = updated_at or cancelled_at or start - timedelta(days=40)
    row = Appointment(
        resident=resident_id or await resident(),
        counsellor=demo["counsellor"][counsellor],
        venue=demo["venue"][venue],
        service=demo["service"][service],
        starts_at=start,
        ends_at=end,
        blocked_from=start,
        blocked_until=end,
        status=status,
        channel="phone",
        created_at=changed,
        updated_at=changed,
        cancelled_at=cancelled_at,
        manage_token_hash=secrets.token_hex(32),
        manage_token_expires_at=end,
        sequence=sequence,
    )
    await row.save()
    return int(row.id)


async def series(
    demo: dict[str, Any],
    *,
    title: str = "Premiers pas sur Internet",
    convention: str = "rance",
    venue: str = "epn-vicomte",
    animator: str | None = "rance",
    status: str = "published",
    description: str = "Souris, clavier, navigateur.",
) -> int:
    row = WorkshopSeries(
        convention=demo["convention"][convention],
        venue=demo["venue"][venue],
        title=title,
        slug=f"atelier-{secrets.token_hex(4)}",
        description=description,
        capacity=8,
        start_time=time(14),
        end_time=time(16),
        first_day=date(2026, 1, 1),
        status=status,
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    await row.save()
    if animator:
        await WorkshopAnimator(series=row.id, counsellor=demo["counsellor"][animator]).save()
    return int(row.id)


async def session(
    demo: dict[str, Any],
    series_id: int,
    start: datetime,
    *,
    venue: str = "epn-vicomte",
    minutes: int = 120,
    seats_taken: int = 0,
    status: str = "scheduled",
    sequence: int = 0,
    cancelled_at: datetime | None = None,
) -> int:
    row = WorkshopSession(
        series=series_id,
        venue=demo["venue"][venue],
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        capacity=8,
        seats_taken=seats_taken,
        status=status,
        sequence=sequence,
        updated_at=datetime(2026, 2, 1, tzinfo=UTC),
        cancelled_at=cancelled_at,
    )
    await row.save()
    return int(row.id)


async def registration(session_id: int, resident_id: int, at: datetime) -> None:
    await Registration(
        resident=resident_id,
        session=session_id,
        created_at=at,
        manage_token_hash=secrets.token_hex(32),
        manage_token_expires_at=at + timedelta(days=30),
    ).save()


async def staff(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    client.cookies.clear()
    response = await sign_in(client, email, DEMO_PASSWORD)
    assert response.status_code in (302, 303), response.text
    return staff_headers(client)


async def rotate(
    client: httpx.AsyncClient, counsellor_id: int, headers: dict[str, str]
) -> dict[str, Any]:
    response = await client.post(
        f"/api/staff/counsellors/{counsellor_id}/feed/rotate", headers=headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def feed_path(link: dict[str, Any]) -> str:
    return "/" + str(link["https_url"]).split("/", 3)[3]
