"""The application factory: the only place a Litestar app is assembled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from booking.context import AppContext, Clock, system_clock
from booking.db import close_engine, open_engine, write_transaction
from booking.logs import quiet_personal_data_loggers
from booking.maintenance import maintenance_jobs
from booking.routes import route_handlers
from booking.services.availability_changes import AvailabilityChanges
from booking.services.slot_cache import SlotCache
from booking.services.slot_search import SlotSearch, considered_counsellors
from booking.settings import Settings
from booking.sms import sender_from_settings
from booking.web.errors import EXCEPTION_HANDLERS
from booking.web.security_headers import security_headers_middleware
from notifications.worker import build_scheduler

PACKAGE_DIR = Path(__file__).parent


def create_app(
    settings: Settings, *, sms_sender: Any = None, clock: Clock | None = None
) -> Litestar:
    """Build the app around its collaborators (settings, SMS sender, clock)."""
    quiet_personal_data_loggers()
    sender = sms_sender if sms_sender is not None else sender_from_settings(settings)
    changes = AvailabilityChanges()
    slot_cache: SlotCache[SlotSearch] | None = (
        SlotCache(changes, considered_counsellors, max_entries=settings.slot_cache_entries)
        if settings.slot_cache_entries else None
    )
    ctx = AppContext(settings=settings, clock=clock or system_clock, sms_sender=sender,
                     slot_cache=slot_cache)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        opened = await open_engine()
        if slot_cache is not None:
            await changes.start()
        await sender.start()
        dispatch = (build_scheduler(settings, sender, clock=ctx.clock,
                                    transaction=write_transaction)
                    if settings.dispatcher_enabled else None)
        if dispatch is not None:
            for job_id, job, seconds in maintenance_jobs(settings, ctx.clock):
                dispatch.add_periodic(job_id, job, seconds)
            dispatch.start()
        try:
            yield
        finally:
            if dispatch is not None:
                await dispatch.stop()
            await sender.close()
            await changes.stop()
            if opened:
                await close_engine()

    return Litestar(
        route_handlers=[
            *route_handlers(),
            create_static_files_router(path="/static", directories=[PACKAGE_DIR / "static"],
                                       include_in_schema=False),
        ],
        lifespan=[lifespan],
        middleware=[security_headers_middleware(settings.embed_allowed_origins)],
        state=_state(ctx),
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=TemplateConfig(directory=PACKAGE_DIR / "templates",
                                       engine=JinjaTemplateEngine),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.public_base_url.startswith("https://"),
            cookie_httponly=False,
            exclude=["/api/", "/webhooks/", "/health"],
        ),
        openapi_config=OpenAPIConfig(title="Créneau", version="0.1.0", path="/schema"),
        request_max_body_size=2 * 1024 * 1024,
        debug=False,
    )


def _state(ctx: AppContext) -> Any:
    from litestar.datastructures import State

    return State({"ctx": ctx})
