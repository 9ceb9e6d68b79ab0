"""What a resident sees behind their management link (no names: the link is enough)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from booking.auth.secrets import hash_token
from booking.db import aware
from booking.errors import NotFound
from booking.services.workshop_seats import ACTIVE, CANCELLED, CONFIRMED, OFFERED, WAITLISTED
from booking.tables import Registration

INVALID = "Ce lien n'est pas valide ou a expiré."


@dataclass(frozen=True, slots=True)
class RegistrationRow:
    id: int
    session_id: int
    status: str
    party_size: int
    offer_expires_at: datetime | None
    starts_at: datetime
    ends_at: datetime
    session_status: str
    place: str
    address: str
    commune: str
    tz: str


@dataclass(frozen=True, slots=True)
class RegistrationView:
    group_key: str
    series_id: int
    series_title: str
    rows: tuple[RegistrationRow, ...]

    def offer_open(self, now: datetime) -> datetime | None:
        """When the open offer ends, if one is waiting for confirmation."""
        ends = [
            r.offer_expires_at
            for r in self.rows
            if r.status == OFFERED and r.offer_expires_at and r.offer_expires_at > now
        ]
        return min(ends) if ends else None

    def cancellable(self, now: datetime) -> bool:
        return any(
            r.status in ACTIVE and r.starts_at > now and r.session_status != CANCELLED
            for r in self.rows
        )

    def summary(self) -> str:
        statuses = {r.status for r in self.rows if r.session_status != CANCELLED}
        for status in (OFFERED, CONFIRMED, WAITLISTED):
            if status in statuses:
                return status
        return next(iter(statuses), CANCELLED)


async def group_rows(group_key: str) -> list[dict[str, Any]]:
    return (
        await Registration.select(Registration.id, Registration.session)
        .where(Registration.group_key == group_key)
        .order_by(Registration.session.starts_at)
    )


async def by_token(token: str, now: datetime) -> RegistrationView:
    if not token or len(token) > 64:
        raise NotFound(INVALID)
    rows = (
        await Registration.select(
            Registration.id,
            Registration.session,
            Registration.status,
            Registration.party_size,
            Registration.offer_expires_at,
            Registration.group_key,
            Registration.manage_token_expires_at,
            Registration.session.starts_at.as_alias("starts_at"),
            Registration.session.ends_at.as_alias("ends_at"),
            Registration.session.status.as_alias("session_status"),
            Registration.session.series.as_alias("series_id"),
            Registration.session._.series._.title.as_alias("title"),
            Registration.session._.venue._.name.as_alias("place"),
            Registration.session._.venue._.address.as_alias("address"),
            Registration.session._.venue._.commune._.name.as_alias("commune"),
            Registration.session._.venue._.commune._.timezone.as_alias("tz"),
        )
        .where(Registration.manage_token_hash == hash_token(token))
        .order_by(Registration.session.starts_at)
    )
    if not rows or aware(rows[0]["manage_token_expires_at"]) < now:
        raise NotFound(INVALID)
    return RegistrationView(
        group_key=rows[0]["group_key"],
        series_id=rows[0]["series_id"],
        series_title=rows[0]["title"],
        rows=tuple(
            RegistrationRow(
                id=r["id"],
                session_id=r["session"],
                status=r["status"],
                party_size=r["party_size"],
                offer_expires_at=aware(r["offer_expires_at"]) if r["offer_expires_at"] else None,
                starts_at=aware(r["starts_at"]),
                ends_at=aware(r["ends_at"]),
                session_status=r["session_status"],
                place=r["place"],
                address=r["address"],
                commune=r["commune"],
                tz=r["tz"],
            )
            for r in rows
        ),
    )


async def waitlist_positions(view: RegistrationView) -> dict[int, int]:
    """Place in line (1 = next) of each waitlisted row of the registration."""
    positions = {}
    for row in view.rows:
        if row.status == WAITLISTED and row.session_status != CANCELLED:
            positions[row.id] = await Registration.count().where(
                (Registration.session == row.session_id)
                & (Registration.status == WAITLISTED)
                & (Registration.id <= row.id)
            )
    return positions
