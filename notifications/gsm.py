"""GSM 03.38 (3GPP TS 23.038) default alphabet: transliteration, length and segment counting.

0x09 is drawn as "Ç" in the ETSI table, while the Unicode mapping file reads it as "ç" and
handsets disagree on the glyph. Only "Ç" is treated as basic here; "ç" is written "c", which
reads correctly on every handset, instead of risking "reÇu".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The 128 characters of the default alphabet (ESC excluded), one septet each."""

GSM7_EXTENDED: frozenset[str] = frozenset("\f^{}\\[~]|€")
"""Extension table characters: ESC + code, two septets each."""

SINGLE_SEGMENT_GSM7 = 160
MULTIPART_SEGMENT_GSM7 = 153
SINGLE_SEGMENT_UCS2 = 70
MULTIPART_SEGMENT_UCS2 = 67

_GSM7 = GSM7_BASIC | GSM7_EXTENDED
_NOT_GSM7 = re.compile("[^" + "".join(re.escape(c) for c in sorted(_GSM7)) + "]")

_TRANSLITERATION: dict[str, str] = {
    # Latin letters whose decomposition is not enough, or that must not become "?"
    "ç": "c",
    "œ": "oe",
    "Œ": "OE",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "Th",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ı": "i",
    # typography
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "′": "'",
    "`": "'",
    "´": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "‹": '"',
    "›": '"',
    "″": '"',
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "―": "-",
    "−": "-",
    "…": "...",
    "•": "-",
    "·": ".",
    "°": "o",
    "º": "o",
    "ª": "a",
    "×": "x",
    "÷": "/",
    "⁄": "/",
    "\t": " ",
    "\u2028": "\n",
    "\u2029": "\n",
}


_GUILLEMET_SPACES = re.compile(r"([«‹])\s+|\s+([»›])")


@lru_cache(maxsize=4096)
def _transliterate_char(char: str) -> str:
    if char in _GSM7:
        return char
    if char in _TRANSLITERATION:
        return _TRANSLITERATION[char]
    category = unicodedata.category(char)
    if category.startswith("Z"):  # NBSP, narrow NBSP, thin space, ...
        return " "
    if category.startswith("C"):  # controls, zero-width and format characters
        return ""
    decomposed = unicodedata.normalize("NFKD", char)
    if decomposed != char:
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
        if stripped:  # ê -> e, ﬁ -> fi, ² -> 2
            return "".join(_transliterate_char(c) for c in stripped)
    return "?"


def to_gsm7(text: str) -> str:
    """Transliterate ``text`` so that every character is in the GSM-7 basic or extension set.

    French guillemets lose their inner spaces: « Le Phare » -> "Le Phare".
    Text already in GSM-7 and in NFC is returned as is (no guillemet is GSM-7, no GSM-7
    character composes with another): the common case costs two scans in C.
    """
    if _NOT_GSM7.search(text) is None and unicodedata.is_normalized("NFC", text):
        return text
    text = _GUILLEMET_SPACES.sub(lambda match: match.group(1) or match.group(2), text)
    return "".join(_transliterate_char(c) for c in unicodedata.normalize("NFC", text))


def is_gsm7(text: str) -> bool:
    return _NOT_GSM7.search(text) is None


def gsm7_length(text: str) -> int:
    """Septets needed for ``text``; extension characters count 2. ValueError if not GSM-7."""
    found = _NOT_GSM7.search(text)
    if found is not None:
        char = found.group()
        raise ValueError(f"character {char!r} is not in the GSM-7 alphabet")
    return len(text) + sum(map(text.count, GSM7_EXTENDED))


def _pack(units: list[int], single: int, multipart: int) -> int:
    """Segments for indivisible units (escape pairs, surrogate pairs) of the given sizes."""
    if sum(units) <= single:
        return 1
    segments, used = 1, 0
    for size in units:
        if used + size > multipart:
            segments += 1
            used = 0
        used += size
    return segments


def segment_count(text: str) -> int:
    """SMS segments for ``text``: GSM-7 when every character allows it, else UCS-2.

    An escape pair or a surrogate pair is never split across two segments. An empty text
    still takes one segment.
    """
    if is_gsm7(text):
        septets = [2 if c in GSM7_EXTENDED else 1 for c in text]
        return _pack(septets, SINGLE_SEGMENT_GSM7, MULTIPART_SEGMENT_GSM7)
    code_units = [2 if ord(c) > 0xFFFF else 1 for c in text]
    return _pack(code_units, SINGLE_SEGMENT_UCS2, MULTIPART_SEGMENT_UCS2)
