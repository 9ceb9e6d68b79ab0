"""A local Twilio-compatible REST server, enough of the Messages API for the real client.

    with FakeTwilio() as fake:
        config = fake.sender_config(from_number="+33612345678")   # api_base_url = fake.base_url
        fake.fail_next(500)                                       # next POST answers 500
        ...
        assert fake.messages[0].body == "…"

It listens on 127.0.0.1 (random free port) in a background thread. Responses can be
scripted (``fail_next``, ``delay_next``, ``crash_after_accept``, ``script``); every request
and every accepted message is recorded. ``send_status_callback`` and ``inbound`` post signed
webhooks (see ``webhooks.py``).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from notifications.twilio_sender import TwilioConfig
from tests.twilio_fake.rest import basic_auth_ok, error, route
from tests.twilio_fake.state import FakeMessage, FakeState, RecordedRequest, Scripted, new_sid
from tests.twilio_fake.webhooks import WebhookMixin


class FakeTwilio(WebhookMixin):
    def __init__(
        self,
        *,
        account_sid: str | None = None,
        auth_token: str | None = None,
        phone_number: str = "+15005550006",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.account_sid = account_sid or new_sid("AC")
        self.auth_token = auth_token or secrets.token_hex(16)
        self.phone_number = phone_number  # "our" number, the To of inbound messages
        self.state = FakeState(clock or (lambda: datetime.now(UTC)))
        self.stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle
    def start(self) -> FakeTwilio:
        self.stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="fake-twilio", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # wakes scripted delays
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeTwilio is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def sender_config(self, **fields: Any) -> TwilioConfig:
        """A TwilioConfig aimed at this server; pass the sender kind and any overrides."""
        base = {"account_sid": self.account_sid, "auth_token": self.auth_token}
        return TwilioConfig(**{**base, "api_base_url": self.base_url, **fields})

    # scripting
    def script(self, *responses: Scripted) -> None:
        self.state.add_script(*responses)

    def fail_next(
        self,
        status: int,
        *,
        code: int | None = None,
        message: str = "Scripted failure",
        retry_after: float | None = None,
        count: int = 1,
        method: str | None = "POST",
    ) -> None:
        self.script(*[Scripted(status, code, message, retry_after, method=method)] * count)

    def delay_next(self, seconds: float, *, count: int = 1, method: str | None = "POST") -> None:
        self.script(*[Scripted(delay=seconds, method=method)] * count)

    def crash_after_accept(self, *, count: int = 1) -> None:
        self.script(*[Scripted(crash_after_accept=True)] * count)

    # inspection
    @property
    def messages(self) -> list[FakeMessage]:
        """Every accepted message, oldest first (copies)."""
        return self.state.messages()

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.state.requests()

    def message(self, sid: str) -> FakeMessage:
        found = self.state.get(sid)
        if found is None:
            raise KeyError(sid)
        return found

    def set_status(self, sid: str, status: str, *, error_code: int | None = None) -> FakeMessage:
        return self.state.set_status(sid, status, error_code)

    def seed_message(
        self, *, to: str, body: str, date_created: datetime, status: str = "delivered"
    ) -> FakeMessage:
        """A message sent earlier (by someone else, or long ago)."""
        message = FakeMessage(
            sid=new_sid("SM"),
            account_sid=self.account_sid,
            to=to,
            body=body,
            from_=self.phone_number,
            messaging_service_sid=None,
            status_callback=None,
            status=status,
            date_created=date_created,
            date_updated=date_created,
            date_sent=date_created if status != "queued" else None,
        )
        self.state.add_message(message)
        return message


class _Server(ThreadingHTTPServer):
    block_on_close = False  # idle keep-alive connections must not block stop()
    fake: FakeTwilio


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as aiohttp pools connections
    timeout = 30  # an idle keep-alive connection's thread ends by itself
    disable_nagle_algorithm = True  # else every answer waits ~40 ms for a delayed ACK

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        form = dict(parse_qsl(raw, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        fake.state.record_request(RecordedRequest(method, url.path, query, form, headers))
        script = fake.state.next_script(method)
        if script is not None and script.delay and fake.stopping.wait(script.delay):
            return self._drop()
        if not basic_auth_ok(self.headers.get("Authorization"), fake.account_sid, fake.auth_token):
            status, payload, extra = error(401, 20003, "Authenticate")
            extra = {"WWW-Authenticate": 'Basic realm="Twilio API"'}
        elif script is not None and script.status is not None:
            status, payload, extra = error(script.status, script.code, script.message)
            if script.retry_after is not None:
                extra = {"Retry-After": f"{script.retry_after:g}"}
        else:
            status, payload, extra = route(
                fake.state, fake.account_sid, method, url.path, query, form
            )
            if script is not None and script.crash_after_accept:
                return self._drop()
        self._answer(status, payload, extra)

    def _drop(self) -> None:
        self.close_connection = True

    def _answer(self, status: int, payload: dict[str, Any], extra: dict[str, str]) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
            self.close_connection = True
