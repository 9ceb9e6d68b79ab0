"""Residents: identity checks, lookup by phone (the phone desk's first question)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.columns import Column

from booking.errors import InvalidInput
from booking.phones import normalise_mobile
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


async def upsert(person: Identity, now: datetime) -> int:
    """The resident with this phone and name (case-insensitive), created if new.

    A family may share one mobile: the same phone with another name is another resident.
    """
    candidates = await Resident.objects().where(
        (Resident.phone == person.phone) & Resident.anonymised_at.is_null())
    for existing in candidates:
        if (existing.first_name.casefold() == person.first_name.casefold()
                and existing.last_name.casefold() == person.last_name.casefold()):
            values: dict[Column | str, Any] = {Resident.last_activity_at: now,
                                               Resident.sms_consent: person.sms_consent}
            if person.email:
                values[Resident.email] = person.email
            await Resident.update(values).where(Resident.id == existing.id)
            return int(existing.id)
    resident = Resident(first_name=person.first_name, last_name=person.last_name,
                        phone=person.phone, email=person.email, sms_consent=person.sms_consent,
                        commune=person.commune_id, created_at=now, last_activity_at=now)
    await resident.save()
    return int(resident.id)
