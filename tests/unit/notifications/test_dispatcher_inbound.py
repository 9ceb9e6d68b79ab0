"""What an inbound SMS asks for: case, accents and punctuation do not matter."""

from __future__ import annotations

import pytest

from notifications.inbound import InboundCommand, parse_command, words

CANCEL, STOP, START, HELP = (
    InboundCommand.CANCEL,
    InboundCommand.STOP,
    InboundCommand.START,
    InboundCommand.HELP,
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("ANNULER", CANCEL),
        ("annuler", CANCEL),
        ("  Annuler.  ", CANCEL),
        ("annuler rdv", CANCEL),
        ("ANNULER RDV", CANCEL),
        ("Annulé", CANCEL),
        ("ÀNNULER", CANCEL),
        ("annuler mon rendez-vous svp", CANCEL),
        ("Annuler s'il vous plaît", CANCEL),
        ("STOP", STOP),
        ("stop", STOP),
        ("Stop SMS", STOP),
        ("Arrêt", STOP),
        ("ARRET", STOP),
        ("START", START),
        ("Start", START),
        ("", HELP),
        ("   ", HELP),
        ("Bonjour", HELP),
        ("?", HELP),
        ("je ne peux pas venir, il faut annuler", HELP),  # a sentence: a human reads it
        ("annuler demain à 14h", HELP),
        ("non stop", HELP),
        ("ANNULER STOP", HELP),  # two commands at once: ask again
        ("annuler " + "rdv " * 10, HELP),
    ],
)
def test_parse_command(body: str, expected: InboundCommand) -> None:
    assert parse_command(body) is expected


def test_words_strip_accents_and_punctuation() -> None:
    assert words("Arrêt, S'IL-vous-plaît !") == ["arret", "s", "il", "vous", "plait"]
