"""The dispatcher on a timer: an APScheduler 3.11 ``AsyncIOScheduler`` in the running loop.

Started by the app's lifespan (unless ``CRENEAU_DISPATCHER=off``) and by ``creneau worker``.
Processes coordinate through the outbox rows (claims), never through a shared job store.
Each tick starts a drain of what is due, unless one is still running (one per process).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from notifications.dispatcher import Dispatcher

logger = logging.getLogger(__name__)
JOB_ID = "sms-dispatch"


class DispatchScheduler:
    def __init__(
        self, dispatcher: Dispatcher, *, interval_seconds: float, first_run_in: float = 0.0
    ) -> None:
        if interval_seconds <= 0:
            raise ValueError("interval_seconds must be positive")
        self.dispatcher = dispatcher
        self.interval_seconds = interval_seconds
        self.first_run_in = first_run_in
        self._scheduler: AsyncIOScheduler | None = None
        self._drain: asyncio.Task[None] | None = None
        self._periodic: list[tuple[str, Callable[[], Awaitable[object]], float]] = []

    def add_periodic(self, job_id: str, job: Callable[[], Awaitable[object]],
                     seconds: float) -> None:
        """Another idempotent job run on this timer (retention, expiry of offers…): safe to
        run in every process, since each coordinates through the database."""
        self._periodic.append((job_id, job, seconds))

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    def start(self) -> None:
        """Call inside the running event loop (e.g. the app lifespan)."""
        if self._scheduler is not None:
            return
        scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
        scheduler.add_job(
            self._tick,
            "interval",
            seconds=self.interval_seconds,
            id=JOB_ID,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC) + timedelta(seconds=self.first_run_in),
        )
        for job_id, job, seconds in self._periodic:
            scheduler.add_job(_logged(job_id, job), "interval", seconds=seconds, id=job_id,
                              max_instances=1, coalesce=True, misfire_grace_time=None,
                              next_run_time=datetime.now(UTC) + timedelta(seconds=1))
        scheduler.start()
        self._scheduler = scheduler

    def run_soon(self) -> None:
        """Run the job now instead of at its next tick (e.g. after enqueueing)."""
        if self._scheduler is not None:
            self._scheduler.modify_job(JOB_ID, next_run_time=datetime.now(UTC))

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Stop the timer, then let the running drain finish (cancelled after
        ``grace_seconds``: its rows stay claimed and are reconciled after the lease)."""
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        await self.dispatcher.stop(grace_seconds)
        if self._drain is not None:
            await asyncio.gather(self._drain, return_exceptions=True)
        await asyncio.sleep(0)  # the scheduler's own shutdown runs on the loop

    async def _tick(self) -> None:
        """Start a drain unless one runs. The tick itself returns at once, so a long drain
        never makes APScheduler skip (and warn about) the next ticks."""
        if self._drain is None or self._drain.done():
            self._drain = asyncio.create_task(self._run(), name="sms-dispatch")

    async def _run(self) -> None:
        try:
            await self.dispatcher.drain()
        except Exception:  # the next tick tries again; rows left claimed are reclaimed
            logger.exception("SMS dispatch run failed")


def _logged(job_id: str, job: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            await job()
        except Exception:  # the next run tries again
            logger.exception("periodic job %s failed", job_id)

    return run
