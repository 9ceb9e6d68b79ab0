"""Logging policy: no personal data in logs.

Our own log lines carry ids and codes only. Some libraries log query parameters or request
URLs at DEBUG (aiosqlite logs every statement with its values; httpx logs URLs, which can
hold management tokens): their loggers are capped at WARNING whatever the root level.
"""

from __future__ import annotations

import logging

CHATTY_LIBRARIES = ("aiosqlite", "httpx", "httpcore", "twilio.http_client", "asyncio")
NOISY_LIBRARIES = ("apscheduler",)  # a line per timer tick otherwise


def quiet_personal_data_loggers() -> None:
    for name in CHATTY_LIBRARIES + NOISY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
