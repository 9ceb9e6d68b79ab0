"""Fixed-window rate limits shared by every process (one upsert per hit, both engines)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from piccolo.querystring import QueryString

from booking.db import engine
from booking.errors import RateLimited

UPSERT = (
    "INSERT INTO rate_counter (key, window_start, hits) VALUES ({}, {}, 1) "
    "ON CONFLICT (key) DO UPDATE SET "
    "hits = CASE WHEN rate_counter.window_start = excluded.window_start "
    "THEN rate_counter.hits + 1 ELSE 1 END, window_start = excluded.window_start "
    "RETURNING hits"
)


def counter_key(kind: str, subject: str) -> str:
    """Subjects (addresses, phone numbers) are hashed: no personal data in the table."""
    return f"{kind}:{hashlib.sha256(subject.encode()).hexdigest()[:40]}"


async def hit(kind: str, subject: str, *, limit: int, window: timedelta, now: datetime) -> int:
    """Count one hit; raise RateLimited past ``limit`` hits in the current window."""
    seconds = int(window.total_seconds())
    window_start = datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, now.tzinfo)
    rows = await engine().run_querystring(
        QueryString(UPSERT, counter_key(kind, subject), window_start))
    hits = int(rows[0]["hits"])
    if hits > limit:
        raise RateLimited("Trop de demandes en peu de temps. Réessayez un peu plus tard, "
                          "ou appelez votre mairie.")
    return hits
