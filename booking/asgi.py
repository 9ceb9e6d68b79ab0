"""ASGI entry for servers with several workers: ``uvicorn --factory booking.asgi:build``."""

from __future__ import annotations

from litestar import Litestar

from booking.app import create_app
from booking.settings import load_settings
from booking.sms import sender_from_settings


def build() -> Litestar:
    settings = load_settings()
    return create_app(settings, sms_sender=sender_from_settings(settings))
