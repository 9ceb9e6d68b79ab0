"""The staff principals of the authorization matrix: in scope of the Rance objects at
Pleudihen-sur-Rance, or out of it (another commune, counsellor or convention)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from booking.auth.permissions import Action, Role

PASSWORD = "demo-creneau-2026"


@dataclass(frozen=True, slots=True)
class StaffSpec:
    """A test principal: one role; ``reach`` names whose scope it shares (the token
    principal reaches what its owner reaches); ``token_scopes``: signs in with an API token
    of that account limited to these actions instead of a session."""

    key: str
    email: str
    role: Role
    reach: str = ""
    token_scopes: frozenset[Action] | None = None

    @property
    def reach_key(self) -> str:
        return self.reach or self.key


PRINCIPALS = (
    StaffSpec("admin", "admin@creneau.demo", Role.ADMIN),
    StaffSpec("coord_rance", "coordination.rance@creneau.demo", Role.COORDINATOR),
    StaffSpec("agent_pleudihen", "accueil.pleudihen@creneau.demo", Role.AGENT),
    StaffSpec("camille", "conseillere.rance@creneau.demo", Role.COUNSELLOR),
    StaffSpec(
        "camille_token",
        "conseillere.rance@creneau.demo",
        Role.COUNSELLOR,
        "camille",
        frozenset({Action.VIEW_AGENDA}),
    ),
    # Same convention, another commune / another counsellor.
    StaffSpec("agent_saint_helen", "accueil.saint-helen@creneau.test", Role.AGENT),
    StaffSpec("yann", "yann.rance@creneau.test", Role.COUNSELLOR),
    # Another convention.
    StaffSpec("agent_gerzat", "accueil.gerzat@creneau.demo", Role.AGENT),
    StaffSpec("karim", "conseiller.gerzat@creneau.demo", Role.COUNSELLOR),
    StaffSpec("coord_gerzat", "coordination.gerzat@creneau.test", Role.COORDINATOR),
)


async def create_test_staff(demo: dict[str, Any]) -> None:
    """Accounts the demo does not have: Saint-Hélen's agent, a second Rance counsellor,
    a coordinator of Gerzat–Royat."""
    from booking.auth.sessions import RoleGrant, create_staff
    from booking.tables import ConventionCounsellor, Counsellor

    yann = Counsellor(first_name="Yann", last_name="Guivarch", email="yann.rance@creneau.test")
    await yann.save()
    await ConventionCounsellor(convention=demo["convention"]["rance"], counsellor=yann.id).save()
    for email, grant, counsellor in (
        (
            "accueil.saint-helen@creneau.test",
            RoleGrant(Role.AGENT, commune_id=demo["commune"]["22296"]),
            None,
        ),
        ("yann.rance@creneau.test", RoleGrant(Role.COUNSELLOR, counsellor_id=yann.id), yann.id),
        (
            "coordination.gerzat@creneau.test",
            RoleGrant(Role.COORDINATOR, convention_id=demo["convention"]["gerzat-royat"]),
            None,
        ),
    ):
        await create_staff(
            email=email,
            display_name=email.split("@")[0],
            password=PASSWORD,
            grants=[grant],
            counsellor_id=counsellor,
        )
