"""Busy time read for venues alone (no counsellor): the permanence feed asks that way."""

from __future__ import annotations

from datetime import timedelta

from bench.generate import Scale, generate
from booking.db import aware
from booking.services.availability_data import load_busy
from booking.tables import Venue, VenueClosure
from tests.support.fixtures import DEFAULT_NOW


async def test_closures_of_venues_without_counsellors(db: None) -> None:
    await generate(Scale(counsellors=6, communes=3, appointments=0, workshop_sessions=0, seed=3),
                   now=DEFAULT_NOW, progress=lambda _: None)
    own = await VenueClosure.select().where(VenueClosure.venue.is_not_null()).first()
    commune_wide = await VenueClosure.select().where(VenueClosure.venue.is_null()).first()
    assert own is not None and commune_wide is not None
    venue_of_commune = await Venue.select(Venue.id).where(
        Venue.commune == commune_wide["commune"]).first()
    assert venue_of_commune is not None
    for closure, venue in ((own, own["venue"]), (commune_wide, venue_of_commune["id"])):
        start, end = aware(closure["starts_at"]), aware(closure["ends_at"])
        busy = await load_busy(counsellor_ids=[], venue_ids=[venue],
                               start=start - timedelta(days=1), end=end + timedelta(days=1))
        assert busy.by_counsellor == {}
        assert busy.by_venue[venue].overlaps(start, end)
