"""Calendar feeds over HTTP: ``text/calendar``, validators, conditional GET, HEAD.

``ETag`` is a hash of the body, so it is exact; ``Last-Modified`` is the latest recorded
change of the feed's rows or the moment its window last moved (midnight UTC), whichever is
later. A change that leaves no timestamp (a venue renamed) is caught by the ``ETag`` at once
and by ``If-Modified-Since`` the next day at the latest.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, route
from litestar.enums import HttpMethod
from litestar.params import FromPath, FromQuery

from booking.context import request_context
from booking.errors import NotFound
from booking.services import feeds, feeds_public
from booking.services.appointments import by_token
from booking.services.feed_cache import FEEDS
from booking.services.feed_model import Feed, FeedLinks, FeedSource
from calendars.feed_http import is_not_modified, last_modified_header

METHODS = [HttpMethod.GET, HttpMethod.HEAD]
PRIVATE_MAX_AGE = 300
PUBLIC_MAX_AGE = 900
GONE = "Ce calendrier n'existe pas ou son lien a été révoqué."


def feed_links(request: Request[Any, Any, Any]) -> FeedLinks:
    return FeedLinks(request_context(request).settings.public_base_url)


async def calendar_response(
    request: Request[Any, Any, Any],
    source: FeedSource | Feed,
    *,
    public: bool,
    max_age: int,
    filename: str = "",
) -> Response[bytes]:
    rendered = await FEEDS.render(
        source if isinstance(source, FeedSource) else FeedSource.of(source)
    )
    body, etag = rendered.body, rendered.etag
    headers = {
        "ETag": etag,
        "Last-Modified": last_modified_header(rendered.last_modified),
        "Cache-Control": f"{'public' if public else 'private'}, max-age={max_age}",
    }
    if public:
        headers["Access-Control-Allow-Origin"] = "*"
        headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
    else:
        headers["X-Robots-Tag"] = "noindex, nofollow"
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if is_not_modified(
        etag=etag,
        last_modified=rendered.last_modified,
        if_none_match=request.headers.get("if-none-match"),
        if_modified_since=request.headers.get("if-modified-since"),
    ):
        return Response(b"", status_code=304, headers=headers)
    if request.method == HttpMethod.HEAD:
        headers["Content-Type"] = "text/calendar; charset=utf-8"
        headers["Content-Length"] = str(len(body))
        return Response(b"", status_code=200, headers=headers)
    return Response(body, status_code=200, media_type="text/calendar", headers=headers)


def _ics_stem(name: str) -> str:
    stem = name.removesuffix(".ics")
    if stem == name or not stem:
        raise NotFound(GONE)
    return stem


def _ics_id(name: str) -> int:
    stem = _ics_stem(name)
    if not stem.isdigit() or len(stem) > 9:
        raise NotFound(GONE)
    return int(stem)


@route("/feeds/counsellor/{name:str}", http_method=METHODS, include_in_schema=False)
async def counsellor_feed(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """A counsellor's private feed; an unknown or revoked token answers 404."""
    owner = await feeds.owner_of_token(_ics_stem(name))
    if owner is None:
        raise NotFound(GONE)
    feed = await feeds.counsellor_source(
        owner, now=request_context(request).clock(), links=feed_links(request)
    )
    return await calendar_response(request, feed, public=False, max_age=PRIVATE_MAX_AGE)


async def _place_response(
    request: Request[Any, Any, Any], kind: str, name: str, permanences: str
) -> Response[bytes]:
    place = await feeds_public.find_place(kind, _ics_id(name))
    feed = await feeds_public.place_source(
        place,
        now=request_context(request).clock(),
        links=feed_links(request),
        permanences=permanences.lower() in ("1", "true", "oui", "yes"),
    )
    return await calendar_response(request, feed, public=True, max_age=PUBLIC_MAX_AGE)


@route("/feeds/communes/{name:str}", http_method=METHODS, include_in_schema=False)
async def commune_feed(
    request: Request[Any, Any, Any], name: FromPath[str], permanences: FromQuery[str] = ""
) -> Response[bytes]:
    return await _place_response(request, "commune", name, permanences)


@route("/feeds/venues/{name:str}", http_method=METHODS, include_in_schema=False)
async def venue_feed(
    request: Request[Any, Any, Any], name: FromPath[str], permanences: FromQuery[str] = ""
) -> Response[bytes]:
    return await _place_response(request, "venue", name, permanences)


@route("/feeds/conventions/{name:str}", http_method=METHODS, include_in_schema=False)
async def convention_feed(
    request: Request[Any, Any, Any], name: FromPath[str], permanences: FromQuery[str] = ""
) -> Response[bytes]:
    return await _place_response(request, "convention", name, permanences)


@route("/feeds/sessions/{name:str}", http_method=METHODS, include_in_schema=False)
async def session_feed(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    session_id = _ics_id(name)
    feed = await feeds_public.session_feed(
        session_id, now=request_context(request).clock(), links=feed_links(request)
    )
    return await calendar_response(
        request, feed, public=True, max_age=PUBLIC_MAX_AGE, filename=f"atelier-{session_id}.ics"
    )


@route("/r/{token:str}/rdv.ics", http_method=METHODS, include_in_schema=False)
async def resident_appointment(
    request: Request[Any, Any, Any], token: FromPath[str]
) -> Response[bytes]:
    """The resident's appointment, from their management link (valid until it ends)."""
    appointment = await by_token(token, request_context(request).clock())
    feed = await feeds_public.resident_appointment_feed(
        appointment, token, links=feed_links(request)
    )
    return await calendar_response(
        request, feed, public=False, max_age=60, filename="rendez-vous.ics"
    )


HANDLERS = [
    counsellor_feed,
    commune_feed,
    venue_feed,
    convention_feed,
    session_feed,
    resident_appointment,
]
