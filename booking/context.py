"""The collaborators an app instance is built with, reachable from any request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from litestar import Request
from litestar.datastructures import State

from booking.settings import Settings

if TYPE_CHECKING:
    from booking.services.slot_cache import SlotCache
    from booking.services.slot_search import SlotSearch

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class AppContext:
    settings: Settings
    clock: Clock
    sms_sender: Any
    slot_cache: SlotCache[SlotSearch] | None = None


def app_context(state: State) -> AppContext:
    ctx: AppContext = state["ctx"]
    return ctx


def request_context(request: Request[Any, Any, Any]) -> AppContext:
    return app_context(request.app.state)


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"
