"""Register for a workshop session or a whole *parcours*; cancel; confirm or expire offers.

Seats are taken under the session row locks (``workshop_seats``): never more seats than
capacity. A registration that does not fit joins the waiting list (arrival order = id); a
whole-*parcours* registration takes a seat in every open session or in none (then it waits
in all of them). Freed seats go to the waiting list (``workshop_waitlist.promote``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from booking.auth.secrets import hash_token
from booking.db import write_transaction
from booking.errors import (
    AlreadyRegistered,
    CutoffPassed,
    InvalidInput,
    NotFound,
    SessionFull,
)
from booking.services import audit, workshop_notify
from booking.services.registration_view import RegistrationView, by_token
from booking.services.residents import Identity, upsert
from booking.services.workshop_cancel import cancel_by_resident, cancel_by_staff
from booking.services.workshop_links import WorkshopLinks, new_group_key
from booking.services.workshop_offers import confirm_offer, expire_offers
from booking.services.workshop_seats import (
    ACTIVE,
    CONFIRMED,
    SCHEDULED,
    WAITLISTED,
    SessionState,
    lock_sessions,
    take_seats,
)
from booking.tables import Registration, WorkshopSeries, WorkshopSession

__all__ = [
    "Registered",
    "RegistrationRequest",
    "RegistrationView",
    "by_token",
    "cancel_by_resident",
    "cancel_by_staff",
    "confirm_offer",
    "expire_offers",
    "register",
]

CHANNELS = ("online", "phone", "desk")
MAX_PARTY = 3
LINK_GRACE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class RegistrationRequest:
    series_id: int
    person: Identity
    session_id: int | None = None  # None: the whole parcours
    party_size: int = 1
    channel: str = "online"
    staff_id: int | None = None


@dataclass(frozen=True, slots=True)
class Registered:
    status: str  # confirmed | waitlisted
    registration_ids: tuple[int, ...]
    session_ids: tuple[int, ...]
    manage_token: str
    waitlist_position: int | None  # in the first session, 1 = next in line


def _check_request(req: RegistrationRequest) -> None:
    if req.channel not in CHANNELS:
        raise InvalidInput("Canal d'inscription inconnu.", field="channel")
    if req.channel != "online" and req.staff_id is None:
        raise InvalidInput("Seul un professionnel inscrit par téléphone.", field="channel")
    if not 1 <= req.party_size <= MAX_PARTY:
        raise InvalidInput(
            f"Vous pouvez venir à {MAX_PARTY} personnes au plus.", field="party_size"
        )


async def _candidates(req: RegistrationRequest, staff: bool) -> tuple[dict[str, Any], list[int]]:
    series = await WorkshopSeries.select().where(WorkshopSeries.id == req.series_id).first()
    if series is None or (series["status"] != "published" and not staff):
        raise NotFound("Cet atelier n'existe pas ou n'est plus proposé.")
    mode = series["registration_mode"]
    query = WorkshopSession.select(WorkshopSession.id).where(
        (WorkshopSession.series == req.series_id) & (WorkshopSession.status == SCHEDULED)
    )
    if req.session_id is None:
        if mode == "session" and not staff:
            raise InvalidInput("Cet atelier se réserve séance par séance.", field="session_id")
    else:
        if mode == "series" and not staff:
            raise InvalidInput(
                "Ce parcours se suit en entier : inscrivez-vous au parcours.", field="session_id"
            )
        query = query.where(WorkshopSession.id == req.session_id)
    ids = [row["id"] for row in await query]
    if not ids:
        raise NotFound("Cette séance n'existe pas ou a été annulée.", field="session_id")
    return series, ids


def _open(
    sessions: dict[int, SessionState], now: datetime, cutoff: timedelta, staff: bool
) -> list[SessionState]:
    closes = timedelta(0) if staff else cutoff
    found = [s for s in sessions.values() if s.status == SCHEDULED and now < s.starts_at - closes]
    if not found:
        raise CutoffPassed(
            "Cette séance a déjà commencé."
            if staff
            else "Les inscriptions en ligne sont closes. Appelez la mairie ou votre "
            "conseiller numérique."
        )
    return sorted(found, key=lambda s: s.id)


async def register(req: RegistrationRequest, *, now: datetime, links: WorkshopLinks) -> Registered:
    """Confirmed if every requested open session has room, else waitlisted everywhere."""
    _check_request(req)
    staff = req.staff_id is not None
    series, candidate_ids = await _candidates(req, staff)
    cutoff = timedelta(minutes=int(series["cutoff_minutes"]))
    group_key = new_group_key()
    token = links.token(group_key)
    facts = await workshop_notify.session_facts(candidate_ids)
    async with write_transaction():
        resident_id = await upsert(req.person, now)
        to = (await workshop_notify.recipients([resident_id]))[resident_id]
        # From here on PostgreSQL holds the session rows: keep this part short.
        sessions = _open(await lock_sessions(candidate_ids), now, cutoff, staff)
        smallest = min(s.capacity for s in sessions)
        if req.party_size > smallest:
            raise SessionFull(f"Cet atelier compte {smallest} places au plus.", field="party_size")
        if await Registration.exists().where(
            (Registration.resident == resident_id)
            & Registration.status.is_in(list(ACTIVE))
            & Registration.session.is_in([s.id for s in sessions])
        ):
            raise AlreadyRegistered(
                "Vous êtes déjà inscrit à cet atelier. Votre lien pour "
                "gérer l'inscription figure dans le SMS reçu."
            )
        room = all(s.capacity - s.seats_taken >= req.party_size for s in sessions)
        for state in sessions if room else ():
            if not await take_seats(state.id, req.party_size, now):
                raise RuntimeError("seat counter out of step with its locked row")
        status = CONFIRMED if room else WAITLISTED
        expires = max(s.ends_at for s in sessions) + LINK_GRACE
        rows = sorted(
            await Registration.insert(
                *[
                    Registration(
                        resident=resident_id,
                        session=s.id,
                        group_key=group_key,
                        party_size=req.party_size,
                        status=status,
                        channel=req.channel,
                        created_by=req.staff_id,
                        created_at=now,
                        manage_token_hash=hash_token(token),
                        manage_token_expires_at=expires,
                    )
                    for s in sessions
                ]
            ).returning(Registration.id, Registration.session),
            key=lambda r: facts[r["session"]].start,
        )
        ids = tuple(r["id"] for r in rows)
        if room:
            await workshop_notify.registration_confirmed(
                [(r["id"], facts[r["session"]]) for r in rows],
                to,
                channel=req.channel,
                now=now,
                link=links.manage(group_key),
            )
        await audit.record(
            at=now,
            actor_kind="staff" if staff else "resident",
            actor_id=req.staff_id,
            action="registration.create",
            entity="registration",
            entity_id=ids[0],
            status=status,
            rows=len(ids),
            party_size=req.party_size,
            channel=req.channel,
        )
    # Earlier arrivals committed before this one got the lock: the count is exact.
    position = (
        None
        if room
        else await Registration.count().where(
            (Registration.session == rows[0]["session"])
            & (Registration.status == WAITLISTED)
            & (Registration.id <= rows[0]["id"])
        )
    )
    return Registered(status, ids, tuple(r["session"] for r in rows), token, position)
