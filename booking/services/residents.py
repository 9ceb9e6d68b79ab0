"""Residents: identity checks, lookup by phone (the phone desk's first question)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from booking.errors import InvalidInput
from booking.phones import normalise_mobile
from booking.services.availability_data import fetch
from booking.tables import Resident

MAX_NAME = 100


@dataclass(frozen=True, slots=True)
class Identity:
    first_name: str
    last_name: str
    phone: str  # E.164
    email: str = ""
    sms_consent: bool = True
    commune_id: int | None = None


def clean_name(value: str, field: str, label: str) -> str:
    text = " ".join(unicodedata.normalize("NFC", value or "").split())
    if not text:
        raise InvalidInput(f"Indiquez votre {label}.", field=field)
    if len(text) > MAX_NAME:
        raise InvalidInput(f"Votre {label} est trop long ({MAX_NAME} caractères au plus).",
                           field=field)
    if any(unicodedata.category(ch)[0] in "CS" and ch not in "'’" for ch in text) or any(
        ch in "<>{}[]\\/@#$%^*=_|~`\"" for ch in text
    ):
        raise InvalidInput(f"Votre {label} contient des caractères non autorisés.", field=field)
    return text


def clean_email(value: str) -> str:
    text = (value or "").strip()
    if not text:
        return ""
    local, _, domain = text.partition("@")
    if len(text) > 254 or not local or "." not in domain or any(c.isspace() for c in text):
        raise InvalidInput("Cette adresse e-mail n'est pas valide.", field="email")
    return text


def identity(
    *, first_name: str, last_name: str, phone: str, email: str = "", sms_consent: bool = True,
    commune_id: int | None = None,
) -> Identity:
    return Identity(
        first_name=clean_name(first_name, "first_name", "prénom"),
        last_name=clean_name(last_name, "last_name", "nom"),
        phone=normalise_mobile(phone),
        email=clean_email(email),
        sms_consent=sms_consent,
        commune_id=commune_id,
    )


async def find_by_phone(phone: str) -> list[Resident]:
    e164 = normalise_mobile(phone)
    return await Resident.objects().where(
        (Resident.phone == e164) & Resident.anonymised_at.is_null()
    ).order_by(Resident.last_activity_at, ascending=False)


@dataclass(frozen=True, slots=True)
class Upserted:
    """The resident a booking is for, and whether they may be texted."""

    id: int
    phone: str
    sms_ok: bool  # consent given and phone neither invalid nor opted out


FIND_SQL = (
    "SELECT id, first_name, last_name FROM resident WHERE phone = {} "
    "AND anonymised_at IS NULL ORDER BY id"
)
INSERT_SQL = (
    "INSERT INTO resident (first_name, last_name, phone, email, commune, sms_consent, "
    "phone_status, created_at, last_activity_at, anonymised_at) "
    "VALUES ({}, {}, {}, {}, {}, {}, 'ok', {}, {}, NULL) "
    "RETURNING id, phone, sms_consent, phone_status"
)


async def upsert(person: Identity, now: datetime) -> int:
    return (await upsert_row(person, now)).id


async def upsert_row(
    person: Identity, now: datetime, same_phone: Sequence[Mapping[str, Any]] | None = None
) -> Upserted:
    """The resident with this phone and name (case-insensitive), created if new, read back
    by the statement that writes it. ``same_phone``: the residents with this phone (``id``,
    ``first_name``, ``last_name``, by id) when the caller has read them already, in the
    same transaction.

    A family may share one mobile: the same phone with another name is another resident.
    """
    first, last = person.first_name.casefold(), person.last_name.casefold()
    if same_phone is None:
        same_phone = await fetch(FIND_SQL, person.phone)
    for existing in same_phone:
        if existing["first_name"].casefold() == first and existing["last_name"].casefold() == last:
            email = ", email = {}" if person.email else ""
            args = [now, person.sms_consent, *([person.email] if person.email else []),
                    existing["id"]]
            rows = await fetch(
                f"UPDATE resident SET last_activity_at = {{}}, sms_consent = {{}}{email} "
                "WHERE id = {} RETURNING id, phone, sms_consent, phone_status", *args)
            return _upserted(rows[0])
    rows = await fetch(INSERT_SQL, person.first_name, person.last_name, person.phone,
                       person.email, person.commune_id, person.sms_consent, now, now)
    return _upserted(rows[0])


def _upserted(row: Mapping[str, Any]) -> Upserted:
    return Upserted(int(row["id"]), row["phone"],
                    bool(row["sms_consent"]) and row["phone_status"] == "ok")
