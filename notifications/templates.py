"""French SMS bodies, each fitting one GSM-7 segment (160 septets).

Each kind has wordings, richest first, the last one terse (last resort). ``compose`` takes
the first non-terse wording that fits with the full place and address, then without the
address, then with the venue name cut at a word boundary (no ellipsis, no quote or bracket
left open) to no fewer than ``MIN_PLACE`` characters or to its part before any comma or
bracket; failing that, whichever wording keeps the longest venue name.
Richer wordings are given up before the address, which names the commune: it matters more
than the sender or a label.
The date, the time and the link are never cut: when even the terse wording cannot hold
them, ``compose`` raises ``ValueError``.

Wording syntax: ``{field}`` is replaced by a value; a ``[...]`` group is dropped when one of
its fields is empty. Fields: sender, when, place, address, label, link, expires. The first
letter of the message is capitalised, so a wording may continue in lower case after
``{sender} : ``. Wordings use ASCII quotes; double quotes inside a label become single.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from notifications.datetime_fr import format_when
from notifications.gsm import SINGLE_SEGMENT_GSM7, gsm7_length, is_gsm7, to_gsm7


class MessageKind(StrEnum):
    APPOINTMENT_CONFIRMATION = "appointment_confirmation"
    APPOINTMENT_REMINDER = "appointment_reminder"
    APPOINTMENT_CANCELLED_BY_RESIDENT = "appointment_cancelled_by_resident"
    APPOINTMENT_CANCELLED_BY_STAFF = "appointment_cancelled_by_staff"
    APPOINTMENT_RESCHEDULED = "appointment_rescheduled"
    WORKSHOP_REGISTRATION = "workshop_registration"
    WORKSHOP_REMINDER = "workshop_reminder"
    WAITLIST_OFFER = "waitlist_offer"
    SESSION_CANCELLED = "session_cancelled"
    INBOUND_CANCEL_CONFIRMED = "inbound_cancel_confirmed"
    INBOUND_HELP = "inbound_help"
    INBOUND_STOP_CONFIRMED = "inbound_stop_confirmed"


@dataclass(frozen=True, slots=True)
class MessageContext:
    """What a message may show. Only public data: a service's private label never goes here.

    ``place`` is the venue's public name (or "par téléphone" for a phone appointment: it is
    shown mid-sentence as given).
    INBOUND_HELP and INBOUND_STOP_CONFIRMED ignore ``start``, ``place`` and ``address``.
    """

    start: datetime
    tz: str
    place: str
    address: str = ""
    label: str = ""
    link: str = ""
    offer_expires: datetime | None = None
    sender_name: str = "Créneau"


_WORDINGS: dict[MessageKind, tuple[str, ...]] = {
    MessageKind.APPOINTMENT_CONFIRMATION: (
        '[{sender} : ]votre RDV[ "{label}"] est confirmé le {when}, {place}[, {address}].'
        "[ Modifier ou annuler : {link}]",
        'RDV[ "{label}"] confirmé le {when}, {place}[, {address}].[ Gérer : {link}]',
        "RDV {when} {place}[, {address}][ {link}]",
    ),
    MessageKind.APPOINTMENT_REMINDER: (
        '[{sender} : ]rappel de votre RDV[ "{label}"] le {when}, {place}[, {address}].'
        "[ Empêché ? Annulez ou déplacez : {link}]",
        'Rappel RDV[ "{label}"] le {when}, {place}[, {address}].[ Gérer : {link}]',
        "RDV {when} {place}[, {address}][ {link}]",
    ),
    MessageKind.APPOINTMENT_CANCELLED_BY_RESIDENT: (
        '[{sender} : ]votre RDV[ "{label}"] du {when} ({place}) est bien annulé.'
        "[ Reprendre RDV : {link}]",
        'RDV[ "{label}"] du {when} ({place}) annulé.[ Reprendre RDV : {link}]',
        "RDV {when} {place} annulé[ {link}]",
    ),
    MessageKind.APPOINTMENT_CANCELLED_BY_STAFF: (
        '[{sender} : ]nous devons annuler votre RDV[ "{label}"] du {when} ({place}).'
        " Toutes nos excuses.[ Reprendre RDV : {link}]",
        'RDV[ "{label}"] du {when} ({place}) annulé par nos services.[ Nouveau RDV : {link}]',
        "RDV {when} {place} annulé par nos services[ {link}]",
    ),
    MessageKind.APPOINTMENT_RESCHEDULED: (
        '[{sender} : ]votre RDV[ "{label}"] est déplacé au {when}, {place}[, {address}].'
        "[ Modifier ou annuler : {link}]",
        'RDV[ "{label}"] déplacé au {when}, {place}[, {address}].[ Gérer : {link}]',
        "RDV déplacé {when} {place}[, {address}][ {link}]",
    ),
    MessageKind.WORKSHOP_REGISTRATION: (
        '[{sender} : ]inscription confirmée à l\'atelier[ "{label}"] le {when}, {place}'
        "[, {address}].[ Gérer : {link}]",
        'Inscription confirmée : atelier[ "{label}"] le {when}, {place}[, {address}].'
        "[ Gérer : {link}]",
        "Atelier {when} {place}[, {address}][ {link}]",
    ),
    MessageKind.WORKSHOP_REMINDER: (
        '[{sender} : ]rappel, atelier[ "{label}"] le {when}, {place}[, {address}].'
        "[ Empêché ? Libérez votre place : {link}]",
        'Rappel atelier[ "{label}"] le {when}, {place}[, {address}].[ Annuler : {link}]',
        "Atelier {when} {place}[, {address}][ {link}]",
    ),
    MessageKind.WAITLIST_OFFER: (
        '[{sender} : ]une place se libère à l\'atelier[ "{label}"] du {when}, {place}'
        "[, {address}]. Confirmez avant le {expires} : {link}",
        'Place libre atelier[ "{label}"] {when}, {place}[, {address}].'
        " Confirmez avant {expires} : {link}",
        "Place atelier {when} {place}[, {address}]. Avant {expires} : {link}",
    ),
    MessageKind.SESSION_CANCELLED: (
        '[{sender} : ]l\'atelier[ "{label}"] du {when} ({place}) est annulé.'
        " Toutes nos excuses.[ Autres dates : {link}]",
        'Atelier[ "{label}"] du {when} ({place}) annulé.[ Autres dates : {link}]',
        "Atelier {when} {place} annulé[ {link}]",
    ),
    MessageKind.INBOUND_CANCEL_CONFIRMED: (
        '[{sender} : ]annulation enregistrée pour le {when} ({place})[, "{label}"].'
        " Merci de nous avoir prévenus.[ Réserver à nouveau : {link}]",
        'Annulation enregistrée : {when} ({place})[, "{label}"]. Merci.[ Réserver : {link}]',
        "Annulé : {when} {place}[ {link}]",
    ),
    MessageKind.INBOUND_HELP: (
        "[{sender} : ]répondez ANNULER pour annuler votre prochain RDV, STOP pour ne plus"
        " recevoir nos SMS.[ Vos RDV : {link}]",
        "ANNULER : annuler votre prochain RDV. STOP : ne plus recevoir de SMS.[ {link}]",
    ),
    MessageKind.INBOUND_STOP_CONFIRMED: (
        "[{sender} : ]vous ne recevrez plus de SMS de notre part."
        " Pour les réactiver, répondez START.",
        "Vous ne recevrez plus de SMS. Répondez START pour les réactiver.",
    ),
}
_WITHOUT_EVENT = frozenset({MessageKind.INBOUND_HELP, MessageKind.INBOUND_STOP_CONFIRMED})
_GROUP = re.compile(r"\[([^\[\]]*)\]")
_FIELD = re.compile(r"\{(\w+)\}")
_LINK = re.compile(r"https?://[!-_a-~]+")  # printable ASCII but the backtick (not GSM-7)
_TRAILING = ".,;:-/( "
MIN_PLACE = 20
"""A venue name is cut to no fewer characters (or to its part before any comma or bracket)
before the terse last-resort wording is used."""
LABEL_LIMITS = (32, 20)
"""A label is cut at a word boundary to these lengths in turn, then left out."""
_DANGLING = frozenset(
    {"", "de", "du", "des", "d'", "la", "le", "les", "l'", "et", "ou", "à", "a", "au", "aux"}
    | {"en", "sur", "sous", "pour", "par", "chez", "son", "sa", "ses", "vos", "votre", "un", "une"}
)


def _clean(text: str) -> str:
    """GSM-7, single spaces, no trailing punctuation (the wording supplies its own)."""
    return " ".join(to_gsm7(text).split()).rstrip(".,;: ")


def _balanced(text: str) -> bool:
    """No quote or bracket left open (an apostrophe inside a word is no quote)."""
    words = text.split()
    opened = sum(word.startswith("'") for word in words)
    closed = sum(word.endswith("'") for word in words)
    return (
        text.count('"') % 2 == 0
        and opened == closed
        and all(text.count(pair[0]) == text.count(pair[1]) for pair in ("()", "[]", "{}"))
    )


def word_cuts(text: str) -> list[str]:
    """Shorter forms of ``text`` cut at word boundaries, longest first, no dangling words."""
    words = text.split(" ")
    cuts: list[str] = []
    for count in range(len(words) - 1, 0, -1):
        kept = words[:count]
        while kept and kept[-1].lower().strip(_TRAILING) in _DANGLING:
            kept.pop()
        cut = " ".join(kept).rstrip(_TRAILING)
        if cut and cut not in cuts:
            cuts.append(cut)
    return cuts


@lru_cache(maxsize=512)
def _label_levels(label: str) -> tuple[str, ...]:
    """The label whole, then cut at word boundaries to each of ``LABEL_LIMITS``, then none
    (kept: a service's label comes back in every message about it)."""
    levels = [label]
    for limit in LABEL_LIMITS:
        if len(levels[-1]) > limit:
            levels.append(next((cut for cut in word_cuts(label) if len(cut) <= limit), ""))
    return (*dict.fromkeys(levels), "") if label else ("",)


@dataclass(frozen=True, slots=True)
class _Wording:
    """A wording cut into pieces (format strings, each with the fields of its ``[...]``
    group, or None outside groups) and its septet count without the values: its own text
    outside groups, then that of each group with the group's fields."""

    pieces: tuple[tuple[str, tuple[str, ...] | None], ...]
    septets: int
    fields: tuple[str, ...]
    groups: tuple[tuple[tuple[str, ...], int], ...]


@cache
def _wording(template: str) -> _Wording:
    """The wordings hold no guillemet and are in NFC, and every value is GSM-7: so their
    text is transliterated once here, and a message is the concatenation of its pieces."""
    pieces: list[tuple[str, tuple[str, ...] | None]] = []
    at = 0
    for match in _GROUP.finditer(template):
        pieces += [(template[at : match.start()], None), (match.group(1), ())]
        at = match.end()
    pieces.append((template[at:], None))
    septets = 0
    fields: list[str] = []
    groups: list[tuple[tuple[str, ...], int]] = []
    compiled: list[tuple[str, tuple[str, ...] | None]] = []
    for text, group in pieces:
        if not text:
            continue
        text, names = to_gsm7(text), tuple(_FIELD.findall(text))
        own = gsm7_length(_FIELD.sub("", text))
        if group is None:
            septets, fields = septets + own, [*fields, *names]
        else:
            groups.append((names, own))
        compiled.append((text, None if group is None else names))
    return _Wording(tuple(compiled), septets, tuple(fields), tuple(groups))


def _render(template: str, values: dict[str, str]) -> str:
    text = "".join(
        piece.format_map(values)
        for piece, needs in _wording(template).pieces
        if needs is None or all(values[name] for name in needs)
    )
    return to_gsm7(text[:1].upper() + text[1:])


def _least_septets(template: str, sizes: dict[str, int]) -> int:
    """Septets of ``template`` rendered with values of these sizes, before its first letter
    is capitalised: never more than the message's (a capital takes one septet, or two for
    "ß"), so a wording over one segment is given up without being rendered."""
    wording = _wording(template)
    total = wording.septets
    for name in wording.fields:
        total += sizes[name]
    for needs, own in wording.groups:
        if all(sizes[name] for name in needs):  # a value is empty if and only if of size 0
            total += own
            for name in needs:
                total += sizes[name]
    return total


def _fits(text: str) -> bool:
    return gsm7_length(text) <= SINGLE_SEGMENT_GSM7


def _values(kind: MessageKind, ctx: MessageContext) -> dict[str, str]:
    link = ctx.link.strip()
    if link and not _LINK.fullmatch(link):
        raise ValueError(f"link must be an absolute http(s) URL in ASCII: {link!r}")
    values = {
        "sender": _clean(ctx.sender_name),
        "label": _clean(ctx.label).replace('"', "'"),  # the wordings quote it
        "link": link,
        "when": "",
        "place": "",
        "address": "",
        "expires": "",
    }
    if kind in _WITHOUT_EVENT:
        return values
    zone = ZoneInfo(ctx.tz)
    values.update(when=to_gsm7(format_when(ctx.start, zone)), place=_clean(ctx.place))
    values["address"] = _clean(ctx.address)
    if not values["place"]:
        raise ValueError(f"{kind}: a place is required")
    if kind is MessageKind.WAITLIST_OFFER:
        if ctx.offer_expires is None or not link:
            raise ValueError("waitlist offer: offer_expires and link are required")
        values["expires"] = to_gsm7(format_when(ctx.offer_expires, zone))
    return values


Choice = tuple[str, str, str, str]
"""(template, label, place, address): a wording and the values it is rendered with."""


def _fitting(
    templates: tuple[str, ...], values: dict[str, str], places: list[str]
) -> Iterator[tuple[str, Choice]]:
    """(place, choice) for each label level and template, keeping the first of ``places``
    that fits; labels outer, templates inner: a label is shortened before the wording is."""
    sizes = {name: gsm7_length(value) for name, value in values.items()}
    place_sizes = [gsm7_length(place) for place in places]
    for label in _label_levels(values["label"]):
        sizes["label"] = gsm7_length(label)
        for template in templates:
            for place, sizes["place"] in zip(places, place_sizes, strict=True):
                if _least_septets(template, sizes) > SINGLE_SEGMENT_GSM7:
                    continue
                if _fits(_render(template, {**values, "label": label, "place": place})):
                    yield place, (template, label, place, values["address"])
                    break


def _shortened(templates: tuple[str, ...], values: dict[str, str]) -> Choice | None:
    rich, place = templates[:-1], values["place"]
    for address in dict.fromkeys((values["address"], "")):
        for _, choice in _fitting(rich, {**values, "address": address}, [place]):
            return choice
    values = {**values, "address": ""}
    core = re.split(r"\s*[(,]", place, maxsplit=1)[0]  # the name before any detail
    cuts = [c for c in word_cuts(place) if (len(c) >= MIN_PLACE or c == core) and _balanced(c)]
    best = max(_fitting(rich, values, cuts), key=lambda found: len(found[0]), default=None)
    if best is None:  # last resort: any wording, the longest venue name, balanced if possible
        places = sorted([place, *word_cuts(place)], key=lambda cut: not _balanced(cut))
        best = max(
            _fitting(templates, values, places),
            key=lambda found: (_balanced(found[0]), len(found[0])),
            default=None,
        )
    return None if best is None else best[1]


@lru_cache(maxsize=4096)
def _choice(
    kind: MessageKind, sender: str, label: str, place: str, address: str, sized: tuple[int, ...]
) -> Choice | None:
    """The wording and the label, place and address it keeps, for values of these septet
    counts (``sized``: when, link, expires). Every choice depends on the date and the link
    through their septet counts alone (no wording starts with them, so the capital letter
    never falls on them): the choice is made once on stand-ins of the same counts and kept,
    venues and services being few."""
    stand_ins = {name: "0" * count for name, count in zip(_SIZED, sized, strict=True)}
    values = {"sender": sender, "label": label, "place": place, "address": address, **stand_ins}
    return _shortened(_WORDINGS[kind], values)


_SIZED = ("when", "link", "expires")


def compose(kind: MessageKind, ctx: MessageContext) -> str:
    """The SMS body: GSM-7 only, at most 160 septets. ValueError if nothing fits."""
    values = _values(kind, ctx)
    choice = _choice(kind, values["sender"], values["label"], values["place"],
                     values["address"], tuple(gsm7_length(values[name]) for name in _SIZED))
    if choice is None:
        raise ValueError(f"{kind}: no wording fits in one SMS (link or dates too long)")
    template, label, place, address = choice
    text = _render(template, {**values, "label": label, "place": place, "address": address})
    assert is_gsm7(text) and _fits(text)
    return text
