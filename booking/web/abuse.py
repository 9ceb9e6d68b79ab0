"""Limits on public actions that cost SMS: per address, per phone number, per staff account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request

from booking.context import client_address, request_context
from booking.errors import InvalidInput
from booking.services.rate_limits import hit

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def reject_honeypot(value: str) -> None:
    if value:
        raise InvalidInput("La demande n'a pas pu être traitée.", field="website")


async def limit_address(request: Request[Any, Any, Any], action: str) -> None:
    """A resident's SMS-triggering action, counted per client address."""
    ctx = request_context(request)
    await hit(f"{action}-addr", client_address(request),
              limit=ctx.settings.booking_rate_per_hour, window=HOUR, now=ctx.clock())


async def limit_phone(request: Request[Any, Any, Any], action: str, phone: str) -> None:
    """…and per phone number (E.164), whatever the address."""
    ctx = request_context(request)
    await hit(f"{action}-phone", phone, limit=ctx.settings.booking_rate_per_phone_day,
              window=DAY, now=ctx.clock())


async def limit_staff(request: Request[Any, Any, Any], staff_id: int) -> None:
    """Staff at a desk share one address: they are limited per account instead."""
    ctx = request_context(request)
    await hit("staff", str(staff_id), limit=ctx.settings.staff_rate_per_hour, window=HOUR,
              now=ctx.clock())
