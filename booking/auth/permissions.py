"""Who may do what, on which scope. Pure: the matrix lives here and nowhere else.

A principal holds role assignments; a target describes the scope of the object acted on
(the conventions covering it, its commune, its counsellor). An action is allowed when one of
the principal's roles grants it *and* that role's scope contains the target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    AGENT = "agent"
    COUNSELLOR = "counsellor"


class Action(StrEnum):
    MANAGE_STAFF = "manage_staff"
    MANAGE_CONVENTION = "manage_convention"
    VIEW_AGENDA = "view_agenda"
    BOOK = "book"
    MANAGE_AVAILABILITY = "manage_availability"
    MANAGE_WORKSHOPS = "manage_workshops"
    FIND_RESIDENT = "find_resident"
    VIEW_OUTBOX = "view_outbox"
    MANAGE_FEED = "manage_feed"
    MANAGE_RESIDENT_DATA = "manage_resident_data"


GRANTS: dict[Action, frozenset[Role]] = {
    Action.MANAGE_STAFF: frozenset({Role.ADMIN}),
    Action.MANAGE_CONVENTION: frozenset({Role.ADMIN, Role.COORDINATOR}),
    Action.VIEW_AGENDA: frozenset(Role),
    Action.BOOK: frozenset(Role),
    Action.MANAGE_AVAILABILITY: frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    Action.MANAGE_WORKSHOPS: frozenset(Role),
    Action.FIND_RESIDENT: frozenset(Role),
    Action.VIEW_OUTBOX: frozenset({Role.ADMIN, Role.COORDINATOR, Role.AGENT}),
    Action.MANAGE_FEED: frozenset({Role.ADMIN, Role.COUNSELLOR}),
    Action.MANAGE_RESIDENT_DATA: frozenset({Role.ADMIN, Role.COORDINATOR}),
}


@dataclass(frozen=True, slots=True)
class Target:
    """The scope of an object: empty fields mean 'not tied to that dimension'."""

    convention_ids: frozenset[int] = frozenset()
    commune_ids: frozenset[int] = frozenset()
    counsellor_ids: frozenset[int] = frozenset()


ANYWHERE = Target()


@dataclass(frozen=True, slots=True)
class Principal:
    staff_id: int
    display_name: str
    admin: bool = False
    conventions: frozenset[int] = field(default_factory=frozenset)
    communes: frozenset[int] = field(default_factory=frozenset)
    counsellors: frozenset[int] = field(default_factory=frozenset)
    scopes: frozenset[Action] | None = None  # an API token's subset of actions; None: all

    @property
    def roles(self) -> frozenset[Role]:
        held = {Role.ADMIN} if self.admin else set()
        if self.conventions:
            held.add(Role.COORDINATOR)
        if self.communes:
            held.add(Role.AGENT)
        if self.counsellors:
            held.add(Role.COUNSELLOR)
        return frozenset(held)


def _in_scope(principal: Principal, role: Role, target: Target) -> bool:
    if role is Role.ADMIN:
        return principal.admin
    if target is ANYWHERE:
        # A role-wide action (a listing filtered by scope later, a search form).
        return True
    if role is Role.COORDINATOR:
        return bool(principal.conventions & target.convention_ids)
    if role is Role.AGENT:
        return bool(principal.communes & target.commune_ids)
    return bool(principal.counsellors & target.counsellor_ids)


def allowed(principal: Principal, action: Action, target: Target = ANYWHERE) -> bool:
    if principal.scopes is not None and action not in principal.scopes:
        return False
    return any(
        _in_scope(principal, role, target)
        for role in principal.roles & GRANTS[action]
    )
