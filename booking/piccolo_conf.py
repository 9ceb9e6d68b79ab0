"""Piccolo configuration: the engine comes from ``DATABASE_URL`` (read when first imported).

Set ``DATABASE_URL`` before anything imports the tables: Piccolo binds each table to this
engine at import time.
"""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from booking.settings import database_url_from_env, sqlite_path


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite:///"):
        return SQLiteEngine(path=sqlite_path(database_url), timeout=60)
    dsn = database_url.replace("postgres://", "postgresql://", 1)
    return PostgresEngine(config={"dsn": dsn})


DB = make_engine(database_url_from_env())

APP_REGISTRY = AppRegistry(
    apps=["booking.piccolo_app", "notifications.piccolo_app"]
)
