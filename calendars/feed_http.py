"""HTTP caching helpers for calendar feeds (RFC 9110 validators, conditional GET)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

_ENTITY_TAG = re.compile(r'\s*(W/)?("[^"]*"|[^,\s]+)\s*(?:,|$)')


def compute_etag(body: bytes, tag: str = "") -> str:
    """Strong, quoted ETag derived from the body (and ``tag``, when the same body must be
    told apart, e.g. under a new secret link)."""
    digest = hashlib.sha256(body)
    if tag:
        digest.update(b"\0" + tag.encode())
    return '"' + digest.hexdigest()[:32] + '"'


def last_modified_header(moment: datetime) -> str:
    """IMF-fixdate, e.g. ``Sun, 29 Mar 2026 01:00:00 GMT``."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _opaque(tag: str) -> str:
    return tag.strip('"')


def _etag_matches(etag: str, if_none_match: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored on both sides."""
    if if_none_match.strip() == "*":
        return True
    ours = _opaque(etag.removeprefix("W/"))
    return any(_opaque(match[1]) == ours for match in _ENTITY_TAG.findall(if_none_match))


def _parse_http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def is_not_modified(
    *,
    etag: str,
    last_modified: datetime,
    if_none_match: str | None,
    if_modified_since: str | None,
) -> bool:
    """True when a GET may be answered 304 (RFC 9110 13.2.2 order of evaluation).

    If-None-Match, when present, decides alone; an unparsable If-Modified-Since is ignored.
    """
    if if_none_match is not None and if_none_match.strip():
        return _etag_matches(etag, if_none_match)
    if not if_modified_since:
        return False
    since = _parse_http_date(if_modified_since)
    if since is None:
        return False
    return last_modified.astimezone(UTC).replace(microsecond=0) <= since


def webcal_url(https_url: str) -> str:
    """The webcal:// form of an http(s) feed URL (calendar apps subscribe on click)."""
    scheme, sep, rest = https_url.partition("://")
    if not sep or scheme.lower() not in {"https", "http"}:
        raise ValueError(f"not an http(s) URL: {https_url!r}")
    return "webcal://" + rest
