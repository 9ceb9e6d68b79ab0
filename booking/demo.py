"""Demo data that tells the real story (idempotent: a second run changes nothing).

Three shared-counsellor situations: the Rance convention (La Vicomté-sur-Rance as seat,
Saint-Hélen, Pleudihen-sur-Rance; one counsellor; a public digital space beside the
library), Gerzat and Royat town halls, and Villeneuve-la-Garenne with its four *parcours*.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from booking.auth.permissions import Role
from booking.auth.sessions import RoleGrant, create_staff
from booking.db import write_transaction
from booking.tables import (
    AvailabilityRule,
    Commune,
    Convention,
    ConventionCommune,
    ConventionCounsellor,
    Counsellor,
    Service,
    StaffUser,
    Venue,
)

DEMO_PASSWORD = "demo-creneau-2026"  # noqa: S105 - documented demo credential

COMMUNES = [
    ("22382", "La Vicomté-sur-Rance", "22690"),
    ("22296", "Saint-Hélen", "22100"),
    ("22197", "Pleudihen-sur-Rance", "22690"),
    ("63164", "Gerzat", "63360"),
    ("63308", "Royat", "63130"),
    ("92078", "Villeneuve-la-Garenne", "92390"),
]

CONVENTIONS = [
    ("rance", "Convention numérique de la Rance", "22382", ["22382", "22296", "22197"]),
    ("gerzat-royat", "Conseiller numérique Gerzat – Royat", "63164", ["63164", "63308"]),
    ("villeneuve", "Inclusion numérique Villeneuve-la-Garenne", "92078", ["92078"]),
]

# slug, commune, name, kind, address, computers
VENUES = [
    ("epn-vicomte", "22382", "Espace public numérique de la médiathèque", "epn",
     "2 rue de la Mairie, 22690 La Vicomté-sur-Rance", 2),
    ("mairie-vicomte", "22382", "Mairie de La Vicomté-sur-Rance", "town_hall",
     "1 place de la Mairie, 22690 La Vicomté-sur-Rance", 0),
    ("mairie-saint-helen", "22296", "Mairie de Saint-Hélen", "town_hall",
     "Le Bourg, 22100 Saint-Hélen", 0),
    ("mairie-pleudihen", "22197", "Mairie de Pleudihen-sur-Rance", "town_hall",
     "Place de la Mairie, 22690 Pleudihen-sur-Rance", 0),
    ("mairie-gerzat", "63164", "Mairie de Gerzat", "town_hall",
     "Place de la Liberté, 63360 Gerzat", 0),
    ("mairie-royat", "63308", "Mairie de Royat", "town_hall",
     "Place Allard, 63130 Royat", 0),
    ("epn-villeneuve", "92078", "Espace numérique de Villeneuve-la-Garenne", "epn",
     "Avenue de Verdun, 92390 Villeneuve-la-Garenne", 8),
]

COUNSELLORS = [
    ("rance", "Camille", "Le Goff", "conseillere.rance@creneau.demo"),
    ("gerzat-royat", "Karim", "Benali", "conseiller.gerzat@creneau.demo"),
    ("villeneuve", "Sophie", "Martin", "conseillere.villeneuve@creneau.demo"),
]

# slug, public label, private label, minutes, buffer after (notes), online
SERVICES = [
    ("demarches", "Démarches administratives en ligne", "Démarches (CAF, ANTS, impôts)", 45, 15,
     True),
    ("email", "Créer ou utiliser ma messagerie", "", 30, 0, True),
    ("smartphone", "Utiliser mon smartphone ou ma tablette", "", 45, 15, True),
    ("suivi-telephone", "Suivi par téléphone", "Rappel usager fragile", 30, 0, False),
]

# convention, venue, weekday rule, start, end
RULES = [
    ("rance", "epn-vicomte", "FREQ=WEEKLY;BYDAY=TU", time(9, 0), time(12, 0)),
    ("rance", "mairie-pleudihen", "FREQ=WEEKLY;BYDAY=TH", time(14, 0), time(17, 0)),
    ("rance", "mairie-saint-helen", "FREQ=MONTHLY;BYDAY=1SA", time(9, 30), time(12, 0)),
    ("gerzat-royat", "mairie-gerzat", "FREQ=WEEKLY;BYDAY=MO", time(14, 0), time(17, 0)),
    ("gerzat-royat", "mairie-royat", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", time(9, 0), time(12, 0)),
    ("villeneuve", "epn-villeneuve", "FREQ=WEEKLY;BYDAY=FR", time(9, 30), time(12, 30)),
]


# slug, convention, venue, title, level, themes, weekday, start, end, capacity, mode, text
WORKSHOPS = [
    ("villeneuve-initiation", "villeneuve", "epn-villeneuve", "Initiation au numérique",
     "debutant", ["ordinateur", "souris et clavier", "internet"], "MO", time(14), time(16), 10,
     "series", "Premiers pas : allumer l'ordinateur, utiliser la souris et le clavier, "
     "naviguer sur internet."),
    ("villeneuve-bureautique", "villeneuve", "epn-villeneuve", "Bureautique", "intermediaire",
     ["traitement de texte", "tableur"], "TU", time(14), time(16), 12, "series",
     "Écrire une lettre, la mettre en page, faire un tableau simple."),
    ("villeneuve-bureautique-avancee", "villeneuve", "epn-villeneuve", "Bureautique avancée",
     "avance", ["tableur", "publipostage"], "TH", time(14), time(16), 8, "both",
     "Formules, publipostage et partage de documents en ligne."),
    ("villeneuve-emploi", "villeneuve", "epn-villeneuve", "Numérique et recherche d'emploi",
     "intermediaire", ["CV", "candidature en ligne", "France Travail"], "WE", time(9, 30),
     time(11, 30), 10, "both", "Rédiger son CV, postuler en ligne, utiliser son espace "
     "France Travail."),
]
WORKSHOP_WEEKS = 10
ONE_OFF = ("rance-securite-internet", "rance", "epn-vicomte", "Sécurité sur internet",
           "debutant", ["arnaques", "mots de passe"], time(9, 30), time(12), 12,
           "Reconnaître les arnaques, choisir ses mots de passe, protéger ses comptes.")


async def _seed_workshops(ids: dict[str, dict[str, int]], today: date,
                          progress: Callable[[str], Any]) -> None:
    """The Villeneuve *parcours* (weekly from ``today``) and a Rance one-off morning."""
    from booking.errors import AnimatorBusy
    from booking.services.workshop_plan import SeriesDraft
    from booking.services.workshops import create_series
    from booking.tables import WorkshopSeries

    now = datetime.combine(today, time(0), tzinfo=UTC)
    wednesday = today + timedelta(days=14 + (2 - today.weekday()) % 7)
    drafts = [(slug, SeriesDraft(
        convention_id=ids["convention"][conv], venue_id=ids["venue"][venue], title=title,
        level=level, themes=tuple(themes), start_time=start, end_time=end, first_day=today,
        rrule=f"FREQ=WEEKLY;BYDAY={day};COUNT={WORKSHOP_WEEKS}", capacity=capacity,
        registration_mode=mode, description=text,
        counsellor_ids=(ids["counsellor"][conv],)))
        for slug, conv, venue, title, level, themes, day, start, end, capacity, mode, text
        in WORKSHOPS]
    slug, conv, venue, title, level, themes, start, end, capacity, text = ONE_OFF
    drafts.append((slug, SeriesDraft(
        convention_id=ids["convention"][conv], venue_id=ids["venue"][venue], title=title,
        level=level, themes=tuple(themes), start_time=start, end_time=end,
        first_day=wednesday, capacity=capacity, description=text,
        counsellor_ids=(ids["counsellor"][conv],))))
    progress(f"Ateliers… {len(drafts)}")
    ids["workshop"] = {}
    for slug, draft in drafts:
        found = await WorkshopSeries.select(WorkshopSeries.id).where(
            WorkshopSeries.slug == slug).first()
        if found is not None:
            ids["workshop"][slug] = int(found["id"])
            continue
        try:
            saved = await create_series(draft, staff_id=None, now=now, slug=slug)
        except AnimatorBusy as busy:
            progress(f"Atelier {slug} non créé : {busy.message}")
            continue
        ids["workshop"][slug] = saved.series_id


def _staff_accounts(ids: dict[str, Any]) -> list[tuple[str, str, list[RoleGrant], int | None]]:
    c = ids["counsellor"]
    return [
        ("admin@creneau.demo", "Administratrice Créneau", [RoleGrant(Role.ADMIN)], None),
        ("coordination.rance@creneau.demo", "Coordination Rance",
         [RoleGrant(Role.COORDINATOR, convention_id=ids["convention"]["rance"])], None),
        ("accueil.pleudihen@creneau.demo", "Accueil mairie de Pleudihen",
         [RoleGrant(Role.AGENT, commune_id=ids["commune"]["22197"])], None),
        ("accueil.gerzat@creneau.demo", "Accueil mairie de Gerzat",
         [RoleGrant(Role.AGENT, commune_id=ids["commune"]["63164"])], None),
        *[(email, f"{first} {last}", [RoleGrant(Role.COUNSELLOR, counsellor_id=c[email])], c[email])
          for _, first, last, email in COUNSELLORS],
    ]


async def _get_or_create(table: Any, where: Any, **values: Any) -> int:
    row = await table.select(table.id).where(where).first()
    if row is not None:
        return int(row["id"])
    obj = table(**values)
    await obj.save()
    return int(obj.id)


async def seed_demo(progress: Callable[[str], Any] = lambda _: None, *,
                    today: date | None = None) -> dict[str, Any]:
    """Create the demo records that do not exist yet; return their ids by natural key."""
    async with write_transaction():
        return await _seed(progress, today or datetime.now(UTC).date())


async def _seed(progress: Callable[[str], Any], today: date) -> dict[str, Any]:
    ids: dict[str, dict[str, int]] = {k: {} for k in
                                      ("commune", "convention", "venue", "counsellor", "service")}
    progress(f"Communes… {len(COMMUNES)}")
    for insee, name, postcode in COMMUNES:
        ids["commune"][insee] = await _get_or_create(
            Commune, Commune.insee_code == insee, insee_code=insee, name=name, postcode=postcode,
            slug=f"{_slug(name)}-{insee}", timezone="Europe/Paris", holiday_region="")
    progress(f"Conventions… {len(CONVENTIONS)}")
    for slug, name, seat, members in CONVENTIONS:
        conv = await _get_or_create(Convention, Convention.slug == slug, slug=slug, name=name,
                                    seat_commune=ids["commune"][seat])
        ids["convention"][slug] = conv
        for insee in members:
            commune = ids["commune"][insee]
            await _get_or_create(
                ConventionCommune,
                (ConventionCommune.convention == conv) & (ConventionCommune.commune == commune),
                convention=conv, commune=commune,
                time_share_percent=100 // len(members))
    progress(f"Lieux… {len(VENUES)}")
    for slug, insee, name, kind, address, computers in VENUES:
        ids["venue"][slug] = await _get_or_create(
            Venue, Venue.slug == slug, slug=slug, commune=ids["commune"][insee], name=name,
            kind=kind, address=address, computers=computers,
            accessibility="Accès de plain-pied, place PMR à proximité.")
    progress(f"Conseillers… {len(COUNSELLORS)}")
    for conv_slug, first, last, email in COUNSELLORS:
        counsellor = await _get_or_create(Counsellor, Counsellor.email == email,
                                          first_name=first, last_name=last, email=email)
        ids["counsellor"][email] = counsellor
        ids["counsellor"][conv_slug] = counsellor
        conv = ids["convention"][conv_slug]
        await _get_or_create(
            ConventionCounsellor,
            (ConventionCounsellor.convention == conv)
            & (ConventionCounsellor.counsellor == counsellor),
            convention=conv, counsellor=counsellor)
    progress(f"Motifs… {len(SERVICES) * len(CONVENTIONS)}")
    for conv_slug, conv in ids["convention"].items():
        for slug, label, private, minutes, buffer_after, online in SERVICES:
            ids["service"][f"{conv_slug}/{slug}"] = await _get_or_create(
                Service, (Service.convention == conv) & (Service.slug == slug),
                convention=conv, slug=slug, public_label=label, private_label=private,
                duration_minutes=minutes, online_bookable=online,
                buffer_after_minutes=buffer_after, step_minutes=minutes + buffer_after,
                what_to_bring="Votre téléphone, vos identifiants si vous les avez, "
                              "une pièce d'identité pour les démarches.")
    progress(f"Plages d'ouverture… {len(RULES)}")
    first_day = today - timedelta(days=today.weekday())
    for conv_slug, venue_slug, rrule, start, end in RULES:
        counsellor = ids["counsellor"][conv_slug]
        venue = ids["venue"][venue_slug]
        await _get_or_create(
            AvailabilityRule,
            (AvailabilityRule.counsellor == counsellor) & (AvailabilityRule.venue == venue)
            & (AvailabilityRule.rrule == rrule),
            counsellor=counsellor, venue=venue, rrule=rrule, start_time=start, end_time=end,
            first_day=first_day, service_ids=[])
    await _seed_workshops(ids, today, progress)
    progress("Comptes professionnels…")
    for email, name, grants, counsellor_id in _staff_accounts(ids):
        if not await StaffUser.exists().where(StaffUser.email == email):
            await create_staff(email=email, display_name=name, password=DEMO_PASSWORD,
                               grants=grants, counsellor_id=counsellor_id)
    progress("Données de démonstration prêtes.")
    return ids


def _slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(ch if ch.isalnum() else " " for ch in ascii_text.lower()).split())
