"""Constraints Piccolo's auto-migrations cannot express: composite unique keys, the hot-path
indexes, and on PostgreSQL an exclusion constraint on each counsellor's booked time."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T11:34:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite keys, hot-path indexes, counsellor time exclusion"

COMMON = [
    "CREATE UNIQUE INDEX convention_commune_key ON convention_commune (convention, commune)",
    "CREATE UNIQUE INDEX convention_counsellor_key ON convention_counsellor (convention, counsellor)",
    "CREATE UNIQUE INDEX service_convention_slug_key ON service (convention, slug)",
    "CREATE UNIQUE INDEX role_assignment_key ON role_assignment"
    " (staff, role, convention, commune, counsellor)",
    "CREATE INDEX appointment_counsellor_time ON appointment (counsellor, blocked_until, blocked_from)",
    "CREATE INDEX workshop_session_time ON workshop_session (starts_at, ends_at)",
    "CREATE INDEX registration_session_status ON registration (session, status, id)",
    "CREATE INDEX venue_closure_venue_time ON venue_closure (venue, ends_at, starts_at)",
    "CREATE INDEX absence_counsellor_time ON absence (counsellor, starts_at)",
]

POSTGRES_ONLY = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE appointment ADD CONSTRAINT appointment_no_overlap EXCLUDE USING gist"
    " (counsellor WITH =, tstzrange(blocked_from, blocked_until, '[)') WITH &&)"
    " WHERE (status <> 'cancelled')",
    "ALTER TABLE workshop_session ADD CONSTRAINT workshop_session_seats"
    " CHECK (seats_taken >= 0 AND seats_taken <= capacity)",
    "ALTER TABLE appointment ADD CONSTRAINT appointment_times CHECK (ends_at > starts_at)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="booking", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        statements = COMMON + (POSTGRES_ONLY if engine.engine_type == "postgres" else [])
        for sql in statements:
            await engine.run_ddl(sql)

    manager.add_raw(run)
    return manager
