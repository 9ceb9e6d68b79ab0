"""Staff sign-in and sign-out pages."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from booking.auth import sessions
from booking.context import client_address, request_context
from booking.errors import LoginRefused, TooManyAttempts
from booking.web.guards import SESSION_COOKIE, current_principal


class LoginForm(msgspec.Struct):
    email: str = ""
    password: str = ""
    next: str = ""


def _safe_next(target: str) -> str:
    return target if target.startswith("/staff") and "//" not in target else "/staff"


@get("/staff/login", include_in_schema=False)
async def login_page(request: Request[Any, Any, Any]) -> Template:
    target = _safe_next(request.query_params.get("next", ""))
    return Template("staff/login.html", context={"next": target, "errors": []})


@post("/staff/login", include_in_schema=False)
async def login_submit(
    request: Request[Any, Any, Any],
    data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Template | Redirect:
    ctx = request_context(request)
    try:
        token = await sessions.login(email=data.email[:254], password=data.password[:1024],
                                     address=client_address(request), now=ctx.clock())
    except (LoginRefused, TooManyAttempts) as refused:
        return Template("staff/login.html", status_code=refused.status,
                        context={"next": _safe_next(data.next), "email": data.email[:254],
                                 "errors": [refused.message]})
    response = Redirect(_safe_next(data.next))
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=ctx.settings.public_base_url.startswith("https://"),
                        max_age=int(sessions.SESSION_LIFETIME.total_seconds()), path="/")
    return response


@post("/staff/logout", include_in_schema=False)
async def logout(request: Request[Any, Any, Any]) -> Redirect:
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        await sessions.logout(raw)
    response = Redirect("/staff/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@post("/staff/logout-everywhere", include_in_schema=False)
async def logout_everywhere(request: Request[Any, Any, Any]) -> Redirect:
    principal = await current_principal(request)
    await sessions.logout_everywhere(principal.staff_id, request_context(request).clock())
    response = Redirect("/staff/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
