"""Calendar feeds: build time of a 2,000-event counsellor feed, and the 304 path over HTTP.

    python -m bench.feeds [--db sqlite|postgres] [--events 2000] [--seconds 2]

(1) In-process: the median time to build the private feed of a counsellor holding
``--events`` events (the feed's queries, rows to events, serialization), and our serializer
alone, against ``icalendar``'s own serialization of the same events (components built with
its API, ``add_missing_timezones()``, ``to_ical()``), measured in the same run.
(2) Over HTTP, on a real uvicorn server on 127.0.0.1 (one worker, in a subprocess): the rate
of conditional GETs answered ``304 Not Modified`` against ``/health``, from the same load
client (keep-alive connections, ``--concurrency``), measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import time
from datetime import date, timedelta
from datetime import time as day_time
from typing import Any

from bench.common import (
    BENCH_NOW,
    BenchDatabase,
    Progress,
    add_db_argument,
    analyze,
    bench_database,
    close,
    heading,
    line,
    median,
    open_migrated,
    timed_runs,
    verdict,
)
from bench.http_load import Connection, running_server

TARGET_BUILD_RATIO = 1.5
SESSION_SHARE = 20  # one event in twenty is a workshop session the counsellor animates
BASE_URL = "https://rdv.example.fr"


TABLES = (
    "Appointment",
    "Commune",
    "Convention",
    "ConventionCommune",
    "ConventionCounsellor",
    "Counsellor",
    "Resident",
    "Service",
    "Venue",
    "WorkshopAnimator",
    "WorkshopSeries",
    "WorkshopSession",
)


def tables() -> Any:
    import booking.tables as module

    return argparse.Namespace(**{name: getattr(module, name) for name in TABLES})


async def seed_world() -> dict[str, Any]:
    """A commune, its convention, a venue, a service and 200 residents."""
    t = tables()
    commune = t.Commune(
        insee_code="22382",
        name="La Vicomté-sur-Rance",
        postcode="22690",
        slug="la-vicomte-sur-rance",
        timezone="Europe/Paris",
    )
    await commune.save()
    convention = t.Convention(name="Convention de la Rance", slug="rance", seat_commune=commune.id)
    await convention.save()
    await t.ConventionCommune(convention=convention.id, commune=commune.id).save()
    venue = t.Venue(
        commune=commune.id,
        name="Médiathèque",
        slug="mediatheque",
        address="2 rue de la Mairie, 22690 La Vicomté-sur-Rance",
    )
    await venue.save()
    service = t.Service(
        convention=convention.id,
        slug="demarches",
        horizon_days=60,
        public_label="Démarches administratives en ligne",
    )
    await service.save()
    await t.Resident.insert(
        *[
            t.Resident(first_name=f"Prénom{i}", last_name=f"Nom{i}", phone=f"+336{i:08d}")
            for i in range(200)
        ]
    )
    residents = [r["id"] for r in await t.Resident.select(t.Resident.id)]
    return {
        "convention": convention.id,
        "venue": venue.id,
        "service": service.id,
        "residents": residents,
    }


async def seed_counsellor(world: dict[str, Any], name: str, events: int) -> tuple[Any, str]:
    """A counsellor with ``events`` events over the feed's window (appointments, every tenth
    cancelled, and animated workshop sessions); return the feed owner and a feed token."""
    from booking.services import feeds

    t = tables()
    counsellor = t.Counsellor(first_name=name, last_name="Le Goff")
    await counsellor.save()
    await t.ConventionCounsellor(convention=world["convention"], counsellor=counsellor.id).save()
    series = t.WorkshopSeries(
        convention=world["convention"],
        venue=world["venue"],
        title="Premiers pas",
        slug=f"premiers-pas-{counsellor.id}",
        start_time=day_time(14),
        end_time=day_time(16),
        first_day=date(2026, 1, 1),
    )
    await series.save()
    await t.WorkshopAnimator(series=series.id, counsellor=counsellor.id).save()
    first = BENCH_NOW.replace(hour=0) - timedelta(days=29)
    step = timedelta(days=88) / events  # inside [today - 30 days, today + horizon]
    appointments, sessions = [], []
    for i in range(events):
        start, end = first + step * i, first + step * (i + 0.9)
        if i % SESSION_SHARE == 0:
            sessions.append(
                t.WorkshopSession(
                    series=series.id,
                    venue=world["venue"],
                    starts_at=start,
                    ends_at=end,
                    capacity=10,
                    seats_taken=i % 10,
                    updated_at=BENCH_NOW - timedelta(days=40),
                )
            )
            continue
        cancelled = i % 10 == 1
        appointments.append(
            t.Appointment(
                resident=world["residents"][i % len(world["residents"])],
                counsellor=counsellor.id,
                venue=world["venue"],
                service=world["service"],
                starts_at=start,
                ends_at=end,
                blocked_from=start,
                blocked_until=end,
                status="cancelled" if cancelled else "booked",
                sequence=1 if cancelled else 0,
                channel="phone",
                cancelled_at=BENCH_NOW - timedelta(days=2) if cancelled else None,
                created_at=BENCH_NOW - timedelta(days=40),
                updated_at=BENCH_NOW - timedelta(days=3),
                manage_token_hash=secrets.token_hex(32),
                manage_token_expires_at=end,
            )
        )
    for rows, table in ((appointments, t.Appointment), (sessions, t.WorkshopSession)):
        for at in range(0, len(rows), 500):
            await table.insert(*rows[at : at + 500])
    token = await feeds.rotate_token(int(counsellor.id), now=BENCH_NOW, actor_id=None)
    return feeds.FeedOwner(int(counsellor.id), name, "Le Goff"), token


def icalendar_serialization(feed: Any) -> bytes:
    """The same calendar written with icalendar's own API (what a feed built on it costs)."""
    from zoneinfo import ZoneInfo

    import icalendar

    calendar = icalendar.Calendar()
    meta = feed.meta
    for name, value in (
        ("VERSION", "2.0"),
        ("PRODID", meta.prodid),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        ("NAME", meta.name),
        ("X-WR-CALNAME", meta.name),
        ("DESCRIPTION", meta.description),
        ("X-WR-CALDESC", meta.description),
        ("X-WR-TIMEZONE", "Europe/Paris"),
    ):
        calendar.add(name, value)
    calendar.add("REFRESH-INTERVAL", meta.refresh, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", meta.refresh)
    for item in feed.events:
        zone = ZoneInfo(item.tz)
        event = icalendar.Event()
        event.add("UID", item.uid)
        event.add("DTSTAMP", feed.changed_at)
        event.add("DTSTART", item.start.astimezone(zone))
        event.add("DTEND", item.end.astimezone(zone))
        event.add("SUMMARY", item.summary)
        event.add("LOCATION", item.location)
        event.add("DESCRIPTION", item.description)
        event.add("URL", item.url)
        event.add("STATUS", item.status)
        event.add("SEQUENCE", item.sequence)
        if item.created is not None:
            event.add("CREATED", item.created)
        event.add("LAST-MODIFIED", item.last_modified or feed.changed_at)
        event.add("CATEGORIES", list(item.categories))
        event.add("TRANSP", "TRANSPARENT" if item.transparent else "OPAQUE")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def sync_runs(fn: Any, *, repeat: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


async def build_times(owner: Any, repeat: int) -> None:
    import icalendar

    from booking.services.feed_model import FeedLinks
    from booking.services.feeds import counsellor_feed
    from calendars.ical_build import build_calendar

    links = FeedLinks(BASE_URL)

    async def full() -> bytes:
        return (await counsellor_feed(owner, now=BENCH_NOW, links=links)).body()

    feed = await counsellor_feed(owner, now=BENCH_NOW, links=links)
    ours = feed.body()
    theirs = icalendar_serialization(feed)
    assert len(icalendar.Calendar.from_ical(ours).events) == len(feed.events)
    built = median(await timed_runs(full, repeat=repeat))
    serialized = median(
        sync_runs(
            lambda: build_calendar(feed.meta, feed.events, now=feed.changed_at), repeat=repeat
        )
    )
    reference = median(sync_runs(lambda: icalendar_serialization(feed), repeat=max(3, repeat // 3)))
    heading(f"Build a {len(feed.events)}-event counsellor feed (in-process, median)")
    line(
        f"icalendar serialization of the same events ({len(theirs) // 1024} KiB)",
        f"{reference:8.1f} ms",
    )
    line(
        f"our serializer alone ({len(ours) // 1024} KiB)",
        f"{serialized:8.1f} ms  ratio {serialized / reference:5.2f}x",
    )
    ratio = built / reference
    line(
        "our whole feed: queries + rows to events + serialization",
        f"{built:8.1f} ms  ratio {ratio:5.2f}x",
    )
    line(
        f"target: whole feed < {TARGET_BUILD_RATIO}x icalendar's serialization",
        verdict(ratio < TARGET_BUILD_RATIO),
    )


async def _request(
    conn: Connection, path: str, headers: dict[str, str]
) -> tuple[int, dict[str, str]]:
    """One keep-alive request with extra headers; the body is read and dropped."""
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    conn.writer.write(head.encode() + b"\r\n")
    status = int((await conn.reader.readline()).split()[1])
    found: dict[str, str] = {}
    while (raw := await conn.reader.readline()) not in (b"\r\n", b""):
        name, _, value = raw.decode("latin-1").partition(":")
        found[name.strip().lower()] = value.strip()
    await conn.reader.readexactly(int(found.get("content-length", "0")))
    return status, found


async def rate(
    port: int,
    path: str,
    headers: dict[str, str],
    expected: int,
    *,
    concurrency: int,
    seconds: float,
) -> float:
    counts: list[int] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        conn = await Connection.open(port)
        done = 0
        try:
            while time.perf_counter() < deadline:
                status, _ = await _request(conn, path, headers)
                if status != expected:
                    raise RuntimeError(f"{path}: {status}, expected {expected}")
                done += 1
        finally:
            counts.append(done)
            await conn.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return sum(counts) / (time.perf_counter() - began)


async def conditional_rate(port: int, token: str, args: argparse.Namespace) -> float:
    """Requests per second of conditional GETs of a feed answered 304 (median of rounds)."""
    path = f"/feeds/counsellor/{token}.ics"
    conn = await Connection.open(port)
    try:
        status, headers = await _request(conn, path, {})
    finally:
        await conn.close()
    assert status == 200, status
    conditional = {"If-None-Match": headers["etag"]}
    return median(
        [
            await rate(
                port, path, conditional, 304, concurrency=args.concurrency, seconds=args.seconds
            )
            for _ in range(args.rounds)
        ]
    )


async def not_modified_rates(
    db: BenchDatabase, tokens: dict[int, str], args: argparse.Namespace
) -> None:
    async with running_server(db) as port:
        health = median(
            [
                await rate(
                    port, "/health", {}, 200, concurrency=args.concurrency, seconds=args.seconds
                )
                for _ in range(args.rounds)
            ]
        )
        rates = {
            events: await conditional_rate(port, token, args) for events, token in tokens.items()
        }
    heading(
        f"HTTP on uvicorn 127.0.0.1 (1 worker, {args.concurrency} keep-alive connections, "
        f"median of {args.rounds} x {args.seconds:g} s)"
    )
    line("GET /health", f"{health:8.0f} req/s")
    for events, found in rates.items():
        line(
            f"conditional GET of a {events}-event feed -> 304",
            f"{found:8.0f} req/s  ratio {found / health:5.3f}x",
        )


async def bench(db: BenchDatabase, args: argparse.Namespace) -> None:
    progress = Progress()
    await open_migrated()
    try:
        small = max(1, args.events // 10)
        progress(f"seeding counsellors with {args.events} and {small} events ({db.engine})")
        world = await seed_world()
        owner, token = await seed_counsellor(world, "Camille", args.events)
        _, small_token = await seed_counsellor(world, "Dominique", small)
        await analyze()
        progress("building feeds")
        await build_times(owner, args.repeat)
    finally:
        await close()
    progress("starting uvicorn")
    await not_modified_rates(db, {args.events: token, small: small_token}, args)
    progress("done")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_db_argument(parser)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=9, help="timed builds (median)")
    parser.add_argument("--seconds", type=float, default=1.5, help="per throughput round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with bench_database(args.db, keep=args.keep) as db, contextlib.suppress(KeyboardInterrupt):
        asyncio.run(bench(db, args))


if __name__ == "__main__":
    main()
