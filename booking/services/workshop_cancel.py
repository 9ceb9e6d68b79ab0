"""Cancel registration rows and pass their seats on (inside the caller's transaction)."""

from __future__ import annotations

from datetime import datetime

from booking.services import audit, workshop_notify
from booking.services.workshop_links import WorkshopLinks
from booking.services.workshop_seats import (
    ACTIVE,
    CANCELLED,
    HOLDING,
    read_sessions,
    release_seats,
)
from booking.services.workshop_waitlist import promote
from booking.tables import Registration


async def cancel_rows(
    series_id: int, *, now: datetime, by_kind: str, staff_id: int | None,
    links: WorkshopLinks, group_key: str | None = None, registration_id: int | None = None,
) -> int:
    """Cancel the active rows of a registration (``group_key``) or one row, in sessions not
    yet started; free their seats and promote the waiting list. Returns the count.

    Call inside ``write_transaction()`` after ``lock_series(series_id)``.
    """
    query = Registration.select(Registration.id, Registration.session, Registration.party_size,
                                Registration.status).where(
        Registration.status.is_in(list(ACTIVE)))
    if group_key is not None:
        query = query.where(Registration.group_key == group_key)
    if registration_id is not None:
        query = query.where(Registration.id == registration_id)
    found = await query
    sessions = await read_sessions(r["session"] for r in found)
    rows = [r for r in found if sessions[r["session"]].starts_at > now
            and sessions[r["session"]].series_id == series_id]
    if not rows:
        return 0
    ids = [r["id"] for r in rows]
    await Registration.update({
        Registration.status: CANCELLED, Registration.cancelled_at: now,
        Registration.cancelled_by_kind: by_kind, Registration.offer_expires_at: None,
    }).where(Registration.id.is_in(ids) & Registration.status.is_in(list(ACTIVE)))
    for row in rows:
        if row["status"] in HOLDING:
            await release_seats(row["session"], row["party_size"], now)
    await workshop_notify.drop_pending(ids, reason="registration cancelled")
    await promote(series_id, {r["session"] for r in rows}, now=now, links=links)
    await audit.record(at=now, actor_kind=by_kind, actor_id=staff_id,
                       action="registration.cancel", entity="registration",
                       entity_id=min(ids), rows=len(ids))
    return len(ids)
