"""What every SMS sender offers, and the errors the dispatcher acts on.

A send has no idempotency key on the provider side: the caller claims the outbox row before
``send`` and records ``SendResult.provider_id`` after it. A row left claimed but unconfirmed
(process killed mid-send, or a ``TransientSendError`` with ``maybe_accepted``) is reconciled
with ``find_sent`` before any resend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

PhoneFlag = Literal["invalid", "unsubscribed"]


class SendError(Exception):
    """A send or a look-up failed. Messages never carry the phone number or the body."""

    def __init__(self, message: str, *, code: int | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code  # provider error code (Twilio: 21211…), None when there is none
        self.status = status  # HTTP status, None when no HTTP answer came back


class TransientSendError(SendError):
    """Worth retrying later: timeout, connection error, HTTP 5xx or 429.

    ``maybe_accepted`` is True when the provider may have accepted the message anyway (timeout,
    dropped connection, 5xx): reconcile with ``find_sent`` before resending. ``retry_after`` is
    the provider's hint in seconds (HTTP 429 ``Retry-After``), when it gave one.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        status: int | None = None,
        maybe_accepted: bool = False,
        retry_after: float | None = None,
    ):
        super().__init__(message, code=code, status=status)
        self.maybe_accepted = maybe_accepted
        self.retry_after = retry_after


class PermanentSendError(SendError):
    """Retrying will not help. ``flag_phone`` tells what to record on the resident's phone."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        status: int | None = None,
        flag_phone: PhoneFlag | None = None,
    ):
        super().__init__(message, code=code, status=status)
        self.flag_phone = flag_phone


@dataclass(frozen=True, slots=True)
class SendResult:
    provider_id: str  # "SM…" for Twilio, "console-<uuid4>" for the console sender
    status: str  # provider status at acceptance: "queued", "accepted", "delivered"…


@dataclass(frozen=True, slots=True)
class ProviderMessage:
    provider_id: str
    to: str
    body: str
    status: str
    date_created: datetime  # aware, UTC


@runtime_checkable
class SmsSender(Protocol):
    name: str

    async def start(self) -> None:
        """Open connections; call inside the running event loop (app lifespan)."""

    async def close(self) -> None:
        """Release connections; safe to call twice."""

    async def send(self, *, to: str, body: str, status_callback: str | None) -> SendResult:
        """Hand one SMS to the provider. Raises TransientSendError or PermanentSendError."""

    async def find_sent(self, *, to: str, body: str, since: datetime) -> ProviderMessage | None:
        """An outbound message to ``to`` with exactly ``body``, created at/after ``since``."""
