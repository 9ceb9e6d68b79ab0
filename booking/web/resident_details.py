"""The resident's details form (name, mobile, e-mail, SMS consent): every field checked at once."""

from __future__ import annotations

from typing import Any

from booking.phones import normalise_mobile
from booking.services.residents import Identity, clean_email, clean_name, identity
from booking.web.forms import FieldErrors


def details_errors(values: dict[str, Any]) -> FieldErrors:
    """Each field's own message, so the resident fixes everything in one go."""
    errors = FieldErrors()
    with errors.collect("first_name"):
        clean_name(values["first_name"], "first_name", "prénom")
    with errors.collect("last_name"):
        clean_name(values["last_name"], "last_name", "nom")
    with errors.collect("phone"):
        normalise_mobile(values["phone"])
    with errors.collect("email"):
        clean_email(values["email"])
    return errors


def person_from(values: dict[str, Any]) -> Identity:
    return identity(
        first_name=values["first_name"],
        last_name=values["last_name"],
        phone=values["phone"],
        email=values["email"],
        sms_consent=bool(values["sms_consent"]),
    )
