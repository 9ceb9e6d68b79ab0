"""The audit log: who did what to which record (ids and codes, never personal data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from booking.tables import AuditLog


async def record(
    *, at: datetime, actor_kind: str, actor_id: int | None, action: str, entity: str,
    entity_id: int | None, **detail: Any,
) -> None:
    await AuditLog(at=at, actor_kind=actor_kind, actor_id=actor_id, action=action, entity=entity,
                   entity_id=entity_id, detail=detail).save()
