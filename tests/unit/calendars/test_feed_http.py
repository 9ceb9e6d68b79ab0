from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from calendars.feed_http import compute_etag, is_not_modified, last_modified_header, webcal_url

BODY = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
ETAG = compute_etag(BODY)
MODIFIED = datetime(2026, 3, 29, 1, 0, 30, 123456, tzinfo=UTC)
MODIFIED_HTTP = "Sun, 29 Mar 2026 01:00:30 GMT"


def test_etag_is_strong_quoted_and_content_based() -> None:
    assert ETAG.startswith('"') and ETAG.endswith('"') and not ETAG.startswith("W/")
    assert compute_etag(BODY) == ETAG
    assert compute_etag(BODY + b" ") != ETAG


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (MODIFIED, MODIFIED_HTTP),
        (datetime(2026, 3, 29, 3, 0, 30, tzinfo=timezone(timedelta(hours=2))), MODIFIED_HTTP),
        (datetime(2026, 1, 5, 9, 7, 3, tzinfo=UTC), "Mon, 05 Jan 2026 09:07:03 GMT"),
    ],
)
def test_last_modified_header(moment: datetime, expected: str) -> None:
    assert last_modified_header(moment) == expected


def test_last_modified_header_requires_aware_datetime() -> None:
    with pytest.raises(ValueError):
        last_modified_header(datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("if_none_match", "if_modified_since", "expected"),
    [
        (None, None, False),
        (ETAG, None, True),
        (f"W/{ETAG}", None, True),  # weak comparison
        (f'"other", {ETAG}', None, True),
        (f'"other",W/{ETAG} , "x"', None, True),
        ("*", None, True),
        (' "other" ', None, False),
        (ETAG.strip('"'), None, True),  # unquoted, as some clients send it
        ('"other"', MODIFIED_HTTP, False),  # If-None-Match decides alone
        ('"other"', "Mon, 01 Jan 2035 00:00:00 GMT", False),
        (ETAG, "Mon, 01 Jan 2001 00:00:00 GMT", True),
        ("", MODIFIED_HTTP, True),  # an empty If-None-Match counts as absent
        (None, MODIFIED_HTTP, True),  # sub-second part of Last-Modified is ignored
        (None, "Sun, 29 Mar 2026 01:00:29 GMT", False),
        (None, "Sun, 29 Mar 2026 01:00:31 GMT", True),
        (None, "Sunday, 29-Mar-26 01:00:30 GMT", True),  # RFC 850 form
        (None, "Sun Mar 29 01:00:30 2026", True),  # asctime form
        (None, "Sun, 29 Mar 2026 03:00:30 +0200", True),
        (None, "garbage", False),
        (None, "Sun, 32 Mar 2026 01:00:30 GMT", False),
        (None, "", False),
    ],
)
def test_is_not_modified(
    if_none_match: str | None, if_modified_since: str | None, expected: bool
) -> None:
    assert (
        is_not_modified(
            etag=ETAG,
            last_modified=MODIFIED,
            if_none_match=if_none_match,
            if_modified_since=if_modified_since,
        )
        is expected
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://creneau.example/feeds/a.ics?t=1", "webcal://creneau.example/feeds/a.ics?t=1"),
        ("HTTP://localhost:8000/f.ics", "webcal://localhost:8000/f.ics"),
    ],
)
def test_webcal_url(url: str, expected: str) -> None:
    assert webcal_url(url) == expected


@pytest.mark.parametrize("url", ["ftp://x/y", "creneau.example/f.ics", "webcal://x/y"])
def test_webcal_url_rejects_other_schemes(url: str) -> None:
    with pytest.raises(ValueError):
        webcal_url(url)
