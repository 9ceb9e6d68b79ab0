"""Booking races shared by the in-process tests and the multi-process script.

Run as a script (``python -m tests.integration.booking.race ATTEMPTS SPEC_JSON``) it books
against ``DATABASE_URL`` and prints ``booked=N refused=M``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from booking.errors import DomainError
from booking.services.appointments import BookingRequest, Links, book
from booking.services.residents import identity

LINKS = Links("http://127.0.0.1:8000")
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def person(n: int) -> Any:
    phone = f"06 40 {n // 100 % 100:02d} {n % 100:02d} 00"
    return identity(first_name=f"Usager{n}", last_name="Course", phone=phone)


async def attempt(n: int, spec: dict[str, Any]) -> bool:
    try:
        await book(BookingRequest(service_id=spec["service_id"], venue_id=spec["venue_id"],
                                  counsellor_id=spec["counsellor_id"],
                                  start=datetime.fromisoformat(spec["start"]),
                                  person=person(n)), now=NOW, links=LINKS)
    except DomainError as refused:
        assert refused.code in ("slot_taken", "slot_unavailable"), refused.code
        return False
    return True


async def race(specs: list[dict[str, Any]], first: int = 0) -> tuple[int, int]:
    results = await asyncio.gather(*(attempt(first + i, spec) for i, spec in enumerate(specs)))
    return sum(results), len(results) - sum(results)


async def _main(count: int, spec: dict[str, Any], first: int) -> None:
    from booking.db import close_engine, open_engine

    await open_engine(pool_size=8)
    try:
        booked, refused = await race([spec] * count, first)
    finally:
        await close_engine()
    print(f"booked={booked} refused={refused}", flush=True)


def staggered(start: datetime, services: list[int], venue: int, counsellor: int,
              count: int) -> list[dict[str, Any]]:
    """Attempts over overlapping candidate slots: starts every 15 minutes, two services."""
    return [{"service_id": services[i % len(services)], "venue_id": venue,
             "counsellor_id": counsellor,
             "start": (start + timedelta(minutes=15 * (i % 8))).isoformat()}
            for i in range(count)]


if __name__ == "__main__":
    asyncio.run(_main(int(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])))
