"""Apply the committed migrations of every app (idempotent)."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards


class MigrationFailed(RuntimeError):
    pass


async def migrate(*, quiet: bool = True) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all")
    if not result.success:
        raise MigrationFailed(f"migrations failed: {result.message}\n{out.getvalue()}")
