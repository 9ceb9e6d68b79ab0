from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.gsm import (
    GSM7_BASIC,
    GSM7_EXTENDED,
    gsm7_length,
    is_gsm7,
    segment_count,
    to_gsm7,
)


def test_alphabet_sizes_follow_the_spec() -> None:
    assert len(GSM7_BASIC) == 127  # 128 codes, ESC is not a character
    assert len(GSM7_EXTENDED) == 10
    assert not GSM7_BASIC & GSM7_EXTENDED


@pytest.mark.parametrize("char", list("éèùìòàÇÉÄÖÑÜäöñüÅåÆæØøß@£$¥¤§¡¿_"))
def test_in_basic_set(char: str) -> None:
    assert char in GSM7_BASIC


@pytest.mark.parametrize("char", list("çêâîôûëïÈÀÊÂÎÔÛËÏÙÌÒœŒ’«»—€[]{}~^\\|`"))
def test_not_in_basic_set(char: str) -> None:
    assert char not in GSM7_BASIC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("é è ù ì ò à Ç É", "é è ù ì ò à Ç É"),
        ("ê â î ô û ë ï ÿ", "e a i o u e i y"),
        ("Ê Â Î Ô Û Ë Ï È À Ù", "E A I O U E I E A U"),
        ("ça, reçu, garçon", "ca, recu, garcon"),
        ("Ça", "Ça"),
        ("l’Île-d’Oléron", "l'Ile-d'Oléron"),
        ("« Bien débuter »", '"Bien débuter"'),
        ("«\u00a0Bien débuter\u202f»", '"Bien débuter"'),
        ("a « b » c", 'a "b" c'),
        ("“Word”", '"Word"'),
        ("14\u00a0h\u202f00", "14 h 00"),
        ("cœur, Œuvre", "coeur, OEuvre"),
        ("Dinan — Léhon – Quévert", "Dinan - Léhon - Quévert"),
        ("Attendez…", "Attendez..."),
        ("n° 12", "no 12"),
        ("e\u0301te\u0301", "été"),  # decomposed input
        ("zero\u200bwidth", "zerowidth"),
        ("tab\there", "tab here"),
        ("5 €, [x] {y} ~ ^ \\ |", "5 €, [x] {y} ~ ^ \\ |"),
        ("São Łódź", "Sao Lodz"),
        ("½", "1/2"),
        ("😀", "?"),
    ],
)
def test_transliteration(text: str, expected: str) -> None:
    assert to_gsm7(text) == expected


@given(st.text())
def test_to_gsm7_always_yields_gsm7_and_is_idempotent(text: str) -> None:
    converted = to_gsm7(text)
    assert is_gsm7(converted)
    assert to_gsm7(converted) == converted
    assert gsm7_length(converted) >= len(converted)


@pytest.mark.parametrize(
    ("text", "septets"),
    [("", 0), ("abc", 3), ("€", 2), ("[]", 4), ("é\n", 2), ("a{b}c", 7), ("~^\\|", 8)],
)
def test_gsm7_length(text: str, septets: int) -> None:
    assert gsm7_length(text) == septets


@pytest.mark.parametrize("text", ["fête", "ç", "😀", "`"])
def test_gsm7_length_rejects_other_characters(text: str) -> None:
    with pytest.raises(ValueError, match="GSM-7"):
        gsm7_length(text)


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("a" * 158 + "€", 1),  # 160 septets
        ("a" * 159 + "€", 2),  # 161 septets
        ("€" * 80, 1),
        ("€" * 81, 2),
        # 306 septets would be 2 segments, but an escape pair is never split
        ("a" * 152 + "€" + "a" * 151, 2),
        ("a" * 152 + "€" + "a" * 152, 3),
        # UCS-2 as soon as one character is outside GSM-7
        ("ê" * 70, 1),
        ("ê" * 71, 2),
        ("ê" * 134, 2),
        ("ê" * 135, 3),
        ("a" * 159 + "ç", 3),  # 160 UCS-2 units
        ("€ê", 1),
        ("😀" * 35, 1),  # 70 UTF-16 units
        ("😀" * 36, 2),
        ("a" * 66 + "😀" + "a" * 66, 3),  # 134 units, but a surrogate pair is never split
    ],
)
def test_segment_count(text: str, segments: int) -> None:
    assert segment_count(text) == segments
