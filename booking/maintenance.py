"""Periodic maintenance jobs, run on the dispatcher's timer in the app and in ``creneau
worker``: idempotent, so several processes may run them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from booking.context import Clock
from booking.services.privacy import apply_retention
from booking.services.registrations import expire_offers
from booking.services.workshop_links import links_from_settings
from booking.settings import Settings

Job = tuple[str, Callable[[], Awaitable[object]], float]
DAY = 24 * 3600.0


def maintenance_jobs(settings: Settings, clock: Clock) -> list[Job]:
    links = links_from_settings(settings)

    async def retention() -> object:
        return await apply_retention(now=clock(), months=settings.retention_months)

    async def offers() -> object:
        return await expire_offers(clock(), links)

    return [("retention", retention, DAY), ("waitlist-offers", offers, 60.0)]
