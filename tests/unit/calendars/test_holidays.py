from datetime import date

import pytest

from calendars.holidays import HOLIDAY_REGIONS, holiday_name, public_holidays, region_for_insee

GOOD_FRIDAY_2026 = date(2026, 4, 3)
SAINT_STEPHEN_2026 = date(2026, 12, 26)


@pytest.mark.parametrize(
    ("insee", "region"),
    [
        ("67482", "6AE"),  # Strasbourg
        ("68224", "6AE"),  # Mulhouse
        ("57463", "57"),  # Metz
        ("35238", ""),  # Rennes
        ("75056", ""),  # Paris
        ("2A004", ""),  # Ajaccio
        ("2b033", ""),  # Bastia, lower case accepted
        ("97105", "971"),  # Basse-Terre
        ("97209", "972"),  # Fort-de-France
        ("97302", "973"),  # Cayenne
        ("97411", "974"),  # Saint-Denis (La Réunion)
        ("97611", "976"),  # Mamoudzou
        ("97502", "PM"),  # Saint-Pierre
        ("97701", "BL"),
        ("97801", "MF"),
        ("98818", "NC"),  # Nouméa
        (" 67482 ", "6AE"),
    ],
)
def test_region_for_insee(insee: str, region: str) -> None:
    assert region_for_insee(insee) == region
    assert region in HOLIDAY_REGIONS


@pytest.mark.parametrize("insee", ["", "6748", "674820", "ABCDE", "2C004", "67 82"])
def test_region_for_insee_rejects_malformed_codes(insee: str) -> None:
    with pytest.raises(ValueError, match="INSEE"):
        region_for_insee(insee)


@pytest.mark.parametrize(
    ("insee", "closed"),
    [
        ("67482", True),  # Strasbourg: Alsace keeps Good Friday and 26 December
        ("57463", True),  # Metz: Moselle too
        ("35238", False),  # Rennes: mainland
        ("97411", False),
    ],
)
def test_alsace_moselle_extra_holidays(insee: str, closed: bool) -> None:
    days = public_holidays(region_for_insee(insee), [2026])
    assert (GOOD_FRIDAY_2026 in days) is closed
    assert (SAINT_STEPHEN_2026 in days) is closed
    assert date(2026, 12, 25) in days
    assert date(2026, 7, 14) in days


@pytest.mark.parametrize(
    ("region", "abolition_day"),
    [
        ("971", date(2026, 5, 27)),
        ("972", date(2026, 5, 22)),
        ("973", date(2026, 6, 10)),
        ("974", date(2026, 12, 20)),
        ("976", date(2026, 4, 27)),
    ],
)
def test_abolition_of_slavery_overseas_only(region: str, abolition_day: date) -> None:
    assert abolition_day in public_holidays(region, [2026])
    assert abolition_day not in public_holidays("", [2026])


def test_reunion_commune_closes_on_20_december() -> None:
    region = region_for_insee("97411")
    assert date(2026, 12, 20) in public_holidays(region, [2026])
    assert holiday_name(region, date(2026, 12, 20)) == "Abolition de l'esclavage"


def test_public_holidays_union_of_years() -> None:
    days = public_holidays("", range(2026, 2028))
    assert {date(2026, 1, 1), date(2027, 1, 1), date(2027, 3, 29)} <= days  # Easter Monday 2027
    assert len(days) == 2 * len(public_holidays("", [2026]))
    assert public_holidays("", []) == frozenset()


def test_holiday_name_is_french() -> None:
    assert holiday_name("6AE", GOOD_FRIDAY_2026) == "Vendredi saint"
    assert holiday_name("", GOOD_FRIDAY_2026) is None
    assert holiday_name("", date(2026, 5, 1)) == "Fête du Travail"


@pytest.mark.parametrize("region", ["67", "Alsace", "Zone A", "FR", "6ae"])
def test_unknown_region_raises(region: str) -> None:
    with pytest.raises(ValueError, match="Unknown holiday region"):
        public_holidays(region, [2026])


@pytest.mark.parametrize("region", sorted(HOLIDAY_REGIONS))
def test_every_listed_region_is_known_to_the_library(region: str) -> None:
    days = public_holidays(region, [2026])
    assert date(2026, 1, 1) in days
    assert HOLIDAY_REGIONS[region]
