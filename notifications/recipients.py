"""What the SMS side needs to know and change about residents, in plain SQL.

This package never imports the booking app: it reads and writes the ``resident`` table by
column name (``sms_consent``, ``phone_status`` 'ok' | 'invalid' | 'unsubscribed'). A phone
flag concerns the number, so it is set on every resident sharing it (a family may share one
mobile).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from notifications.sender_base import PhoneFlag
from notifications.tables import OutboxMessage

RESIDENT_TABLE = "resident"


def _placeholders(count: int) -> str:
    return ", ".join(["{}"] * count)


async def _run(sql: str, *args: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await OutboxMessage.raw(sql, *args)
    return rows


async def sendable_residents(resident_ids: Iterable[int]) -> set[int]:
    """The ids, among ``resident_ids``, of residents who may receive SMS now."""
    ids = sorted(set(resident_ids))
    if not ids:
        return set()
    rows = await _run(
        f"SELECT id FROM {RESIDENT_TABLE} WHERE id IN ({_placeholders(len(ids))})"
        " AND sms_consent AND phone_status = 'ok' AND anonymised_at IS NULL",
        *ids,
    )
    return {int(row["id"]) for row in rows}


async def flag_phone(phone: str, flag: PhoneFlag) -> list[int]:
    """Record that ``phone`` is invalid or unsubscribed; returns the residents changed.

    'invalid' wins over 'unsubscribed' (an invalid number is not re-enabled by START)."""
    condition = "phone_status = 'ok'" if flag == "unsubscribed" else "phone_status <> 'invalid'"
    rows = await _run(
        f"UPDATE {RESIDENT_TABLE} SET phone_status = {{}} WHERE phone = {{}} AND {condition}"
        " RETURNING id",
        flag,
        phone,
    )
    return sorted(int(row["id"]) for row in rows)


async def opt_out(phone: str) -> list[int]:
    """STOP: no more SMS to this number (consent withdrawn, number unsubscribed)."""
    rows = await _run(
        f"UPDATE {RESIDENT_TABLE} SET sms_consent = {{}},"
        " phone_status = CASE WHEN phone_status = 'invalid' THEN 'invalid' ELSE 'unsubscribed' END"
        " WHERE phone = {} AND anonymised_at IS NULL RETURNING id",
        False,
        phone,
    )
    return sorted(int(row["id"]) for row in rows)


async def opt_in(phone: str) -> list[int]:
    """START: consent given again; an 'unsubscribed' number is usable again ('invalid' stays)."""
    rows = await _run(
        f"UPDATE {RESIDENT_TABLE} SET sms_consent = {{}},"
        " phone_status = CASE WHEN phone_status = 'unsubscribed' THEN 'ok' ELSE phone_status END"
        " WHERE phone = {} AND anonymised_at IS NULL RETURNING id",
        True,
        phone,
    )
    return sorted(int(row["id"]) for row in rows)
