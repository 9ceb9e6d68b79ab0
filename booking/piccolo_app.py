"""Piccolo app of the booking tables; migrations live in ``migrations/booking``."""

import os

from piccolo.conf.apps import AppConfig, table_finder

from migrations import MIGRATIONS_ROOT

APP_CONFIG = AppConfig(
    app_name="booking",
    migrations_folder_path=os.path.join(MIGRATIONS_ROOT, "booking"),
    table_classes=table_finder(modules=["booking.tables"], exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
