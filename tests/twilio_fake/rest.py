"""The REST shapes of the fake: Messages create, list (filters, paging) and fetch."""

from __future__ import annotations

import base64
import re
import secrets
from typing import Any
from urllib.parse import urlencode

from tests.twilio_fake.state import API_VERSION, FakeMessage, FakeState, new_sid

Answer = tuple[int, dict[str, Any], dict[str, str]]
"""HTTP status, JSON payload, extra headers."""

_LIST = re.compile(rf"/{API_VERSION}/Accounts/(?P<account>AC\w+)/Messages\.json")
_ONE = re.compile(rf"/{API_VERSION}/Accounts/(?P<account>AC\w+)/Messages/(?P<sid>\w+)\.json")
_E164 = re.compile(r"\+[1-9]\d{6,14}")
_SERVICE_SID = re.compile(r"MG[0-9a-fA-F]{32}")


def route(
    state: FakeState,
    account_sid: str,
    method: str,
    path: str,
    query: dict[str, str],
    form: dict[str, str],
) -> Answer:
    """(status, JSON payload, extra headers) for an authenticated request."""
    if (one := _ONE.fullmatch(path)) and method == "GET":
        if one["account"] != account_sid:
            return error(404, 20404, "The requested resource was not found")
        found = state.get(one["sid"])
        if found is None or found.account_sid != account_sid:
            return error(404, 20404, "The requested resource was not found")
        return 200, found.to_json(), {}
    listing = _LIST.fullmatch(path)
    if listing is None:
        return error(404, 20404, "The requested resource was not found")
    if listing["account"] != account_sid:
        return error(404, 20404, "The requested resource was not found")
    if method == "GET":
        return 200, _page(state, account_sid, path, query), {}
    if method == "POST":
        return _create(state, account_sid, form)
    return error(405, 20004, "Method not allowed")


def _create(state: FakeState, account_sid: str, form: dict[str, str]) -> Answer:
    to, body = form.get("To", ""), form.get("Body", "")
    sender, service = form.get("From") or None, form.get("MessagingServiceSid") or None
    if not to:
        return error(400, 21604, "A 'To' phone number is required.")
    if not body:
        return error(400, 21602, "Message body is required.")
    if not sender and not service:
        return error(400, 21603, "A 'From' phone number is required.")
    if service and not _SERVICE_SID.fullmatch(service):
        return error(400, 21705, "The Messaging Service Sid is invalid.")
    if not _E164.fullmatch(to):
        return error(400, 21211, f"Invalid 'To' Phone Number: {to}")
    now = state.clock()
    message = FakeMessage(
        sid=new_sid("SM"),
        account_sid=account_sid,
        to=to,
        body=body,
        from_=sender,
        messaging_service_sid=service,
        status_callback=form.get("StatusCallback") or None,
        status="accepted" if service and not sender else "queued",
        date_created=now,
        date_updated=now,
    )
    state.add_message(message)
    return 201, message.to_json(), {}


def _page(state: FakeState, account_sid: str, path: str, query: dict[str, str]) -> dict[str, Any]:
    found = state.search(account_sid, query)
    size = max(1, min(int(query.get("PageSize", "50")), 1000))
    page = max(0, int(query.get("Page", "0")))
    chunk = found[page * size : (page + 1) * size]
    filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

    def uri(number: int) -> str:
        return f"{path}?{urlencode({**filters, 'PageSize': size, 'Page': number})}"

    return {
        "messages": [m.to_json() for m in chunk],
        "end": page * size + max(len(chunk) - 1, 0),
        "first_page_uri": uri(0),
        "next_page_uri": uri(page + 1) if (page + 1) * size < len(found) else None,
        "page": page,
        "page_size": size,
        "previous_page_uri": uri(page - 1) if page > 0 else None,
        "start": page * size,
        "uri": uri(page),
    }


def basic_auth_ok(header: str | None, account_sid: str, auth_token: str) -> bool:
    if not header or not header.startswith("Basic "):
        return False
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return False
    return secrets.compare_digest(f"{user}:{password}", f"{account_sid}:{auth_token}")


def error(status: int, code: int | None, message: str) -> Answer:
    more = f"https://www.twilio.com/docs/errors/{code}"
    return status, {"code": code, "message": message, "more_info": more, "status": status}, {}
