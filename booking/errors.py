"""Domain errors with stable codes, mapped to HTTP in one place (``booking.web.errors``)."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A refusal the user can understand: ``code`` is stable, ``message`` is French."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "invalid"

    def __init__(self, message: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"


class InvalidPhone(InvalidInput):
    code = "invalid_phone"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class UnknownService(NotFound):
    code = "unknown_service"


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class LoginRefused(DomainError):
    status = 401
    code = "login_refused"


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"


class SlotTaken(DomainError):
    status = 409
    code = "slot_taken"


class SlotUnavailable(DomainError):
    status = 409
    code = "slot_unavailable"


class OutsideNotice(DomainError):
    status = 422
    code = "outside_notice"


class OutsideHorizon(DomainError):
    status = 422
    code = "outside_horizon"


class CutoffPassed(DomainError):
    status = 409
    code = "cutoff_passed"


class AlreadyCancelled(DomainError):
    status = 409
    code = "already_cancelled"


class SessionFull(DomainError):
    status = 409
    code = "session_full"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


class ServiceUnavailable(DomainError):
    status = 503
    code = "service_unavailable"


class AlreadyRegistered(DomainError):
    status = 409
    code = "already_registered"


class OfferExpired(DomainError):
    status = 409
    code = "offer_expired"


class AnimatorBusy(DomainError):
    status = 409
    code = "animator_busy"
