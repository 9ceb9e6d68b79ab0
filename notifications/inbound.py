"""What a resident's SMS asks for (pure). Case, accents and punctuation do not matter.

"ANNULER", "annuler rdv", "Annulé", "annuler mon rendez-vous svp" cancel the next
appointment; "STOP", "Arrêt", "stop sms" opt out; "START" opts back in; anything else,
including a sentence that merely contains one of these words, gets the help reply.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class InboundCommand(StrEnum):
    CANCEL = "cancel"
    STOP = "stop"
    START = "start"
    HELP = "help"


_CANCEL = frozenset({"annuler", "annule", "annulez", "annulation"})
_STOP = frozenset({"stop", "arret", "arreter", "desinscription", "unsubscribe", "stopall"})
_START = frozenset({"start", "unstop", "reprendre"})
_FILLER = frozenset(
    {
        "rdv",
        "rendez",
        "vous",
        "rendezvous",
        "mon",
        "le",
        "ma",
        "la",
        "mes",
        "les",
        "sms",
        "svp",
        "stp",
        "merci",
        "please",
        "prochain",
        "svpl",
        "s",
        "il",
        "plait",
        "bonjour",
    }
)
_WORD = re.compile(r"[a-z0-9]+")


def words(body: str) -> list[str]:
    """Lower-case ASCII words: accents removed, punctuation and spaces as separators."""
    decomposed = unicodedata.normalize("NFKD", body.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(plain)


def parse_command(body: str) -> InboundCommand:
    found = words(body)
    if not found or len(found) > 8:
        return InboundCommand.HELP
    head, rest = found[0], found[1:]
    if not all(word in _FILLER for word in rest):
        return InboundCommand.HELP
    if head in _CANCEL:
        return InboundCommand.CANCEL
    if head in _STOP:
        return InboundCommand.STOP
    if head in _START:
        return InboundCommand.START
    return InboundCommand.HELP
