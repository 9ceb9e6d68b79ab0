"""The audit log: who did what to which record (ids and codes, never personal data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from piccolo.utils.encoding import dump_json

from booking.services.availability_data import fetch

INSERT_SQL = (
    "INSERT INTO audit_log (at, actor_kind, actor_id, action, entity, entity_id, detail) "
    "VALUES ({}, {}, {}, {}, {}, {}, {})"
)


async def record(
    *, at: datetime, actor_kind: str, actor_id: int | None, action: str, entity: str,
    entity_id: int | None, **detail: Any,
) -> None:
    """One plain ``INSERT`` (``detail`` serialised as the ORM does), in the current
    transaction if any."""
    await fetch(INSERT_SQL, at, actor_kind, actor_id, action, entity, entity_id,
                dump_json(detail))
