"""Links put in workshop SMS and pages, and the management token behind them.

A registration's token is derived from its random ``group_key`` with the server secret
(HMAC-SHA256): only its hash is stored, yet the same link can be sent again later (a
waiting-list offer reaches the resident with the link they got when they registered).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from booking.auth.secrets import hash_token
from booking.settings import Settings

TOKEN_LENGTH = 32  # 192 bits of an HMAC-SHA256, URL-safe


def new_group_key() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True, slots=True)
class WorkshopLinks:
    base_url: str
    secret: str

    def token(self, group_key: str) -> str:
        digest = hmac.new(
            self.secret.encode(), f"workshop-registration:{group_key}".encode(), hashlib.sha256
        ).digest()
        return base64.urlsafe_b64encode(digest).decode()[:TOKEN_LENGTH]

    def token_hash(self, group_key: str) -> str:
        return hash_token(self.token(group_key))

    def manage(self, group_key: str) -> str:
        return f"{self.base_url}/a/{self.token(group_key)}"

    def series(self, series_id: int) -> str:
        return f"{self.base_url}/atelier/{series_id}"


def links_from_settings(settings: Settings) -> WorkshopLinks:
    return WorkshopLinks(base_url=settings.public_base_url, secret=settings.secret_key)
