"""A small world for workshop tests: one convention, two venues, two counsellors."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time
from typing import Any

import pytest

from booking.services.residents import Identity, identity
from booking.services.workshop_links import WorkshopLinks
from booking.services.workshop_plan import SeriesDraft
from tests.support.fixtures import DEFAULT_NOW

LINKS = WorkshopLinks(base_url="https://rdv.example.fr", secret="s" * 48)
NOW = DEFAULT_NOW  # Monday 23 November 2026, 08:00 in Paris


@dataclass(frozen=True)
class World:
    commune_id: int
    convention_id: int
    venue_id: int
    other_venue_id: int
    counsellor_id: int
    other_counsellor_id: int
    service_id: int
    staff_id: int


async def make_world() -> World:
    from booking.tables import (
        Commune,
        Convention,
        ConventionCommune,
        ConventionCounsellor,
        Counsellor,
        Service,
        StaffUser,
        Venue,
    )

    commune = Commune(
        insee_code="92078",
        name="Villeneuve-la-Garenne",
        postcode="92390",
        slug="villeneuve-la-garenne-92078",
        timezone="Europe/Paris",
    )
    await commune.save()
    convention = Convention(
        name="Inclusion numérique Villeneuve", slug="villeneuve", seat_commune=commune.id
    )
    await convention.save()
    await ConventionCommune(convention=convention.id, commune=commune.id).save()
    venues = []
    for slug, name in (("epn-test", "Espace numérique"), ("mediatheque-test", "Médiathèque")):
        venue = Venue(
            commune=commune.id,
            name=name,
            slug=slug,
            kind="epn",
            address="Avenue de Verdun, 92390 Villeneuve-la-Garenne",
        )
        await venue.save()
        venues.append(int(venue.id))
    counsellors = []
    for first, last in (("Sophie", "Martin"), ("Luc", "Bernard")):
        c = Counsellor(first_name=first, last_name=last, email=f"{first.lower()}@example.fr")
        await c.save()
        await ConventionCounsellor(convention=convention.id, counsellor=c.id).save()
        counsellors.append(int(c.id))
    service = Service(
        convention=convention.id,
        slug="demarches",
        public_label="Démarches",
        duration_minutes=45,
        min_notice_minutes=0,
    )
    await service.save()
    staff = StaffUser(email="agent@example.fr", display_name="Agent", password_hash="-")
    await staff.save()
    return World(
        int(commune.id),
        int(convention.id),
        venues[0],
        venues[1],
        counsellors[0],
        counsellors[1],
        int(service.id),
        int(staff.id),
    )


@pytest.fixture
async def world(db: None) -> World:
    return await make_world()


def draft(world: World, **changes: Any) -> SeriesDraft:
    """Weekly on Tuesdays 14:00-16:00 from 24 November 2026, four sessions, 12 seats."""
    base = SeriesDraft(
        convention_id=world.convention_id,
        venue_id=world.venue_id,
        title="Initiation au numérique",
        start_time=time(14),
        end_time=time(16),
        first_day=date(2026, 11, 24),
        rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=4",
        capacity=12,
        counsellor_ids=(world.counsellor_id,),
        cutoff_minutes=120,
        offer_minutes=60,
    )
    return replace(base, **changes)


def person(n: int, **changes: Any) -> Identity:
    return identity(
        first_name=changes.get("first_name", f"Prénom{n}"),
        last_name=changes.get("last_name", "Dupont"),
        phone=changes.get("phone", f"+336{n:08d}"),
        sms_consent=changes.get("sms_consent", True),
    )
