"""French mobile numbers (mainland and overseas), validated and normalised to E.164. Pure."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from booking.errors import InvalidPhone

# Mainland France first, then the overseas departments and collectivities with their own
# country calling codes (a Réunion mobile is +262 692…, not +33 692…).
FRENCH_REGIONS = ("FR", "RE", "GP", "MQ", "GF", "YT", "PM", "BL", "MF", "NC", "PF", "WF")
MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
MESSAGE = ("Ce numéro de téléphone portable n'est pas valide. "
           "Indiquez un numéro français, par exemple 06 12 34 56 78.")


def normalise_mobile(raw: str) -> str:
    """The E.164 form of a French mobile number, or InvalidPhone (message in French)."""
    text = (raw or "").strip()
    if not text or len(text) > 32:
        raise InvalidPhone(MESSAGE, field="phone")
    if text.startswith("00"):
        text = "+" + text[2:]
    for region in (None,) if text.startswith("+") else FRENCH_REGIONS:
        try:
            number = phonenumbers.parse(text, region)
        except NumberParseException:
            continue
        if (
            phonenumbers.is_valid_number(number)
            and phonenumbers.region_code_for_number(number) in FRENCH_REGIONS
            and phonenumbers.number_type(number) in MOBILE_TYPES
        ):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise InvalidPhone(MESSAGE, field="phone")


def display_phone(e164: str) -> str:
    """National display (06 12 34 56 78) for staff pages."""
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
