"""Serve Créneau for the browser tests: a fresh demo database and a clock the tests set.

Run as ``python -m tests.e2e.server --port N --data-dir DIR --database-url URL``. The clock
reads an ISO instant from ``DIR/clock.txt`` at each call (the tests move time by writing
it); without the file it stays at ``START``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # a Monday morning in Paris


class FileClock:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self) -> datetime:
        try:
            return datetime.fromisoformat(self.path.read_text().strip())
        except (OSError, ValueError):
            return START


async def serve(port: int, data_dir: Path) -> None:
    import uvicorn

    from booking.app import create_app
    from booking.db import close_engine, open_engine
    from booking.demo import seed_demo
    from booking.migrate import migrate
    from booking.settings import load_settings

    settings = load_settings()
    opened = await open_engine()
    await migrate()
    await seed_demo(today=START.date())
    if opened:
        await close_engine()
    app = create_app(settings, clock=FileClock(data_dir / "clock.txt"))
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", access_log=False
    )
    await uvicorn.Server(config).serve()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "CRENEAU_DATA_DIR": str(args.data_dir),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{args.port}",
            "CRENEAU_DISPATCHER": "off",
            "CRENEAU_ENV": "test",
            "PICCOLO_CONF": "booking.piccolo_conf",
            # Every test comes from 127.0.0.1 at the same frozen hour: lift the abuse limits.
            "CRENEAU_BOOKING_RATE_PER_HOUR": "10000",
            "CRENEAU_BOOKING_RATE_PER_PHONE_DAY": "10000",
            "CRENEAU_STAFF_RATE_PER_HOUR": "10000",
            "CRENEAU_SMS_DAILY_CAP": "10000",
        }
    )
    asyncio.run(serve(args.port, args.data_dir))


if __name__ == "__main__":
    main()
