"""Automatic promotion from the waiting list when seats free up.

The next waitlisted registration (by id: arrival order) that fits the free seats is offered
them: its rows become ``offered`` (they hold the seats) until ``offer_expires_at``, and an
SMS carries the link to confirm. A whole-*parcours* registration is offered only when every
one of its waitlisted sessions still open for promotion has room (all or nothing). Nothing
is offered inside the series' cut-off or after a session started.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from booking.services import audit, workshop_notify
from booking.services.workshop_links import WorkshopLinks
from booking.services.workshop_seats import OFFERED, WAITLISTED, lock_series, take_seats
from booking.tables import Registration, WorkshopSeries


async def promote(
    series_id: int, touched: Iterable[int], *, now: datetime, links: WorkshopLinks
) -> list[int]:
    """Offer the free seats of the ``touched`` sessions; returns the offered row ids.

    Call inside ``write_transaction()``: the series' sessions are (re)locked here, in order.
    """
    series = (
        await WorkshopSeries.select(WorkshopSeries.offer_minutes, WorkshopSeries.cutoff_minutes)
        .where(WorkshopSeries.id == series_id)
        .first()
    )
    if series is None:
        return []
    cutoff = timedelta(minutes=series["cutoff_minutes"])
    offer = timedelta(minutes=series["offer_minutes"])
    sessions = await lock_series(series_id)
    free = {sid: state.seats_left for sid, state in sessions.items()}

    def open_(session_id: int) -> bool:
        state = sessions.get(session_id)
        return state is not None and state.open_for_promotion(now, cutoff)

    offered: list[int] = []
    for session_id in sorted(set(touched)):
        if not open_(session_id) or free[session_id] <= 0:
            continue
        waiting = (
            await Registration.select(
                Registration.id,
                Registration.group_key,
                Registration.party_size,
                Registration.resident,
            )
            .where((Registration.session == session_id) & (Registration.status == WAITLISTED))
            .order_by(Registration.id)
        )
        for candidate in waiting:
            if free[session_id] <= 0:
                break
            if candidate["party_size"] > free[session_id]:
                continue
            group = await Registration.select(
                Registration.id, Registration.session, Registration.party_size
            ).where(
                (Registration.group_key == candidate["group_key"])
                & (Registration.status == WAITLISTED)
            )
            targets = [row for row in group if open_(row["session"])]
            if any(row["party_size"] > free[row["session"]] for row in targets):
                continue
            expires = min(now + offer, *(sessions[row["session"]].starts_at for row in targets))
            for row in targets:
                if not await take_seats(row["session"], row["party_size"], now):
                    raise RuntimeError("seat counter out of step with its locked row")
                free[row["session"]] -= row["party_size"]
            ids = [row["id"] for row in targets]
            await Registration.update(
                {Registration.status: OFFERED, Registration.offer_expires_at: expires}
            ).where(Registration.id.is_in(ids))
            await _tell(
                candidate["resident"],
                candidate["group_key"],
                targets,
                expires,
                now=now,
                links=links,
            )
            await audit.record(
                at=now,
                actor_kind="system",
                actor_id=None,
                action="registration.offer",
                entity="registration",
                entity_id=min(ids),
                rows=len(ids),
                expires_at=expires.isoformat(),
            )
            offered.extend(ids)
    return offered


async def _tell(
    resident_id: int,
    group_key: str,
    targets: list[dict[str, int]],
    expires: datetime,
    *,
    now: datetime,
    links: WorkshopLinks,
) -> None:
    facts = await workshop_notify.session_facts(row["session"] for row in targets)
    first = min(targets, key=lambda row: facts[row["session"]].start)
    to = (await workshop_notify.recipients([resident_id]))[resident_id]
    await workshop_notify.offer_made(
        first["id"],
        facts[first["session"]],
        to,
        expires=expires,
        link=links.manage(group_key),
        now=now,
    )
