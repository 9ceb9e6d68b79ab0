"""Waiting-list offers: the resident confirms in time, or the offer expires and passes on.

``expire_offers(now)`` is meant for a periodic job (every minute or so).
"""

from __future__ import annotations

from datetime import datetime

from booking.db import aware, write_transaction
from booking.errors import OfferExpired
from booking.services import audit, workshop_notify
from booking.services.registration_view import by_token
from booking.services.workshop_links import WorkshopLinks, links_from_settings
from booking.services.workshop_seats import (
    CONFIRMED,
    EXPIRED,
    OFFERED,
    SCHEDULED,
    WAITLISTED,
    lock_series,
    release_seats,
)
from booking.services.workshop_waitlist import promote
from booking.tables import Registration
from notifications.templates import MessageKind


async def confirm_offer(token: str, *, now: datetime, links: WorkshopLinks) -> int:
    """Confirm the seats offered behind this link; returns how many rows were confirmed
    (0 when they already were)."""
    view = await by_token(token, now)
    async with write_transaction():
        await lock_series(view.series_id)
        rows = await Registration.select(
            Registration.id,
            Registration.session,
            Registration.offer_expires_at,
            Registration.resident,
            Registration.channel,
        ).where((Registration.group_key == view.group_key) & (Registration.status == OFFERED))
        if not rows:
            if any(r.status == CONFIRMED for r in view.rows):
                return 0
            raise OfferExpired(
                "Cette proposition n'est plus valable : la place a été "
                "proposée à la personne suivante."
            )
        if any(aware(r["offer_expires_at"]) <= now for r in rows):
            raise OfferExpired("Le délai pour confirmer cette place est passé.")
        ids = [r["id"] for r in rows]
        await Registration.update(
            {Registration.status: CONFIRMED, Registration.offer_expires_at: None}
        ).where(Registration.id.is_in(ids) & (Registration.status == OFFERED))
        await workshop_notify.drop_pending(
            ids, reason="offer confirmed", kinds=[MessageKind.WAITLIST_OFFER.value]
        )
        facts = await workshop_notify.session_facts(r["session"] for r in rows)
        resident = rows[0]["resident"]
        to = (await workshop_notify.recipients([resident]))[resident]
        await workshop_notify.registration_confirmed(
            [(r["id"], facts[r["session"]]) for r in rows],
            to,
            channel=rows[0]["channel"],
            now=now,
            link=links.manage(view.group_key),
        )
        await audit.record(
            at=now,
            actor_kind="resident",
            actor_id=None,
            action="registration.confirm_offer",
            entity="registration",
            entity_id=min(ids),
            rows=len(ids),
        )
    return len(ids)


async def expire_offers(now: datetime, links: WorkshopLinks | None = None) -> int:
    """Expire the offers not confirmed in time and offer their seats to the next in line,
    then offer any seat left free while someone who fits waits (see ``offer_free_seats``).
    Returns how many registration rows expired. One transaction per series."""
    if links is None:
        from booking.settings import load_settings

        links = links_from_settings(load_settings())
    due = await Registration.select(Registration.session.series.as_alias("series")).where(
        (Registration.status == OFFERED) & (Registration.offer_expires_at <= now)
    )
    total = 0
    for series_id in sorted({row["series"] for row in due}):
        async with write_transaction():
            await lock_series(series_id)
            rows = await Registration.select(
                Registration.id,
                Registration.session,
                Registration.party_size,
            ).where(
                (Registration.status == OFFERED)
                & (Registration.offer_expires_at <= now)
                & (Registration.session.series == series_id)
            )
            if not rows:
                continue
            ids = [r["id"] for r in rows]
            await Registration.update({Registration.status: EXPIRED}).where(
                Registration.id.is_in(ids) & (Registration.status == OFFERED)
            )
            for row in rows:
                await release_seats(row["session"], row["party_size"], now)
            await workshop_notify.drop_pending(ids, reason="offer expired")
            await promote(series_id, {r["session"] for r in rows}, now=now, links=links)
            await audit.record(
                at=now,
                actor_kind="system",
                actor_id=None,
                action="registration.expire_offer",
                entity="registration",
                entity_id=min(ids),
                rows=len(ids),
            )
            total += len(ids)
    await offer_free_seats(now, links)
    return total


async def offer_free_seats(now: datetime, links: WorkshopLinks) -> int:
    """Safety net: free seats in upcoming sessions that have a waiting list go through
    promotion again. This catches, for instance, a whole-*parcours* registration that waited
    only for a session which has now taken place. Returns how many rows were offered."""
    rows = await Registration.select(
        Registration.session,
        Registration.session._.series.as_alias("series"),
        Registration.session._.seats_taken.as_alias("taken"),
        Registration.session._.capacity.as_alias("capacity"),
    ).where(
        (Registration.status == WAITLISTED)
        & (Registration.session._.status == SCHEDULED)
        & (Registration.session._.starts_at > now)
    )
    by_series: dict[int, set[int]] = {}
    for row in rows:
        if row["taken"] < row["capacity"]:
            by_series.setdefault(row["series"], set()).add(row["session"])
    offered = 0
    for series_id, sessions in sorted(by_series.items()):
        async with write_transaction():
            offered += len(await promote(series_id, sessions, now=now, links=links))
    return offered
