"""The structure of a département-scale data set, planned in memory (no database).

40 communes of a fictional département grouped into conventions of 3–5 communes, 2–4 venues
per commune, 200 counsellors (a tenth also serve the neighbouring convention), four services
per convention, and for each counsellor a week of permanences (``dataset_people``).
Workshops, absences and closures fall where real ones do (``dataset_events``).

This module holds the shared shapes (``Plan``, ``Block``) and the places.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bench.bulk import TableRows

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
HALVES = {
    "AM": ((time(9, 0), time(12, 0)), (time(9, 30), time(12, 30))),
    "PM": ((time(14, 0), time(17, 0)), (time(13, 30), time(16, 30))),
}
WORKSHOP_HOURS = {"AM": (time(9, 30), time(11, 30)), "PM": (time(14, 0), time(16, 0))}
VENUE_KINDS = (
    ("town_hall", "Mairie de {}"),
    ("library", "Médiathèque de {}"),
    ("epn", "Espace public numérique de {}"),
    ("france_services", "France Services de {}"),
)
# slug, public label, minutes, buffer after, online-bookable
SERVICES = (
    ("demarches", "Démarches administratives en ligne", 45, 15, True),
    ("email", "Créer ou utiliser ma messagerie", 30, 0, True),
    ("smartphone", "Utiliser mon smartphone ou ma tablette", 45, 15, True),
    ("suivi-telephone", "Suivi par téléphone", 30, 0, False),
)
THEMES = (
    "Premiers pas sur ordinateur",
    "Smartphone au quotidien",
    "Démarches en ligne",
    "Messagerie et pièces jointes",
    "Sécurité en ligne",
    "Visioconférence en famille",
)


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, PARIS).astimezone(UTC)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class Block:
    """A permanence: which days (weekly, every other week, nth Saturday), hours, venue."""

    rule_id: int
    counsellor: int
    venue: int
    weekday: int
    start: time
    end: time
    every: int = 1  # weeks; 0 = monthly on the nth weekday
    nth: int = 0
    anchor: date = date(2020, 1, 6)  # a Monday: every-other-week parity
    exdates: frozenset[date] = frozenset()

    def meets(self, day: date) -> bool:
        if day.weekday() != self.weekday or day in self.exdates:
            return False
        if self.every == 0:
            return (day.day - 1) // 7 + 1 == self.nth
        return ((day - self.anchor).days // 7) % self.every == 0

    def hour_starts(self) -> list[time]:
        starts, minutes = [], self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        while minutes + 60 <= end:
            starts.append(time(minutes // 60, minutes % 60))
            minutes += 60
        return starts


@dataclass
class Plan:
    today: date
    tables: dict[str, TableRows] = field(default_factory=dict)
    conventions: list[int] = field(default_factory=list)
    communes: list[int] = field(default_factory=list)
    commune_convention: dict[int, int] = field(default_factory=dict)
    venue_commune: dict[int, int] = field(default_factory=dict)
    venues_of_convention: dict[int, list[int]] = field(default_factory=dict)
    counsellors_of_convention: dict[int, list[int]] = field(default_factory=dict)
    services: dict[int, dict[str, int]] = field(default_factory=dict)  # convention -> slug -> id
    service_minutes: dict[int, tuple[int, int]] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    busy_keys: dict[int, set[tuple[int, str]]] = field(default_factory=dict)
    home_convention: dict[int, int] = field(default_factory=dict)
    agent_of_commune: dict[int, int] = field(default_factory=dict)
    absent_days: dict[int, set[date]] = field(default_factory=dict)  # counsellor -> days
    closed_days: dict[int, set[date]] = field(default_factory=dict)  # venue -> days

    def rows(self, table: str, *columns: str) -> TableRows:
        if table not in self.tables:
            self.tables[table] = TableRows(table, columns)
        return self.tables[table]


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def plan_places(plan: Plan, rng: random.Random, ids: dict[str, int], communes: int) -> None:
    """Communes, conventions (3–5 communes each), venues (2–4 per commune), staff agents."""
    commune_rows = plan.rows(
        "commune", "id", "insee_code", "name", "postcode", "slug", "timezone", "holiday_region"
    )
    for n in range(communes):
        cid = ids["commune"] + n + 1
        insee, name = f"35{n + 1:03d}", f"Bourg-{n + 1:02d}"
        commune_rows.add(
            cid, insee, name, f"35{n * 10 % 1000:03d}", f"bench-{insee}", "Europe/Paris", ""
        )
        plan.communes.append(cid)
    members = plan.rows("convention_commune", "id", "convention", "commune", "time_share_percent")
    conventions = plan.rows("convention", "id", "name", "slug", "seat_commune", "created_at")
    position = 0
    while position < len(plan.communes):
        size = min(rng.randint(3, 5), len(plan.communes) - position)
        conv = ids["convention"] + len(plan.conventions) + 1
        group = plan.communes[position : position + size]
        conventions.add(
            conv,
            f"Convention numérique {len(plan.conventions) + 1}",
            f"bench-convention-{len(plan.conventions) + 1}",
            group[0],
            local(plan.today - timedelta(days=900), time(9)),
        )
        for commune in group:
            members.add(
                ids["convention_commune"] + len(members.rows) + 1, conv, commune, 100 // size
            )
            plan.commune_convention[commune] = conv
        plan.conventions.append(conv)
        plan.venues_of_convention[conv] = []
        position += size
    venues = plan.rows(
        "venue",
        "id",
        "commune",
        "name",
        "slug",
        "kind",
        "address",
        "accessibility",
        "phone",
        "opening_hours",
        "computers",
        "active",
    )
    agents = plan.rows(
        "staff_user", "id", "email", "display_name", "password_hash", "active", "created_at"
    )
    for n, commune in enumerate(plan.communes):
        name = f"Bourg-{n + 1:02d}"
        for kind, label in VENUE_KINDS[: rng.randint(2, 4)]:
            vid = ids["venue"] + len(venues.rows) + 1
            venues.add(
                vid,
                commune,
                label.format(name),
                f"bench-{kind}-{n + 1:02d}",
                kind,
                f"{rng.randint(1, 40)} place de la Mairie, 35{n:03d} {name}",
                "Accès de plain-pied.",
                "",
                "",
                4 if kind == "epn" else 0,
                True,
            )
            plan.venue_commune[vid] = commune
            plan.venues_of_convention[plan.commune_convention[commune]].append(vid)
        agent = ids["staff_user"] + len(agents.rows) + 1
        agents.add(
            agent,
            f"accueil.{n + 1:02d}@bench.creneau.test",
            f"Accueil {name}",
            "!",
            True,
            local(plan.today - timedelta(days=800), time(9)),
        )
        plan.agent_of_commune[commune] = agent
