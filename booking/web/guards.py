"""Request-level authentication: the staff principal behind the session cookie."""

from __future__ import annotations

from typing import Any

from litestar import Request

from booking.auth.api_tokens import principal_for_token
from booking.auth.permissions import ANYWHERE, Action, Principal, Target, allowed
from booking.auth.secrets import constant_time_equal
from booking.auth.sessions import principal_for_session
from booking.context import request_context
from booking.errors import Forbidden, NotAuthenticated

SESSION_COOKIE = "creneau_session"
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _check_api_csrf(request: Request[Any, Any, Any]) -> None:
    """Cookie-authenticated API writes carry the CSRF cookie's value in a header (double
    submit): a cross-site page can make the browser send the cookie, not read it."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not constant_time_equal(cookie, header):
        raise Forbidden("Jeton CSRF manquant ou invalide.")


async def current_principal(request: Request[Any, Any, Any]) -> Principal:
    """Litestar dependency: the signed-in staff member, or 401."""
    cached = request.scope.get("state", {}).get("principal")
    if isinstance(cached, Principal):
        return cached
    now = request_context(request).clock()
    bearer = request.headers.get("authorization", "")
    if bearer.lower().startswith("bearer "):
        principal = await principal_for_token(bearer[7:].strip(), now)
        if principal is None:
            raise NotAuthenticated("Jeton d'API invalide ou révoqué.")
        request.state.principal = principal
        return principal
    raw = request.cookies.get(SESSION_COOKIE)
    if raw and request.method not in SAFE_METHODS and request.url.path.startswith("/api/"):
        _check_api_csrf(request)
    principal = None
    if raw:
        principal = await principal_for_session(raw, now)
    if principal is None:
        raise NotAuthenticated("Connectez-vous pour accéder à cet espace.")
    request.state.principal = principal
    return principal


def require(principal: Principal, action: Action, target: Target = ANYWHERE) -> None:
    if not allowed(principal, action, target):
        raise Forbidden("Vous n'avez pas accès à cette ressource.")
