"""Baselines and in-process variants of ``bench.booking``, each a rate per second with
``concurrency`` workers: one appointment row per transaction, the six rows a booking writes
in one transaction, and the ``book()`` use case without HTTP. ``slots`` are
``(ServiceSpec, Slot)`` pairs of free slots, distinct per counsellor and start."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bench.common import BENCH_NOW

RAW_INSERT = (
    "INSERT INTO appointment (resident, counsellor, venue, service, starts_at, ends_at, "
    "blocked_from, blocked_until, status, channel, created_at, updated_at, manage_token_hash, "
    "manage_token_expires_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, 'booked', 'online', {}, "
    "{}, {}, {})"
)


async def bounded(count: int, concurrency: int, task: Callable[[int], Awaitable[Any]]) -> float:
    """Run ``task(0..count-1)`` with ``concurrency`` workers; return the wall time."""
    queue = iter(range(count))

    async def worker() -> None:
        for n in queue:
            await task(n)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - began


async def raw_inserts(slots: list[Any], resident: int, concurrency: int) -> float:
    """One appointment row per transaction: a single autocommitted statement on PostgreSQL;
    on SQLite inside the app's write lock (``write_transaction``), without which concurrent
    writers fall back on SQLite's busy polling and the baseline collapses."""
    from piccolo.querystring import QueryString

    from booking.db import engine, is_postgres, write_transaction

    async def insert(n: int) -> None:
        spec, slot = slots[n]
        end = slot.start + spec.duration
        statement = QueryString(
            RAW_INSERT,
            resident,
            slot.counsellor_id,
            slot.venue_id,
            spec.id,
            slot.start,
            end,
            slot.start - spec.buffer_before,
            end + spec.buffer_after,
            BENCH_NOW,
            BENCH_NOW,
            f"raw-{n:060d}",
            end,
        )
        if is_postgres():
            await engine().run_querystring(statement)
            return
        async with write_transaction():
            await engine().run_querystring(statement)

    return len(slots) / await bounded(len(slots), concurrency, insert)


async def raw_booking_rows(slots: list[Any], concurrency: int) -> float:
    """The rows a booking writes (resident, appointment, three SMS, an audit entry), inserted
    directly in one transaction: what the use case costs beyond its own writes."""
    from piccolo.querystring import QueryString

    from booking.db import engine, write_transaction

    async def run(sql: str, *args: Any) -> Any:
        return await engine().run_querystring(QueryString(sql, *args))

    async def booking(n: int) -> None:
        spec, slot = slots[n]
        end = slot.start + spec.duration
        phone = f"+336{50_000_000 + n:08d}"
        async with write_transaction():
            rows = await run(
                "INSERT INTO resident (first_name, last_name, phone) "
                "VALUES ({}, {}, {}) RETURNING id",
                f"Ligne{n}",
                "Banc",
                phone,
            )
            await run(
                RAW_INSERT,
                rows[0]["id"],
                slot.counsellor_id,
                slot.venue_id,
                spec.id,
                slot.start,
                end,
                slot.start - spec.buffer_before,
                end + spec.buffer_after,
                BENCH_NOW,
                BENCH_NOW,
                f"rows-{n:059d}",
                end,
            )
            for due in (BENCH_NOW, slot.start - timedelta(days=1), slot.start - timedelta(hours=2)):
                await run(
                    "INSERT INTO outbox_message (kind, to_phone, body, due_at) "
                    "VALUES ({}, {}, {}, {})",
                    "appointment_reminder",
                    phone,
                    "x" * 140,
                    due,
                )
            await run(
                "INSERT INTO audit_log (at, actor_kind, action, entity) "
                "VALUES ({}, 'resident', 'appointment.book', 'appointment')",
                BENCH_NOW,
            )

    return len(slots) / await bounded(len(slots), concurrency, booking)


async def in_process(slots: list[Any], concurrency: int) -> float:
    from booking.services.appointments import BookingRequest, Links, book
    from booking.services.residents import identity

    async def one(n: int) -> None:
        spec, slot = slots[n]
        await book(
            BookingRequest(
                service_id=spec.id,
                venue_id=slot.venue_id,
                counsellor_id=slot.counsellor_id,
                start=slot.start,
                person=identity(
                    first_name=f"Direct{n}", last_name="Banc", phone=f"+336{30_000_000 + n:08d}"
                ),
            ),
            now=BENCH_NOW,
            links=Links("http://127.0.0.1:8000"),
        )

    return len(slots) / await bounded(len(slots), concurrency, one)
