"""Cancel registrations (by the resident's link or by staff) and pass their seats on."""

from __future__ import annotations

from datetime import datetime

from booking.db import write_transaction
from booking.errors import CutoffPassed, NotFound
from booking.services import audit, workshop_notify
from booking.services.registration_view import by_token
from booking.services.workshop_links import WorkshopLinks
from booking.services.workshop_seats import (
    ACTIVE,
    CANCELLED,
    HOLDING,
    lock_series,
    read_sessions,
    release_seats,
)
from booking.services.workshop_waitlist import promote
from booking.tables import Registration


async def cancel_rows(
    series_id: int,
    *,
    now: datetime,
    by_kind: str,
    staff_id: int | None,
    links: WorkshopLinks,
    group_key: str | None = None,
    registration_id: int | None = None,
) -> int:
    """Cancel the active rows of a registration (``group_key``) or one row, in sessions not
    yet started; free their seats and promote the waiting list. Returns the count.

    Call inside ``write_transaction()`` after ``lock_series(series_id)``.
    """
    query = Registration.select(
        Registration.id, Registration.session, Registration.party_size, Registration.status
    ).where(Registration.status.is_in(list(ACTIVE)))
    if group_key is not None:
        query = query.where(Registration.group_key == group_key)
    if registration_id is not None:
        query = query.where(Registration.id == registration_id)
    found = await query
    sessions = await read_sessions(r["session"] for r in found)
    rows = [
        r
        for r in found
        if sessions[r["session"]].starts_at > now and sessions[r["session"]].series_id == series_id
    ]
    if not rows:
        return 0
    ids = [r["id"] for r in rows]
    await Registration.update(
        {
            Registration.status: CANCELLED,
            Registration.cancelled_at: now,
            Registration.cancelled_by_kind: by_kind,
            Registration.offer_expires_at: None,
        }
    ).where(Registration.id.is_in(ids) & Registration.status.is_in(list(ACTIVE)))
    for row in rows:
        if row["status"] in HOLDING:
            await release_seats(row["session"], row["party_size"], now)
    await workshop_notify.drop_pending(ids, reason="registration cancelled")
    await promote(series_id, {r["session"] for r in rows}, now=now, links=links)
    await audit.record(
        at=now,
        actor_kind=by_kind,
        actor_id=staff_id,
        action="registration.cancel",
        entity="registration",
        entity_id=min(ids),
        rows=len(ids),
    )
    return len(ids)


async def cancel_by_resident(token: str, *, now: datetime, links: WorkshopLinks) -> int:
    """Cancel every still-active row of the registration behind this link (future sessions
    only); returns how many rows were cancelled."""
    view = await by_token(token, now)
    async with write_transaction():
        await lock_series(view.series_id)
        count = await cancel_rows(
            view.series_id,
            group_key=view.group_key,
            now=now,
            by_kind="resident",
            staff_id=None,
            links=links,
        )
    if not count:
        raise CutoffPassed(
            "Il n'y a plus rien à annuler : l'atelier a commencé ou l'inscription est déjà annulée."
        )
    return count


async def cancel_by_staff(
    registration_id: int,
    *,
    staff_id: int,
    now: datetime,
    links: WorkshopLinks,
    whole_group: bool = False,
) -> int:
    row = (
        await Registration.select(
            Registration.group_key, Registration.session.series.as_alias("series")
        )
        .where(Registration.id == registration_id)
        .first()
    )
    if row is None:
        raise NotFound("Cette inscription n'existe pas.")
    async with write_transaction():
        await lock_series(row["series"])
        count = await cancel_rows(
            row["series"],
            group_key=row["group_key"] if whole_group else None,
            registration_id=None if whole_group else registration_id,
            now=now,
            by_kind="staff",
            staff_id=staff_id,
            links=links,
        )
    if not count:
        raise CutoffPassed("Cette inscription n'est plus active ou la séance a commencé.")
    return count
