"""The staff landing page: who is signed in and what they can reach."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from booking.web.guards import current_principal


@get("/staff", include_in_schema=False)
async def staff_home(request: Request[Any, Any, Any]) -> Template:
    principal = await current_principal(request)
    return Template("staff/home.html", context={"principal": principal,
                                                "roles": sorted(principal.roles)})
