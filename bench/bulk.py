"""Bulk inserts for the data generator.

Rows are plain tuples written by the driver on the connection of a Piccolo transaction,
1,000 rows per transaction: ``COPY`` on PostgreSQL (asyncpg), ``executemany`` on SQLite.
Measured on this machine, Piccolo's ``Table.insert(*objects)`` costs ~140 µs to build each
object and ~220 µs per inserted row (20,000 residents: 7.6 s); the driver path writes the
same rows several times faster, with the same adapters (Piccolo registers its SQLite
adapters globally). Explicit ids let the generator link rows without reading them back;
PostgreSQL's sequences are moved past them afterwards (``fix_sequences``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

BATCH = 1000


@dataclass
class TableRows:
    """Rows of one table, as tuples in ``columns`` order."""

    table: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def add(self, *values: Any) -> None:
        if len(values) != len(self.columns):
            raise ValueError(f"{self.table}: {len(values)} values for {len(self.columns)} columns")
        self.rows.append(values)


def batched(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _check_columns(table: str, columns: Sequence[str]) -> None:
    from piccolo.table import Table

    from booking import tables

    found = [
        t
        for t in vars(tables).values()
        if isinstance(t, type)
        and issubclass(t, Table)
        and t is not Table
        and t._meta.tablename == table
    ]
    if not found:
        raise ValueError(f"unknown table {table!r}")
    known = {c._meta.db_column_name for c in found[0]._meta.columns}
    unknown = set(columns) - known
    if unknown:
        raise ValueError(f"{table}: unknown columns {sorted(unknown)}")


async def insert_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    progress: Callable[[int], Any] | None = None,
) -> int:
    """Insert ``rows`` in transactions of ``BATCH`` rows; return how many were written."""
    from booking.db import engine, is_postgres

    _check_columns(table, columns)
    db = engine()
    postgres = is_postgres()
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    written = 0
    for chunk in batched(rows, BATCH):
        async with db.transaction():
            transaction = db.current_transaction.get()
            assert transaction is not None
            if postgres:
                await transaction.connection.copy_records_to_table(
                    table, records=chunk, columns=list(columns)
                )
            else:
                await transaction.connection.executemany(sql, chunk)
        written += len(chunk)
        if progress is not None:
            progress(written)
    return written


async def write(table_rows: TableRows) -> int:
    return await insert_rows(table_rows.table, table_rows.columns, table_rows.rows)


async def max_id(table: str) -> int:
    from booking.db import engine

    rows = await engine().run_ddl(f"SELECT COALESCE(MAX(id), 0) AS top FROM {table}")
    return int(rows[0]["top"])


async def fix_sequences(tables: Iterable[str]) -> None:
    """PostgreSQL: move each ``id`` sequence past the explicit ids written."""
    from booking.db import engine, is_postgres

    if not is_postgres():
        return
    for table in tables:
        await engine().run_ddl(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        )
