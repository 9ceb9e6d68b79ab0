"""A separate process registering residents concurrently (used by the two-process race).

Usage: python -m tests.integration.workshops.register_worker SERIES SESSION|whole FIRST COUNT
DATABASE_URL and PICCOLO_CONF come from the environment. The worker prints "ready" once
connected and starts when it reads a line on stdin, so that both processes race.
"""

from __future__ import annotations

import asyncio
import json
import sys


async def main(series_id: int, session: str, first: int, count: int) -> None:
    from booking.db import close_engine, open_engine
    from booking.services.registrations import RegistrationRequest, register
    from tests.integration.workshops.conftest import LINKS, NOW, person

    await open_engine(pool_size=5)
    session_id = None if session == "whole" else int(session)
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)

    async def one(n: int) -> str:
        done = await register(
            RegistrationRequest(
                series_id=series_id,
                session_id=session_id,
                person=person(n),
                party_size=2 if n % 7 == 0 else 1,
            ),
            now=NOW,
            links=LINKS,
        )
        return done.status

    statuses = await asyncio.gather(*(one(n) for n in range(first, first + count)))
    await close_engine()
    print(
        json.dumps(
            {"confirmed": statuses.count("confirmed"), "waitlisted": statuses.count("waitlisted")}
        )
    )


if __name__ == "__main__":
    series, session, first, count = sys.argv[1:5]
    asyncio.run(main(int(series), session, int(first), int(count)))
