"""Tell every process when availability may have changed, from the database itself.

Triggers on each table the slot search reads (``booking.services.slot_search``) announce a
change: on PostgreSQL a ``pg_notify('creneau_availability')`` per statement, delivered to the
listening processes when the transaction commits; on SQLite (one process) a counter in
``availability_generation``, bumped in the writing transaction. Being in the database, they
fire for every writer: use cases, imports, the command line, a psql session.

For the two hot tables only the columns the search reads count, so a workshop registration
(``seats_taken``) or an appointment's outcome does not empty the caches. On PostgreSQL an
appointment names its counsellor (payload ``counsellor:ID``, for the old and the new row):
a booking then only drops the searches that involve that counsellor.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T02:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "availability change triggers (slot caches)"

# table -> the columns whose update matters (None: any column)
WATCHED: dict[str, tuple[str, ...] | None] = {
    "appointment": ("counsellor", "status", "blocked_from", "blocked_until"),
    "workshop_session": ("series", "status", "starts_at", "ends_at"),
    "workshop_animator": None,
    "absence": None,
    "venue_closure": None,
    "availability_rule": None,
    "venue": None,
    "commune": None,
    "counsellor": None,
    "convention_commune": None,
    "convention_counsellor": None,
    "service": None,
}

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION creneau_availability_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('creneau_availability', '');
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


POSTGRES_COUNSELLOR_FUNCTION = """
CREATE OR REPLACE FUNCTION creneau_counsellor_time_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('creneau_availability', 'counsellor:' || OLD.counsellor);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify('creneau_availability', 'counsellor:' || NEW.counsellor);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
PER_COUNSELLOR = ("appointment",)  # PostgreSQL: one notification per counsellor touched


def _update_clause(columns: tuple[str, ...] | None) -> str:
    return "UPDATE" + (f" OF {', '.join(columns)}" if columns else "")


def postgres_statements() -> list[str]:
    statements = [POSTGRES_FUNCTION, POSTGRES_COUNSELLOR_FUNCTION]
    for table, columns in WATCHED.items():
        rows = f"INSERT OR DELETE OR {_update_clause(columns)}"
        if table in PER_COUNSELLOR:
            statements += [
                f"CREATE TRIGGER {table}_counsellor_time_changed AFTER {rows} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION creneau_counsellor_time_changed()",
                f"CREATE TRIGGER {table}_availability_changed AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION creneau_availability_changed()",
            ]
        else:
            statements.append(
                f"CREATE TRIGGER {table}_availability_changed AFTER {rows} OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION creneau_availability_changed()"
            )
    return statements


def sqlite_statements() -> list[str]:
    statements = [
        "CREATE TABLE availability_generation (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "n INTEGER NOT NULL)",
        "INSERT INTO availability_generation (id, n) VALUES (1, 0)",
    ]
    bump = "BEGIN UPDATE availability_generation SET n = n + 1 WHERE id = 1; END"
    for table, columns in WATCHED.items():
        for event in ("INSERT", "DELETE", _update_clause(columns)):
            name = f"{table}_{event.split()[0].lower()}_availability_changed"
            statements.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} {bump}")
    return statements


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="booking", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        postgres = engine.engine_type == "postgres"
        for sql in postgres_statements() if postgres else sqlite_statements():
            await engine.run_ddl(sql)

    manager.add_raw(run)
    return manager
