"""The role x scope matrix, checked on the pure decision function."""

from __future__ import annotations

import pytest

from booking.auth.permissions import ANYWHERE, GRANTS, Action, Principal, Target, allowed

ADMIN = Principal(1, "admin", admin=True)
COORD = Principal(2, "coord", conventions=frozenset({10}))
AGENT = Principal(3, "agent", communes=frozenset({100}))
COUNSELLOR = Principal(4, "cns", counsellors=frozenset({1000}))
NOBODY = Principal(5, "nobody")

IN_SCOPE = Target(convention_ids=frozenset({10}), commune_ids=frozenset({100}),
                  counsellor_ids=frozenset({1000}))
OTHER = Target(convention_ids=frozenset({11}), commune_ids=frozenset({101}),
               counsellor_ids=frozenset({1001}))


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("principal", [ADMIN, COORD, AGENT, COUNSELLOR, NOBODY],
                         ids=lambda p: p.display_name)
def test_in_scope_follows_grants_and_out_of_scope_is_refused(
    principal: Principal, action: Action
) -> None:
    granted = bool(principal.roles & GRANTS[action])
    assert allowed(principal, action, IN_SCOPE) is granted
    assert allowed(principal, action, OTHER) is (principal is ADMIN)


def test_staff_without_roles_can_do_nothing() -> None:
    assert not any(allowed(NOBODY, action, ANYWHERE) for action in Action)


def test_agent_never_manages_availability_or_staff() -> None:
    assert not allowed(AGENT, Action.MANAGE_AVAILABILITY, IN_SCOPE)
    assert not allowed(AGENT, Action.MANAGE_STAFF, ANYWHERE)
    assert not allowed(COORD, Action.MANAGE_STAFF, ANYWHERE)
