"""What the fake Twilio remembers: messages, scripted answers, requests. Thread-safe."""

from __future__ import annotations

import secrets
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import Any

from notifications.gsm import segment_count

API_VERSION = "2010-04-01"
SENT_STATUSES = frozenset({"sending", "sent", "delivered", "undelivered", "failed", "read"})


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def rfc2822(moment: datetime | None) -> str | None:
    return None if moment is None else format_datetime(moment.astimezone(UTC))


@dataclass
class FakeMessage:
    sid: str
    account_sid: str
    to: str
    body: str
    from_: str | None
    messaging_service_sid: str | None
    status_callback: str | None
    status: str
    date_created: datetime
    date_updated: datetime
    date_sent: datetime | None = None  # set once the message leaves the queue
    error_code: int | None = None
    direction: str = "outbound-api"

    def to_json(self) -> dict[str, Any]:
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}.json"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": rfc2822(self.date_created),
            "date_sent": rfc2822(self.date_sent),
            "date_updated": rfc2822(self.date_updated),
            "direction": self.direction,
            "error_code": self.error_code,
            "error_message": None,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(segment_count(self.body)),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": self.to,
            "uri": uri,
        }


@dataclass(frozen=True)
class Scripted:
    """One scripted answer, used by the next request whose method matches (None: any).

    ``status`` None answers normally after ``delay`` seconds; ``crash_after_accept`` records
    the message then closes the connection without a word (Twilio accepted, we died).
    """

    status: int | None = None
    code: int | None = None
    message: str = "Scripted failure"
    retry_after: float | None = None
    delay: float = 0.0
    crash_after_accept: bool = False
    method: str | None = "POST"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str] = field(repr=False)


def _date_filter(op: str, value: str) -> Callable[[datetime], bool]:
    """Twilio's DateSent filters: a whole UTC day (YYYY-MM-DD) or an instant."""
    if len(value) == 10:
        day = date.fromisoformat(value)
        return {
            ">": lambda m: m.astimezone(UTC).date() >= day,
            "<": lambda m: m.astimezone(UTC).date() <= day,
            "": lambda m: m.astimezone(UTC).date() == day,
        }[op]
    instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return {">": lambda m: m >= instant, "<": lambda m: m <= instant, "": lambda m: m == instant}[
        op
    ]


class FakeState:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._messages: list[FakeMessage] = []
        self._scripts: deque[Scripted] = deque()
        self._requests: list[RecordedRequest] = []

    def record_request(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def add_script(self, *scripts: Scripted) -> None:
        with self._lock:
            self._scripts.extend(scripts)

    def next_script(self, method: str) -> Scripted | None:
        with self._lock:
            for script in self._scripts:
                if script.method is None or script.method == method:
                    self._scripts.remove(script)
                    return script
        return None

    def add_message(self, message: FakeMessage) -> None:
        with self._lock:
            self._messages.append(message)

    def messages(self) -> list[FakeMessage]:
        with self._lock:
            return [replace(m) for m in self._messages]

    def get(self, sid: str) -> FakeMessage | None:
        with self._lock:
            found = [replace(m) for m in self._messages if m.sid == sid]
        return found[0] if found else None

    def set_status(self, sid: str, status: str, error_code: int | None = None) -> FakeMessage:
        now = self.clock()
        with self._lock:
            message = next(m for m in self._messages if m.sid == sid)
            message.status, message.error_code, message.date_updated = status, error_code, now
            if status in SENT_STATUSES and message.date_sent is None:
                message.date_sent = now
            return replace(message)

    def search(self, account_sid: str, query: dict[str, str]) -> list[FakeMessage]:
        """Newest first, like Twilio; a DateSent filter skips messages never sent."""
        checks = [
            _date_filter(op, query[key])
            for op, key in (("", "DateSent"), (">", "DateSent>"), ("<", "DateSent<"))
            if query.get(key)
        ]
        with self._lock:
            found = [
                replace(m)
                for m in self._messages
                if m.account_sid == account_sid
                and query.get("To", m.to) == m.to
                and query.get("From", m.from_) == m.from_
                and (
                    not checks or (m.date_sent is not None and all(c(m.date_sent) for c in checks))
                )
            ]
        order = {id(m): i for i, m in enumerate(found)}
        return sorted(found, key=lambda m: (m.date_created, order[id(m)]), reverse=True)
