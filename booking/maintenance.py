"""Periodic maintenance jobs, run on the dispatcher's timer in the app and in ``creneau
worker``: idempotent, so several processes may run them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from booking.context import Clock
from booking.services.privacy import apply_retention
from booking.settings import Settings

Job = tuple[str, Callable[[], Awaitable[object]], float]
DAY = 24 * 3600.0


def maintenance_jobs(settings: Settings, clock: Clock) -> list[Job]:
    async def retention() -> object:
        return await apply_retention(now=clock(), months=settings.retention_months)

    return [("retention", retention, DAY)]
