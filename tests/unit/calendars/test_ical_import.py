from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from calendars.ical_build import vtimezone
from calendars.ical_import import (
    MAX_BYTES,
    IcsImportError,
    ImportedClosure,
    parse_closures,
)

MARCH_1 = datetime(2026, 2, 28, 23, 0, tzinfo=UTC)  # Paris midnight
MAY_1 = datetime(2026, 4, 30, 22, 0, tzinfo=UTC)


def parse(data: bytes, max_occurrences: int = 5000) -> list[ImportedClosure]:
    return parse_closures(
        data,
        tz="Europe/Paris",
        window_start=MARCH_1,
        window_end=MAY_1,
        max_occurrences=max_occurrences,
    )


def ics(*events: str, header: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//FR\n{header}{body}END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


MONDAYS = """
UID:lundi@mediatheque.example
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20260302
DTEND;VALUE=DATE:20260303
RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20260427
EXDATE;VALUE=DATE:20260316
SUMMARY:Fermé le lundi
"""
MOVED = """
UID:lundi@mediatheque.example
DTSTAMP:20260101T000000Z
RECURRENCE-ID;VALUE=DATE:20260330
DTSTART;VALUE=DATE:20260331
DTEND;VALUE=DATE:20260401
SUMMARY:Fermé exceptionnellement mardi
"""
CANCELLED_INSTANCE = """
UID:lundi@mediatheque.example
DTSTAMP:20260101T000000Z
RECURRENCE-ID;VALUE=DATE:20260413
DTSTART;VALUE=DATE:20260413
DTEND;VALUE=DATE:20260414
STATUS:CANCELLED
SUMMARY:Ouvert ce lundi
"""
INVENTORY = """
UID:inventaire@mediatheque.example
DTSTAMP:20260101T000000Z
DTSTART:20260318T130000Z
DTEND:20260318T170000Z
SUMMARY:Inventaire\\, fermé l'après-midi
"""
DST_SUNDAY = """
UID:dimanche@mediatheque.example
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20260329
SUMMARY:Changement d'heure
"""
SKIPPED = [
    "UID:annule@x\nDTSTAMP:20260101T000000Z\nDTSTART;VALUE=DATE:20260305\nSTATUS:CANCELLED",
    "UID:libre@x\nDTSTAMP:20260101T000000Z\nDTSTART;VALUE=DATE:20260306\nTRANSP:TRANSPARENT",
    "UID:instant@x\nDTSTAMP:20260101T000000Z\nDTSTART:20260307T100000Z",  # no duration
    "UID:hors@x\nDTSTAMP:20260101T000000Z\nDTSTART;VALUE=DATE:20260601",  # outside window
]


def _utc_days(day: int, month: int) -> tuple[datetime, datetime]:
    """One Paris day (2026) as UTC, valid away from the DST change itself."""
    offset = 2 if (month, day) > (3, 29) else 1
    start = datetime(2026, month, day, tzinfo=UTC)
    return (
        start.replace(hour=0) - _hours(offset),
        start.replace(hour=0) - _hours(offset) + _hours(24),
    )


def _hours(n: int) -> timedelta:
    return timedelta(hours=n)


def test_full_closure_calendar() -> None:
    data = ics(MONDAYS, MOVED, CANCELLED_INSTANCE, INVENTORY, DST_SUNDAY, *SKIPPED)
    result = parse(data)
    monday = "lundi@mediatheque.example/"
    assert result == [
        ImportedClosure(monday + "20260301T230000Z", *_utc_days(2, 3), "Fermé le lundi"),
        ImportedClosure(monday + "20260308T230000Z", *_utc_days(9, 3), "Fermé le lundi"),
        ImportedClosure(
            "inventaire@mediatheque.example",
            datetime(2026, 3, 18, 13, tzinfo=UTC),
            datetime(2026, 3, 18, 17, tzinfo=UTC),
            "Inventaire, fermé l'après-midi",
        ),
        ImportedClosure(monday + "20260322T230000Z", *_utc_days(23, 3), "Fermé le lundi"),
        ImportedClosure(
            "dimanche@mediatheque.example",
            datetime(2026, 3, 28, 23, tzinfo=UTC),  # 23-hour local day
            datetime(2026, 3, 29, 22, tzinfo=UTC),
            "Changement d'heure",
        ),
        ImportedClosure(
            monday + "20260329T220000Z", *_utc_days(31, 3), "Fermé exceptionnellement mardi"
        ),
        ImportedClosure(monday + "20260405T220000Z", *_utc_days(6, 4), "Fermé le lundi"),
        ImportedClosure(monday + "20260419T220000Z", *_utc_days(20, 4), "Fermé le lundi"),
        ImportedClosure(monday + "20260426T220000Z", *_utc_days(27, 4), "Fermé le lundi"),
    ]


def test_window_keeps_whole_overlapping_spans() -> None:
    result = parse_closures(
        ics(MONDAYS, INVENTORY),
        tz="Europe/Paris",
        window_start=datetime(2026, 3, 9, 12, tzinfo=UTC),
        window_end=datetime(2026, 3, 18, 14, tzinfo=UTC),
    )
    assert [(c.start, c.end) for c in result] == [
        _utc_days(9, 3),
        (datetime(2026, 3, 18, 13, tzinfo=UTC), datetime(2026, 3, 18, 17, tzinfo=UTC)),
    ]


def test_utc_exdate_removes_an_all_day_instance() -> None:
    series = MONDAYS.replace("EXDATE;VALUE=DATE:20260316", "EXDATE:20260309T120000Z")
    starts = [c.start for c in parse(ics(series))]
    assert _utc_days(16, 3)[0] in starts and _utc_days(9, 3)[0] not in starts


def test_all_day_events_use_the_given_zone() -> None:
    result = parse_closures(
        ics(DST_SUNDAY),
        tz="America/Cayenne",
        window_start=datetime(2026, 3, 1, tzinfo=UTC),
        window_end=datetime(2026, 4, 1, tzinfo=UTC),
    )
    assert [(c.start, c.end) for c in result] == [
        (datetime(2026, 3, 29, 3, tzinfo=UTC), datetime(2026, 3, 30, 3, tzinfo=UTC))
    ]


def test_timed_rules_keep_local_time_across_dst_and_read_floating_times_in_tz() -> None:
    weekly = """
UID:midi@x
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Paris:20260321T120000
DURATION:PT2H
RRULE:FREQ=WEEKLY;UNTIL=20260404T100000Z
RDATE;VALUE=PERIOD:20260415T080000Z/PT3H
"""
    floating = (
        "UID:flottant@x\nDTSTAMP:20260101T000000Z\nDTSTART:20260325T090000\nDTEND:20260325T100000"
    )
    result = parse(ics(weekly, floating))
    assert [(c.uid, c.start.hour, c.end - c.start) for c in result] == [
        ("midi@x/20260321T110000Z", 11, _hours(2)),
        ("flottant@x", 8, _hours(1)),
        ("midi@x/20260328T110000Z", 11, _hours(2)),
        ("midi@x/20260404T100000Z", 10, _hours(2)),  # UNTIL is inclusive, now CEST
        ("midi@x/20260415T080000Z", 8, _hours(3)),
    ]


def test_custom_vtimezone_and_lf_line_ends() -> None:
    zone = vtimezone("Europe/Paris", 2026, 2026).replace("TZID:Europe/Paris", "TZID:Bureau")
    event = "UID:tz@x\nDTSTAMP:20260101T000000Z\nDTSTART;TZID=Bureau:20260701T100000\nDURATION:PT1H"
    data = ics(event, header=zone.replace("\r\n", "\n") + "\n").replace(b"\r\n", b"\n")
    result = parse_closures(
        data,
        tz="America/Cayenne",
        window_start=datetime(2026, 6, 1, tzinfo=UTC),
        window_end=datetime(2026, 8, 1, tzinfo=UTC),
    )
    assert [(c.start, c.end) for c in result] == [
        (datetime(2026, 7, 1, 8, tzinfo=UTC), datetime(2026, 7, 1, 9, tzinfo=UTC))
    ]


def test_latin1_file_is_decoded() -> None:
    data = ics(DST_SUNDAY).decode().encode("cp1252")
    assert parse(data)[0].summary == "Changement d'heure"
    accented = ics(MONDAYS.replace("UNTIL=20260427", "COUNT=1")).decode().encode("cp1252")
    assert parse(accented)[0].summary == "Fermé le lundi"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello world", "valide"),
        (bytes(range(256)) * 4, "valide"),
        (b"", "aucun calendrier"),
        (b"BEGIN:VEVENT\r\nUID:1\r\nEND:VEVENT\r\n", "aucun calendrier"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\n", "aucun calendrier"),
        (ics("UID:x\nDTSTART:2026-03-01"), "illisible"),
        (ics("UID:x\nSUMMARY:Sans date"), "date de début"),
        (ics("UID:x\nDTSTART:20260310T100000Z\nDTEND:20260310T090000Z"), "avant de commencer"),
        (ics("UID:x\nDTSTART:20260310T100000Z\nDURATION:PT1H\nRRULE:FREQ=FOO"), "illisible"),
        (ics("UID:x\nDTSTART:19900101T000000Z\nDURATION:PT1S\nRRULE:FREQ=SECONDLY"), "dense"),
        (b"BEGIN:VCALENDAR\r\n" + b"X" * MAX_BYTES + b"\r\nEND:VCALENDAR\r\n", "2 Mo"),
    ],
)
def test_bad_input_raises_a_french_error(data: bytes, message: str) -> None:
    with pytest.raises(IcsImportError, match=message):
        parse(data)


def test_too_many_occurrences() -> None:
    daily = "UID:d@x\nDTSTART;VALUE=DATE:20260301\nRRULE:FREQ=DAILY"
    assert len(parse(ics(daily))) == 61
    with pytest.raises(IcsImportError, match="plus de 60 fermetures"):
        parse(ics(daily), max_occurrences=60)


def test_cancelled_series_drops_its_overrides() -> None:
    cancelled = MONDAYS + "STATUS:CANCELLED"
    assert parse(ics(cancelled, MOVED)) == []


def test_repeated_uid_keeps_both_events() -> None:
    second = INVENTORY.replace("20260318", "20260319")
    assert [c.start.day for c in parse(ics(INVENTORY, second))] == [18, 19]


def test_import_error_is_a_value_error() -> None:
    assert issubclass(IcsImportError, ValueError)
