"""Piccolo app of the notifications tables; migrations live in ``migrations/notifications``."""

import os

from piccolo.conf.apps import AppConfig, table_finder

from migrations import MIGRATIONS_ROOT

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=os.path.join(MIGRATIONS_ROOT, "notifications"),
    table_classes=table_finder(modules=["notifications.tables"], exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
