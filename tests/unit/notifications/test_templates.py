from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from notifications.datetime_fr import format_day, format_when
from notifications.gsm import gsm7_length, is_gsm7, segment_count, to_gsm7
from notifications.templates import MessageContext, MessageKind, compose, word_cuts

PARIS = "Europe/Paris"
REUNION = "Indian/Reunion"
LONG_VENUE = "Espace public numérique de la médiathèque Jean-Pierre-Rampal, Pleudihen-sur-Rance"
LONG_LINK = "https://rdv.dinan-agglomeration.fr/r/k7Qm2XvP9tLwZ3bNq8YdRa"  # 61 chars
PRIVATE_LABEL = "Suivi Mme Le Gall - dossier RSA urgent"
EVENT_KINDS = [
    k
    for k in MessageKind
    if k not in {MessageKind.INBOUND_HELP, MessageKind.INBOUND_STOP_CONFIRMED}
]

# a service as the booking layer holds it: the private label must never reach an SMS
SERVICE = {"public_label": "Démarches en ligne : CAF, impôts, ANTS", "private_label": PRIVATE_LABEL}

CONTEXTS = {
    "long venue, long link": MessageContext(
        start=datetime(2026, 12, 1, 13, 0, tzinfo=UTC),
        tz=PARIS,
        place=LONG_VENUE,
        address="12 rue de l’Église, 22690 Pleudihen-sur-Rance",
        label="Accompagnement aux démarches administratives en ligne (CAF, impôts, ANTS)",
        link=LONG_LINK,
        offer_expires=datetime(2026, 11, 30, 17, 0, tzinfo=UTC),
    ),
    "short names": MessageContext(
        start=datetime(2026, 8, 3, 7, 5, tzinfo=UTC),  # lun. 3 août 9h05
        tz=PARIS,
        place="Mairie",
        address="Place de la République, Lanvallay",
        label=SERVICE["public_label"],
        link="https://creneau.fr/r/Ab3dEf9h",
        offer_expires=datetime(2026, 8, 2, 16, 0, tzinfo=UTC),
    ),
    "accents and apostrophes": MessageContext(
        start=datetime(2027, 2, 1, 15, 30, tzinfo=UTC),
        tz=PARIS,
        place="Maison France Services de l’Île-d’Yeu « Le Phare »",
        address="3 quai de la Chapelle, L’Île-d’Yeu",
        label="Créer son espace « Mon espace santé » — pas à pas",
        link="https://rdv.example.fr/m/x~Y_z-1",  # "~" counts double
        offer_expires=datetime(2027, 1, 31, 9, 0, tzinfo=UTC),
        sender_name="Conseillère numérique",
    ),
    "Réunion commune": MessageContext(
        start=datetime(2026, 12, 1, 5, 5, tzinfo=UTC),  # 9h05 in Saint-Pierre
        tz=REUNION,
        place="Médiathèque Raphaël-Barquissau, Saint-Pierre",
        address="Rue Marius-et-Ary-Leblond, 97410 Saint-Pierre",
        label="Prendre en main son smartphone Android",
        link="https://rdv.civis.re/r/Qm2XvP9tLwZ3bNq8YdRaTe",
        offer_expires=datetime(2026, 11, 30, 14, 0, tzinfo=UTC),
    ),
    "phone appointment": MessageContext(
        start=datetime(2026, 3, 29, 12, 0, tzinfo=UTC),  # first day of summer time
        tz=PARIS,
        place="Par téléphone (le conseiller vous appelle)",
        label="Faire sa déclaration de revenus en ligne",
        link="https://rdv.dinan-agglomeration.fr/r/P9tLwZ3bNq8YdRa",
        offer_expires=datetime(2026, 3, 28, 18, 0, tzinfo=UTC),
    ),
    "no link": MessageContext(
        start=datetime(2026, 6, 16, 12, 0, tzinfo=UTC),
        tz=PARIS,
        place=LONG_VENUE,
        address="12 rue de l'Église",
        label="Atelier tablette",
    ),
}


def _cases() -> list[tuple[MessageKind, str]]:
    """Every kind with every context, but a waitlist offer without a link (refused, below)."""
    return [
        (kind, name)
        for kind in MessageKind
        for name, ctx in CONTEXTS.items()
        if ctx.link or kind is not MessageKind.WAITLIST_OFFER
    ]


@pytest.mark.parametrize(("kind", "name"), _cases())
def test_every_message_fits_one_segment(kind: MessageKind, name: str) -> None:
    ctx = CONTEXTS[name]
    sms = compose(kind, ctx)

    assert is_gsm7(sms)
    assert gsm7_length(sms) <= 160
    assert segment_count(sms) == 1
    assert PRIVATE_LABEL not in sms
    assert "…" not in sms and "..." not in sms
    assert sms.count('"') % 2 == 0 and sms.count("(") == sms.count(")")
    if ctx.link and kind is not MessageKind.INBOUND_STOP_CONFIRMED:
        assert ctx.link in sms.split()  # intact, a word of its own
    if kind in EVENT_KINDS:
        assert to_gsm7(format_when(ctx.start, ZoneInfo(ctx.tz))) in sms
    if kind is MessageKind.WAITLIST_OFFER:
        assert ctx.offer_expires is not None
        assert to_gsm7(format_when(ctx.offer_expires, ZoneInfo(ctx.tz))) in sms


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_place_is_kept_or_cut_at_a_word_boundary(kind: MessageKind) -> None:
    ctx = CONTEXTS["long venue, long link"]
    sms = compose(kind, ctx)
    venue = to_gsm7(ctx.place)
    kept = [cut for cut in [venue, *word_cuts(venue)] if cut in sms]
    assert kept, sms
    assert len(kept[0]) >= 20  # never down to a stump with this data
    assert to_gsm7("12 rue de l’Église") not in sms  # the address went first


@pytest.mark.parametrize(
    ("utc", "tz", "expected"),
    [
        (datetime(2024, 12, 3, 13, 0, tzinfo=UTC), PARIS, "mar. 3 déc. à 14h00"),
        (datetime(2026, 12, 1, 8, 5, tzinfo=UTC), PARIS, "mar. 1er déc. à 9h05"),
        (datetime(2026, 7, 14, 7, 30, tzinfo=UTC), PARIS, "mar. 14 juil. à 9h30"),  # summer
        (datetime(2026, 8, 3, 7, 5, tzinfo=UTC), PARIS, "lun. 3 août à 9h05"),
        (datetime(2026, 2, 2, 23, 0, tzinfo=UTC), PARIS, "mar. 3 févr. à 0h00"),
        (datetime(2026, 9, 1, 10, 0, tzinfo=UTC), PARIS, "mar. 1er sept. à 12h00"),
        (datetime(2026, 5, 1, 8, 0, tzinfo=UTC), PARIS, "ven. 1er mai à 10h00"),
        (datetime(2026, 12, 1, 5, 5, tzinfo=UTC), REUNION, "mar. 1er déc. à 9h05"),
        (datetime(2026, 11, 30, 21, 45, tzinfo=UTC), REUNION, "mar. 1er déc. à 1h45"),
        (datetime(2026, 6, 15, 12, 0, tzinfo=UTC), "America/Cayenne", "lun. 15 juin à 9h00"),
    ],
)
def test_format_when(utc: datetime, tz: str, expected: str) -> None:
    assert format_when(utc, ZoneInfo(tz)) == expected
    assert format_day(utc, ZoneInfo(tz)) == expected.split(" à ")[0]


def test_format_when_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_when(datetime(2026, 12, 1, 14, 0), ZoneInfo(PARIS))


def test_local_time_of_the_commune_is_shown() -> None:
    ctx = CONTEXTS["Réunion commune"]
    sms = compose(MessageKind.APPOINTMENT_REMINDER, ctx)
    assert "9h05" in sms and "6h05" not in sms
    assert compose(MessageKind.APPOINTMENT_REMINDER, replace(ctx, tz=PARIS)).count("6h05") == 1


def test_summer_month_is_transliterated() -> None:
    sms = compose(MessageKind.APPOINTMENT_CONFIRMATION, CONTEXTS["short names"])
    assert "lun. 3 aout à 9h05" in sms


def test_short_data_keeps_the_address_and_the_sender() -> None:
    ctx = replace(CONTEXTS["short names"], label="")
    sms = compose(MessageKind.APPOINTMENT_CONFIRMATION, ctx)
    assert sms.startswith("Créneau : ")
    assert "Mairie, Place de la République, Lanvallay" in sms


def test_cancellations_by_resident_and_by_staff_differ() -> None:
    ctx = CONTEXTS["short names"]
    by_resident = compose(MessageKind.APPOINTMENT_CANCELLED_BY_RESIDENT, ctx)
    by_staff = compose(MessageKind.APPOINTMENT_CANCELLED_BY_STAFF, ctx)
    assert by_resident != by_staff
    assert "nos services" in by_staff or "nous devons" in by_staff.lower()


def test_extension_characters_count_double_in_the_budget() -> None:
    ctx = replace(CONTEXTS["long venue, long link"], place="Salle {B} [Tiers-lieu] | Cafe ~ 5 €")
    sms = compose(MessageKind.APPOINTMENT_CONFIRMATION, ctx)
    assert gsm7_length(sms) <= 160
    assert gsm7_length(sms) > len(sms)


@pytest.mark.parametrize(
    "link",
    [
        "https://rdv.example.fr/r/" + "x" * 175,
        "rdv.example.fr/r/abc",
        "https://x.fr/a b",
        "https://é.fr/r/a",
    ],
)
def test_bad_or_oversized_links_are_refused(link: str) -> None:
    with pytest.raises(ValueError):
        compose(MessageKind.APPOINTMENT_REMINDER, replace(CONTEXTS["short names"], link=link))


def test_waitlist_offer_needs_an_expiry_and_a_link() -> None:
    ctx = CONTEXTS["short names"]
    with pytest.raises(ValueError, match="offer_expires"):
        compose(MessageKind.WAITLIST_OFFER, replace(ctx, offer_expires=None))
    with pytest.raises(ValueError, match="link"):
        compose(MessageKind.WAITLIST_OFFER, replace(ctx, link=""))


def test_event_messages_need_a_place() -> None:
    with pytest.raises(ValueError, match="place"):
        compose(MessageKind.APPOINTMENT_REMINDER, replace(CONTEXTS["short names"], place=" "))


def test_inbound_replies_ignore_the_event() -> None:
    ctx = CONTEXTS["long venue, long link"]
    help_sms = compose(MessageKind.INBOUND_HELP, ctx)
    stop_sms = compose(MessageKind.INBOUND_STOP_CONFIRMED, ctx)
    assert "ANNULER" in help_sms and "STOP" in help_sms and ctx.link in help_sms
    assert "START" in stop_sms
    assert "Espace" not in help_sms + stop_sms


@pytest.mark.parametrize(
    ("text", "first_cuts"),
    [
        (
            to_gsm7(LONG_VENUE),
            [
                "Espace public numérique de la médiathèque Jean-Pierre-Rampal",
                "Espace public numérique de la médiathèque",
                "Espace public numérique",
            ],
        ),
        ("Prendre en main son smartphone", ["Prendre en main", "Prendre"]),
        (
            "Par téléphone (le conseiller vous appelle)",
            ["Par téléphone (le conseiller vous", "Par téléphone (le conseiller", "Par téléphone"],
        ),
        (
            "Créer son espace 'Mon espace santé' pas à pas",
            [
                "Créer son espace 'Mon espace santé' pas",
                "Créer son espace 'Mon espace santé'",
                "Créer son espace 'Mon espace",
            ],
        ),
        ("Salle l'Ourse, rez-de-chaussée", ["Salle l'Ourse"]),
        ("Mairie", []),
    ],
)
def test_word_cuts(text: str, first_cuts: list[str]) -> None:
    assert word_cuts(text)[: len(first_cuts)] == first_cuts


@pytest.mark.parametrize(
    "place",
    [
        'Tiers-lieu "La Fabrique du numérique solidaire" de la communauté de communes',
        "Centre social (salle informatique au premier étage, porte B) de Lanvallay",
    ],
)
def test_cut_never_leaves_a_quote_or_bracket_open(place: str) -> None:
    ctx = replace(CONTEXTS["long venue, long link"], place=place)
    for kind in EVENT_KINDS:
        sms = compose(kind, ctx)
        assert sms.count('"') % 2 == 0 and sms.count("(") == sms.count(")"), sms


_words = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S")), min_size=1, max_size=18
)


@given(
    kind=st.sampled_from(EVENT_KINDS),
    place=st.lists(_words, min_size=1, max_size=12).map(" ".join),
    label=st.lists(_words, max_size=12).map(" ".join),
    address=st.lists(_words, max_size=8).map(" ".join),
    token=st.text(alphabet="abcdefghijkLMNOP0123456789-_~", min_size=8, max_size=32),
    minutes=st.integers(min_value=0, max_value=60 * 24 * 400),
)
def test_any_data_fits_one_segment(
    kind: MessageKind, place: str, label: str, address: str, token: str, minutes: int
) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    link = "https://rdv.example.fr/r/" + token
    ctx = MessageContext(
        start=start,
        tz=REUNION if minutes % 2 else PARIS,
        place=place,
        address=address,
        label=label,
        link=link,
        offer_expires=start - timedelta(hours=20),
    )
    note(f"place={to_gsm7(place)!r} label={to_gsm7(label)!r} link={link!r}")
    if not to_gsm7(place).strip(" .,;:"):
        return  # nothing printable left of the place: refused, tested elsewhere
    sms = compose(kind, ctx)
    assert gsm7_length(sms) <= 160
    assert link in sms
    assert to_gsm7(format_when(start, ZoneInfo(ctx.tz))) in sms
