"""Every integration test gets an empty migrated database."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _integration_db(db: None) -> None:
    return None
