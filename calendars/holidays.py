"""French public holidays per region (the ``holidays`` library's subdivisions of France)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import holidays as holidays_lib

HOLIDAY_REGIONS: dict[str, str] = {
    "": "France métropolitaine",
    "6AE": "Alsace (Bas-Rhin, Haut-Rhin)",
    "57": "Moselle",
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "976": "Mayotte",
    "PM": "Saint-Pierre-et-Miquelon",
    "BL": "Saint-Barthélemy",
    "MF": "Saint-Martin",
    "WF": "Wallis-et-Futuna",
    "PF": "Polynésie française",
    "NC": "Nouvelle-Calédonie",
    "TF": "Terres australes et antarctiques françaises",
}

# INSEE department (or overseas collectivity) prefix -> region code.
_INSEE_PREFIXES: dict[str, str] = {
    "67": "6AE",
    "68": "6AE",
    "57": "57",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "975": "PM",
    "976": "976",
    "977": "BL",
    "978": "MF",
    "984": "TF",
    "986": "WF",
    "987": "PF",
    "988": "NC",
}
_INSEE_RE = re.compile(r"(\d{2}|2[AB])\d{3}")


def _check_region(region: str) -> None:
    if region not in HOLIDAY_REGIONS:
        known = ", ".join(repr(code) for code in HOLIDAY_REGIONS)
        raise ValueError(f"Unknown holiday region {region!r}; expected one of {known}")


@lru_cache(maxsize=256)
def _named_holidays(region: str, year: int) -> dict[date, str]:
    found = holidays_lib.France(subdiv=region or None, years=year, language="fr")
    return dict(sorted(found.items()))


@lru_cache(maxsize=256)
def _holidays_of_year(region: str, year: int) -> frozenset[date]:
    return frozenset(_named_holidays(region, year))


def public_holidays(region: str, years: Iterable[int]) -> frozenset[date]:
    """Public holidays of ``region`` (a key of ``HOLIDAY_REGIONS``) in the given years."""
    _check_region(region)
    wanted = sorted(set(years))
    if len(wanted) == 1:
        return _holidays_of_year(region, wanted[0])
    return frozenset().union(*(_holidays_of_year(region, year) for year in wanted))


def holiday_name(region: str, day: date) -> str | None:
    """The French name of the public holiday on ``day`` in ``region``, if any."""
    _check_region(region)
    return _named_holidays(region, day.year).get(day)


def region_for_insee(insee_code: str) -> str:
    """Default holiday region of a commune from its INSEE code ("" for mainland France)."""
    code = insee_code.strip().upper()
    if not _INSEE_RE.fullmatch(code):
        raise ValueError(f"Not an INSEE commune code: {insee_code!r}")
    return _INSEE_PREFIXES.get(code[:3]) or _INSEE_PREFIXES.get(code[:2], "")
