from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream

from calendars.ical_build import (
    CalendarMeta,
    FeedEvent,
    build_calendar,
    escape_text,
    fold,
    vtimezone,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
META = CalendarMeta(
    name="Agenda de Zoé, conseillère",
    description="Rendez-vous et ateliers; mis à jour chaque heure",
    url="https://creneau.example/feeds/zoe.ics",
)
LONG = "Atelier « Démarches en ligne », niveau 1; apportez: identifiants, téléphone 📱 " * 4


def local(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)  # type: ignore[arg-type,misc]


def event(uid: str, zone: str, start: datetime, minutes: int = 60, **kw: object) -> FeedEvent:
    return FeedEvent(
        uid=f"{uid}@creneau.example",
        start=start,
        end=start + timedelta(minutes=minutes),
        tz=zone,
        summary=kw.pop("summary", f"Rendez-vous {uid}"),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


EVENTS = [
    # Saturday and Sunday of the spring-forward weekend (last Sunday of March 2026 = 29th).
    event("spring-sat", "Europe/Paris", local("Europe/Paris", 2026, 3, 28, 10, 0)),
    event("spring-before", "Europe/Paris", local("Europe/Paris", 2026, 3, 29, 1, 0)),
    event("spring-after", "Europe/Paris", local("Europe/Paris", 2026, 3, 29, 3, 30)),
    event("spring-mon", "Europe/Paris", local("Europe/Paris", 2026, 3, 30, 9, 0), 90),
    # Fall-back weekend (25 October 2026): 02:30 happens twice, written in UTC.
    event("fall-ambiguous", "Europe/Paris", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    event("fall-ambiguous-2", "Europe/Paris", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
    event("fall-after", "Europe/Paris", local("Europe/Paris", 2026, 10, 25, 14, 0)),
    event("fall-sat", "Europe/Paris", local("Europe/Paris", 2026, 10, 24, 23, 30), 120),
    event("cayenne", "America/Cayenne", local("America/Cayenne", 2026, 3, 29, 9, 0)),
    event("reunion", "Indian/Reunion", local("Indian/Reunion", 2026, 10, 25, 14, 0), 30),
    event(
        "cancelled",
        "Europe/Paris",
        local("Europe/Paris", 2026, 4, 2, 14, 0),
        status="CANCELLED",
        sequence=3,
        last_modified=datetime(2026, 3, 20, 9, 15, tzinfo=UTC),
    ),
    event(
        "workshop-7",
        "Europe/Paris",
        local("Europe/Paris", 2026, 4, 3, 9, 30),
        120,
        summary=LONG,
        location="Médiathèque, 2 rue de l'Église; salle «\u00a0multimédia\u00a0» \\ étage 1",
        description="Ligne 1,\nligne 2;\r\nligne 3 — café ☕ et émoji 👩🏽‍💻\\fin",
        url="https://creneau.example/ateliers/7?session=3&x=1",
        status="TENTATIVE",
        sequence=1,
        created=datetime(2026, 2, 1, 10, 0, tzinfo=UTC),
        last_modified=datetime(2026, 2, 2, 10, 0, tzinfo=UTC),
        categories=("Atelier", "Mails, photos"),
        transparent=True,
    ),
    event("utc-zone", "UTC", datetime(2026, 5, 1, 12, 0, tzinfo=UTC)),
]


@pytest.fixture(scope="module")
def feed() -> bytes:
    return build_calendar(META, EVENTS, now=NOW)


def expected_text(value: str) -> str:
    return value.replace("\r\n", "\n")


def test_icalendar_reads_back_every_event(feed: bytes) -> None:
    calendar = icalendar.Calendar.from_ical(feed)
    parsed = {str(e["UID"]): e for e in calendar.events}
    assert list(parsed) == [e.uid for e in EVENTS]
    for source in EVENTS:
        read = parsed[source.uid]
        span = (read.start, read.end)
        assert span == (source.start, source.end)
        assert isinstance(read.start, datetime) and read.start.tzinfo is not None
        assert str(read["STATUS"]) == source.status
        assert read["SEQUENCE"] == source.sequence
        assert str(read["SUMMARY"]) == source.summary
        assert str(read.get("LOCATION", "")) == source.location
        assert str(read.get("DESCRIPTION", "")) == expected_text(source.description)
        assert str(read.get("URL", "")) == source.url
        assert read.DTSTAMP == NOW
        assert read.last_modified == (source.last_modified or source.created or NOW)
        assert str(read["TRANSP"]) == ("TRANSPARENT" if source.transparent else "OPAQUE")


def test_ical_reads_back_every_event(feed: bytes) -> None:
    calendar = IcsCalendarStream.calendar_from_ics(feed.decode())
    assert [e.uid for e in calendar.events] == [e.uid for e in EVENTS]
    for source, read in zip(EVENTS, calendar.events, strict=True):
        assert read.dtstart == source.start and read.dtend == source.end
        assert read.status is not None and read.status.value == source.status
        assert read.sequence == source.sequence
        assert read.summary == source.summary
        assert (read.location or "") == source.location
        assert (read.description or "") == expected_text(source.description)
        assert (read.url or "") == source.url
        assert read.dtstamp == NOW
    workshop = calendar.events[EVENTS.index(EVENTS[11])]
    assert workshop.categories == ["Atelier", "Mails photos"]
    assert workshop.created == datetime(2026, 2, 1, 10, 0, tzinfo=UTC)


def test_calendar_properties(feed: bytes) -> None:
    calendar = icalendar.Calendar.from_ical(feed)
    assert calendar.description == META.description
    assert str(calendar["URL"]) == META.url
    assert calendar.refresh_interval == timedelta(hours=1)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert calendar.get_missing_tzids() == set()
    # icalendar 7 keeps NAME and X-WR-* raw (vUnknown); ical unescapes NAME as RFC 7986 TEXT.
    assert "X-WR-CALNAME:Agenda de Zoé\\, conseillère\r\n" in feed.decode()
    strict = IcsCalendarStream.calendar_from_ics(feed.decode())
    assert strict.name == [META.name] and strict.description == [META.description]
    assert strict.refresh_interval == timedelta(hours=1)
    assert str(strict.x_wr_timezone) == "Europe/Paris"


def test_lines_end_with_crlf_and_fit_in_75_octets(feed: bytes) -> None:
    assert feed.endswith(b"END:VCALENDAR\r\n")
    lines = feed.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long summary was folded
    for line in lines:
        line.decode()  # no UTF-8 sequence was split


def test_one_vtimezone_per_zone_used(feed: bytes) -> None:
    text = feed.decode()
    for zone in ("Europe/Paris", "America/Cayenne", "Indian/Reunion"):
        assert text.count(f"TZID:{zone}\r\n") == 1
        assert f"TZID={zone}:" in text
    assert text.count("BEGIN:VTIMEZONE") == 3
    assert "TZID=UTC" not in text and "DTSTART:20260501T120000Z" in text


def test_ambiguous_times_are_written_in_utc_and_others_with_tzid(feed: bytes) -> None:
    text = feed.decode()
    assert "DTSTART:20261025T003000Z\r\nDTEND:20261025T013000Z" in text
    assert "DTSTART:20261025T013000Z\r\nDTEND:20261025T023000Z" in text
    assert "DTSTART;TZID=Europe/Paris:20260329T033000" in text
    overnight = "DTSTART;TZID=Europe/Paris:20261024T233000\r\nDTEND;TZID=Europe/Paris:20261025T0130"
    assert overnight in text
    assert "DTSTART;TZID=America/Cayenne:20260329T090000" in text


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Cayenne", "Indian/Reunion"])
def test_vtimezone_matches_zoneinfo_hour_by_hour(zone: str) -> None:
    text = vtimezone(zone, 2025, 2027)
    component = icalendar.Timezone.from_ical(text.replace(f"TZID:{zone}", f"TZID:Test-{zone}"))
    assert isinstance(component, icalendar.Timezone)
    from_vtimezone = component.to_tz()  # interpreted by dateutil, not by zoneinfo
    reference = ZoneInfo(zone)
    instant = datetime(2025, 1, 1, 12, tzinfo=UTC)
    while instant < datetime(2027, 12, 31, tzinfo=UTC):
        assert instant.astimezone(from_vtimezone).utcoffset() == (
            instant.astimezone(reference).utcoffset()
        ), instant
        instant += timedelta(minutes=30)


def test_output_is_deterministic(feed: bytes) -> None:
    assert build_calendar(META, EVENTS, now=NOW) == feed


@pytest.mark.parametrize("minutes", [0, -30])
def test_end_not_after_start_raises(minutes: int) -> None:
    bad = event("bad", "Europe/Paris", NOW, minutes)
    with pytest.raises(ValueError, match="DTEND"):
        build_calendar(META, [bad], now=NOW)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "CANCELLED", "sequence": 0}, "SEQUENCE"),
        ({"tz": "Europe/Nowhere"}, "time zone"),
        ({"start": datetime(2026, 4, 1, 9), "end": datetime(2026, 4, 1, 10)}, "aware"),
        ({"url": "https://a.example/x y"}, "URI"),
        ({"status": "DONE"}, "status"),
    ],
)
def test_invalid_events_raise(change: dict[str, object], message: str) -> None:
    bad = dataclasses.replace(EVENTS[0], **change)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        build_calendar(META, [bad], now=NOW)


def test_duplicate_uid_raises() -> None:
    with pytest.raises(ValueError, match="twice"):
        build_calendar(META, [EVENTS[0], EVENTS[0]], now=NOW)


def test_single_event_and_empty_calendars_parse() -> None:
    single = build_calendar(CalendarMeta("Votre rendez-vous"), [EVENTS[2]], now=NOW)
    assert len(IcsCalendarStream.calendar_from_ics(single.decode()).events) == 1
    empty = build_calendar(META, [], now=NOW)
    assert IcsCalendarStream.calendar_from_ics(empty.decode()).events == []
    assert b"VTIMEZONE" not in empty and b"X-WR-TIMEZONE" not in empty


def test_refresh_interval_formats() -> None:
    meta = dataclasses.replace(META, refresh=timedelta(days=1, minutes=30))
    assert b"REFRESH-INTERVAL;VALUE=DURATION:P1DT30M\r\n" in build_calendar(meta, [], now=NOW)
    with pytest.raises(ValueError):
        build_calendar(dataclasses.replace(META, refresh=timedelta(0)), [], now=NOW)


def test_escape_text() -> None:
    assert escape_text("a,b;c\\d\ne\r\nf\rg\th\x00") == "a\\,b\\;c\\\\d\\ne\\nf\\ng\th"
    assert escape_text("Médiathèque 🎉") == "Médiathèque 🎉"


@pytest.mark.parametrize("text", ["x" * 200, "é" * 100, "🎉" * 60, "a" + "é" * 80, "ab🎉" * 40])
def test_fold_keeps_characters_whole(text: str) -> None:
    folded = fold("SUMMARY:" + text)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == "SUMMARY:" + text


TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029")
    | st.sampled_from(",;\\\n:\"' "),
    max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(summary=TEXT, location=TEXT, hour=st.integers(0, 23), day=st.integers(0, 400))
def test_any_text_round_trips_through_both_parsers(
    summary: str, location: str, hour: int, day: int
) -> None:
    start = datetime(2026, 1, 1, hour, tzinfo=UTC) + timedelta(days=day)
    source = event("prop", "Europe/Paris", start, summary=summary, location=location)
    data = build_calendar(META, [source], now=NOW)
    read = icalendar.Calendar.from_ical(data).events[0]
    assert str(read["SUMMARY"]) == summary and str(read.get("LOCATION", "")) == location
    span = (read.start, read.end)
    assert span == (source.start, source.end)
    strict = IcsCalendarStream.calendar_from_ics(data.decode()).events[0]
    assert (strict.summary or "") == summary and (strict.location or "") == location
    assert strict.dtstart == source.start and strict.dtend == source.end


def test_vtimezone_spans_local_years_of_events() -> None:
    new_year = local("America/Cayenne", 2026, 12, 31, 23, 0)  # already 2027 in UTC
    data = build_calendar(META, [event("ny", "America/Cayenne", new_year)], now=NOW).decode()
    assert "DTSTART:20260101T000000" in data
    assert date(2027, 1, 1) == new_year.date()
