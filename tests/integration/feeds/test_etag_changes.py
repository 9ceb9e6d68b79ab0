"""Conditional GETs stay exact while they no longer read the feed's rows (PostgreSQL: a
digest computed by the database): every kind of change alters the ``ETag``, the ``ETag`` of
unchanged data is the same in a process that never served the feed, and a rotated token
gives a new ``ETag`` while the old link answers 404."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from booking.services.feed_cache import FEEDS
from booking.tables import Appointment, Resident, Service, Venue, WorkshopSession
from tests.integration.feeds.support import (
    appointment,
    feed_path,
    paris,
    resident,
    rotate,
    series,
    session,
    staff,
)
from tests.support.clock import FrozenClock


async def etag(client: httpx.AsyncClient, path: str) -> str:
    """The ``ETag`` a poll gets, checked against a cold cache (another process)."""
    warm = await client.get(path)
    assert warm.status_code == 200, warm.text
    FEEDS.clear()
    cold = await client.get(path)
    assert cold.headers["etag"] == warm.headers["etag"] and cold.content == warm.content
    return str(warm.headers["etag"])


async def still(client: httpx.AsyncClient, path: str, tag: str) -> int:
    return (await client.get(path, headers={"If-None-Match": tag})).status_code


Change = Callable[[dict[str, Any], dict[str, int]], Awaitable[None]]


async def reschedule(demo: dict[str, Any], ids: dict[str, int]) -> None:
    row = await Appointment.objects().get(Appointment.id == ids["appointment"])
    assert row is not None
    await Appointment.update(
        {
            Appointment.starts_at: row.starts_at + timedelta(hours=1),
            Appointment.ends_at: row.ends_at + timedelta(hours=1),
            Appointment.sequence: row.sequence + 1,
        }
    ).where(Appointment.id == row.id)  # no updated_at: the digest needs none


async def cancel(demo: dict[str, Any], ids: dict[str, int]) -> None:
    await Appointment.update(
        {Appointment.status: "cancelled", Appointment.cancelled_at: paris(2026, 11, 23, 9)}
    ).where(Appointment.id == ids["appointment"])


async def rename_venue(demo: dict[str, Any], ids: dict[str, int]) -> None:
    await Venue.update({Venue.name: "Médiathèque Jules-Verne"}).where(
        Venue.id == demo["venue"]["epn-vicomte"]
    )


async def rename_resident(demo: dict[str, Any], ids: dict[str, int]) -> None:
    await Resident.update({Resident.first_name: "Anonyme"}).where(Resident.id == ids["resident"])


async def relabel_service(demo: dict[str, Any], ids: dict[str, int]) -> None:
    await Service.update({Service.private_label: "Démarches (CAF)"}).where(
        Service.id == demo["service"]["rance/demarches"]
    )


async def seats_taken(demo: dict[str, Any], ids: dict[str, int]) -> None:
    await WorkshopSession.update({WorkshopSession.seats_taken: 3}).where(
        WorkshopSession.id == ids["session"]
    )


async def new_appointment(demo: dict[str, Any], ids: dict[str, int]) -> None:
    await appointment(demo, paris(2026, 11, 27, 10, 0), resident_id=ids["resident"])


CHANGES = [reschedule, cancel, rename_venue, rename_resident, relabel_service, seats_taken]


async def world(demo: dict[str, Any], clock: FrozenClock) -> dict[str, int]:
    who = await resident()
    booked = await appointment(demo, clock() + timedelta(days=2), resident_id=who)
    workshop = await series(demo)
    held = await session(demo, workshop, paris(2026, 12, 3, 14, 0))
    return {"resident": who, "appointment": booked, "session": held}


@pytest.mark.parametrize("change", [*CHANGES, new_appointment], ids=lambda c: c.__name__)
async def test_each_change_alters_the_private_feed_etag(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock, change: Change
) -> None:
    ids = await world(demo, clock)
    headers = await staff(client, "conseillere.rance@creneau.demo")
    path = feed_path(await rotate(client, demo["counsellor"]["rance"], headers))
    before = await etag(client, path)
    assert await still(client, path, before) == 304
    await change(demo, ids)
    assert await still(client, path, before) == 200  # the warm cache did not hide it
    assert await etag(client, path) != before


@pytest.mark.parametrize("change", [rename_venue, seats_taken], ids=lambda c: c.__name__)
async def test_each_change_alters_the_public_feed_etag(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock, change: Change
) -> None:
    ids = await world(demo, clock)
    path = f"/feeds/venues/{demo['venue']['epn-vicomte']}.ics"
    before = await etag(client, path)
    assert await still(client, path, before) == 304
    await change(demo, ids)
    assert await still(client, path, before) == 200
    assert await etag(client, path) != before


async def test_a_rotated_token_changes_the_etag_and_kills_the_old_link(
    client: httpx.AsyncClient, demo: dict[str, Any], clock: FrozenClock
) -> None:
    await world(demo, clock)
    headers = await staff(client, "conseillere.rance@creneau.demo")
    old = feed_path(await rotate(client, demo["counsellor"]["rance"], headers))
    before = await etag(client, old)
    clock.advance(timedelta(minutes=5))
    new = feed_path(await rotate(client, demo["counsellor"]["rance"], headers))
    assert await still(client, old, before) == 404
    assert await still(client, new, before) == 200
    after = await etag(client, new)
    assert after != before and await still(client, new, after) == 304
