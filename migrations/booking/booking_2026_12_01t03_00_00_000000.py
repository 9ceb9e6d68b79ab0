"""Indexes of the calendar feeds' windows, so that history is not read.

A counsellor's feed reads their appointments by ``counsellor`` and ``ends_at > start``;
feeds read workshop sessions by series (the animated ones, a convention's) or by venue
(a venue's, a commune's), and ``ends_at > start``. The single-column indexes on
``counsellor``, ``series`` and ``venue`` led to every past row of the counsellor, series or
venue; these lead to the rows of the window only (``tests/integration/feeds/
test_explain_feeds.py`` shows the plans).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "feed window indexes"

STATEMENTS = [
    "CREATE INDEX appointment_counsellor_end ON appointment (counsellor, ends_at, starts_at)",
    "CREATE INDEX workshop_session_series_end ON workshop_session (series, ends_at, starts_at)",
    "CREATE INDEX workshop_session_venue_end ON workshop_session (venue, ends_at, starts_at)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="booking", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for sql in STATEMENTS:
            await engine.run_ddl(sql)

    manager.add_raw(run)
    return manager
