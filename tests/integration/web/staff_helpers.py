"""Signing staff in for page tests."""

from __future__ import annotations

import httpx

from booking.demo import DEMO_PASSWORD
from tests.support.fixtures import sign_in

ADMIN = "admin@creneau.demo"
RANCE_COORDINATOR = "coordination.rance@creneau.demo"
PLEUDIHEN_AGENT = "accueil.pleudihen@creneau.demo"
GERZAT_AGENT = "accueil.gerzat@creneau.demo"
RANCE_COUNSELLOR = "conseillere.rance@creneau.demo"
GERZAT_COUNSELLOR = "conseiller.gerzat@creneau.demo"


async def signed_in(client: httpx.AsyncClient, email: str) -> None:
    response = await sign_in(client, email, DEMO_PASSWORD)
    assert response.status_code in (302, 303), response.text
