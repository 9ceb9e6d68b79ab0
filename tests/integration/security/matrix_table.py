"""The authorization matrix's model: a route's entry (the action it requires, the scope of
the object it acts on, a minimal valid request) and who may pass. ``expected`` derives it from
``GRANTS`` and the hand-written ``REACH`` below, never from the routes' own code. The entries
are in ``matrix_routes_api`` and ``matrix_routes_pages``.

Scope kinds (the object is the in-scope one of ``matrix_objects``):
- appointment: its venue's commune, the conventions covering it, its counsellor
- counsellor: the counsellor and their conventions
- commune / venue: the commune and the conventions covering it
- convention_members: a convention, its communes and its counsellors (the desk's search)
- workshop_series: its convention, its venue's commune, its animators
- resident: the communes where they were received (and their conventions), the counsellors
  who received them
- any_staff: no object (a form, a listing filtered by scope): every role granted the action
- self: the principal's own account; self_session: the same, signed in (not an API token)
- own_token: the token's owner, or an admin
- public: no sign-in (login and logout; tested on their own)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from booking.auth.permissions import GRANTS, Action, Role
from tests.integration.security.matrix_objects import World
from tests.integration.security.matrix_principals import StaffSpec

Kind = Literal[
    "appointment",
    "counsellor",
    "commune",
    "venue",
    "convention_members",
    "workshop_series",
    "resident",
    "any_staff",
    "self",
    "self_session",
    "own_token",
    "public",
]
Maker = Callable[[World], Any]

# Whose role scope (besides the admin's) holds the in-scope object of each kind.
REACH: dict[str, frozenset[str]] = {
    "appointment": frozenset({"coord_rance", "agent_pleudihen", "camille"}),
    "counsellor": frozenset({"coord_rance", "camille"}),
    "commune": frozenset({"coord_rance", "agent_pleudihen"}),
    "venue": frozenset({"coord_rance", "agent_pleudihen"}),
    "convention_members": frozenset(
        {"coord_rance", "agent_pleudihen", "agent_saint_helen", "camille", "yann"}
    ),
    "workshop_series": frozenset({"coord_rance", "agent_pleudihen", "camille"}),
    "resident": frozenset({"coord_rance", "agent_pleudihen", "camille"}),
}


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str  # the template, as the app routes it
    action: Action | None
    kind: Kind
    json: Maker | None = None
    form: Maker | None = None
    files: Maker | None = None
    query: Maker | None = None
    also: Action | None = None  # a role-wide action the route checks as well
    refused_status: int = 403
    # A listing filtered by scope: (text of the in-scope object, its kind). The allowed
    # principals see the text exactly when the object is in their scope.
    marker: tuple[str, str] | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)


def expected(spec: StaffSpec, route: Route) -> bool:
    if route.kind == "self":
        return True
    if route.kind == "self_session":
        return spec.token_scopes is None
    if route.kind == "own_token":  # the token to revoke is Camille's
        return spec.role is Role.ADMIN or spec.reach_key == "camille"
    for action in (route.also, route.action):
        if action is None:
            continue
        if spec.token_scopes is not None and action not in spec.token_scopes:
            return False
        if spec.role not in GRANTS[action]:
            return False
    return (
        spec.role is Role.ADMIN or route.kind == "any_staff" or spec.reach_key in REACH[route.kind]
    )


def sees(spec: StaffSpec, kind: str) -> bool:
    return spec.role is Role.ADMIN or spec.reach_key in REACH[kind]
