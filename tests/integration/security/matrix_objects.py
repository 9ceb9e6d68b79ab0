"""The in-scope objects of the authorization matrix: the Rance convention at
Pleudihen-sur-Rance, made through the service layer as staff and residents would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from booking.auth.permissions import Action
from booking.services.appointments import Links
from tests.integration.security.matrix_principals import create_test_staff

# The in-scope resident: a name that appears nowhere else, to spot it in listings.
RESIDENT = {"first_name": "Maelys", "last_name": "Kermarrec", "phone": "06 11 22 33 44"}
SERIES_TITLE = "Messagerie pas a pas"
CLOSURES_ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Mairie//Fermetures//FR\r\n"
    b"BEGIN:VEVENT\r\nUID:pont-2027@mairie.example\r\nDTSTAMP:20261101T000000Z\r\n"
    b"DTSTART;VALUE=DATE:20270301\r\nDTEND;VALUE=DATE:20270302\r\n"
    b"SUMMARY:Fermeture exceptionnelle\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)

# 26 November 2026 is a Thursday: Camille receives at the Pleudihen town hall, 14h-17h.
APPOINTMENT_START = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
API_BOOKING_START = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
PAGE_BOOKING_START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class World:
    convention: int
    commune: int
    venue: int
    counsellor: int
    service: int
    appointment: int
    resident: int
    series: int
    session: int
    registration: int
    rule: int
    absence: int
    closure_source: int
    token_owner: int  # Camille's staff account
    token: str  # a raw API token of Camille's, scoped to VIEW_AGENDA

    def param(self, name: str) -> int:
        return int(
            {
                "appointment_id": self.appointment,
                "commune_id": self.commune,
                "counsellor_id": self.counsellor,
                "venue_id": self.venue,
                "source_id": self.closure_source,
                "resident_id": self.resident,
                "rule_id": self.rule,
                "series_id": self.series,
                "session_id": self.session,
                "registration_id": self.registration,
            }[name]
        )


async def _staff_id(email: str) -> int:
    from booking.tables import StaffUser

    row = await StaffUser.select(StaffUser.id).where(StaffUser.email == email).first()
    assert row is not None, email
    return int(row["id"])


async def build_world(demo: dict[str, Any], settings: Any, now: datetime) -> World:
    from booking.auth import api_tokens
    from booking.services import absences, appointments, closure_import, registrations
    from booking.services.absences import AbsenceDraft
    from booking.services.appointments import BookingRequest
    from booking.services.residents import identity
    from booking.services.workshop_links import links_from_settings
    from booking.services.workshop_plan import SeriesDraft
    from booking.services.workshops import create_series
    from booking.tables import Appointment, AvailabilityRule, WorkshopSession

    await create_test_staff(demo)
    venue, camille = demo["venue"]["mairie-pleudihen"], demo["counsellor"]["rance"]
    service, convention = demo["service"]["rance/demarches"], demo["convention"]["rance"]
    person = identity(
        first_name=RESIDENT["first_name"], last_name=RESIDENT["last_name"], phone=RESIDENT["phone"]
    )
    booked = await appointments.book(
        BookingRequest(
            service_id=service,
            venue_id=venue,
            counsellor_id=camille,
            start=APPOINTMENT_START,
            person=person,
        ),
        now=now,
        links=Links(settings.public_base_url),
    )
    row = (
        await Appointment.select(Appointment.resident)
        .where(Appointment.id == booked.appointment_id)
        .first()
    )
    assert row is not None
    saved = await create_series(
        SeriesDraft(
            convention_id=convention,
            venue_id=venue,
            title=SERIES_TITLE,
            start_time=time(14),
            end_time=time(16),
            first_day=date(2026, 12, 2),
            rrule="FREQ=WEEKLY;BYDAY=WE;COUNT=2",
            capacity=10,
            counsellor_ids=(camille,),
        ),
        staff_id=None,
        now=now,
    )
    sessions = [
        r["id"]
        for r in await WorkshopSession.select(WorkshopSession.id)
        .where(WorkshopSession.series == saved.series_id)
        .order_by(WorkshopSession.starts_at)
    ]
    registered = await registrations.register(
        registrations.RegistrationRequest(
            series_id=saved.series_id, session_id=sessions[0], person=person
        ),
        now=now,
        links=links_from_settings(settings),
    )
    rule = AvailabilityRule(
        counsellor=camille,
        venue=venue,
        rrule="FREQ=WEEKLY;BYDAY=MO",
        start_time=time(9),
        end_time=time(12),
        first_day=date(2026, 11, 23),
        service_ids=[],
    )
    await rule.save()
    owner = await _staff_id("conseillere.rance@creneau.demo")
    absence = await absences.create(
        AbsenceDraft(
            counsellor_id=camille,
            starts_at=datetime(2027, 1, 4, 23, tzinfo=UTC),
            ends_at=datetime(2027, 1, 5, 23, tzinfo=UTC),
            timezone="Europe/Paris",
            reason="Formation",
        ),
        staff_id=owner,
        now=now,
    )
    source = await closure_import.import_closures(
        closure_import.Target(venue_id=venue), now=now, actor_id=None, data=CLOSURES_ICS
    )
    token = await api_tokens.create_token(
        staff_id=owner, name="Agenda mairie", scopes=[Action.VIEW_AGENDA.value], now=now
    )
    return World(
        convention=convention,
        commune=demo["commune"]["22197"],
        venue=venue,
        counsellor=camille,
        service=service,
        appointment=booked.appointment_id,
        resident=int(row["resident"]),
        series=saved.series_id,
        session=sessions[0],
        registration=registered.registration_ids[0],
        rule=int(rule.id),
        absence=absence,
        closure_source=source.source_id,
        token_owner=owner,
        token=token,
    )


async def fresh_token(world: World, now: datetime) -> int:
    """A new token of Camille's, for a revocation that must really happen."""
    from booking.auth import api_tokens
    from booking.tables import ApiToken

    await api_tokens.create_token(
        staff_id=world.token_owner, name="A revoquer", scopes=[Action.VIEW_AGENDA.value], now=now
    )
    row = await ApiToken.select(ApiToken.id).order_by(ApiToken.id, ascending=False).first()
    assert row is not None
    return int(row["id"])
