"""Request-level authentication: the staff principal behind the session cookie."""

from __future__ import annotations

from typing import Any

from litestar import Request

from booking.auth.permissions import ANYWHERE, Action, Principal, Target, allowed
from booking.auth.sessions import principal_for_session
from booking.context import request_context
from booking.errors import Forbidden, NotAuthenticated

SESSION_COOKIE = "creneau_session"


async def current_principal(request: Request[Any, Any, Any]) -> Principal:
    """Litestar dependency: the signed-in staff member, or 401."""
    cached = request.scope.get("state", {}).get("principal")
    if isinstance(cached, Principal):
        return cached
    raw = request.cookies.get(SESSION_COOKIE)
    principal = None
    if raw:
        principal = await principal_for_session(raw, request_context(request).clock())
    if principal is None:
        raise NotAuthenticated("Connectez-vous pour accéder à cet espace.")
    request.state.principal = principal
    return principal


def require(principal: Principal, action: Action, target: Target = ANYWHERE) -> None:
    if not allowed(principal, action, target):
        raise Forbidden("Vous n'avez pas accès à cette ressource.")
