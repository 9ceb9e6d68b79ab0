"""A digest of everything stored, table by table: a refused request must write nothing."""

from __future__ import annotations

import hashlib

from piccolo.querystring import QueryString

from tests.support.fixtures import TABLES_IN_DELETE_ORDER

# Sign-ins write these; a staff request may stamp when a token was last used.
UNWATCHED_TABLES = {"login_attempt", "staff_session"}
UNWATCHED_COLUMNS = {"api_token": {"last_used_at"}}


async def fingerprint() -> dict[str, str]:
    """A digest of every stored row, table by table."""
    from booking.db import engine

    digests = {}
    for table in TABLES_IN_DELETE_ORDER:
        if table in UNWATCHED_TABLES:
            continue
        rows = await engine().run_querystring(QueryString(f"SELECT * FROM {table}"))
        skip = UNWATCHED_COLUMNS.get(table, set())
        shown = sorted(repr(sorted((k, v) for k, v in r.items() if k not in skip)) for r in rows)
        digests[table] = hashlib.sha256("\n".join(shown).encode()).hexdigest()
    return digests


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [t for t in before if before[t] != after.get(t)]
