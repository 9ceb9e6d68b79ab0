"""The one place where domain errors become HTTP answers (JSON for the API, pages otherwise)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template

from booking.errors import (
    DomainError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    ServiceUnavailable,
)

log = logging.getLogger("creneau.http")


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/webhooks/")) or "application/json" in request.headers.get(
        "accept", ""
    )


def error_body(code: str, message: str, field: str | None = None, *,
               status: int) -> dict[str, Any]:
    """Our error shape (``error``), plus Litestar's documented one (``status_code``,
    ``detail``) so that every answer matches the OpenAPI document."""
    return {"status_code": status, "detail": message,
            "error": {"code": code, "message": message, "field": field}}


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if _wants_json(request):
        return Response(error_body(exc.code, exc.message, exc.field, status=exc.status),
                        status_code=exc.status,
                        media_type=MediaType.JSON)
    if isinstance(exc, NotAuthenticated):
        return Redirect(path="/staff/login", query_params={"next": request.url.path})
    return Template(template_name="error.html", context={"message": exc.message,
                                                         "code": exc.code},
                    status_code=exc.status)


def validation_error_handler(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[Any]:
    detail = exc.extra if isinstance(exc.extra, list) else []
    field = None
    if detail and isinstance(detail[0], dict):
        field = str(detail[0].get("key") or "") or None
    message = "Les données envoyées sont invalides."
    if _wants_json(request):
        body = error_body("invalid_input", message, field, status=400)
        body["extra"] = detail
        return Response(body, status_code=400, media_type=MediaType.JSON)
    return Template(template_name="error.html", context={"message": message,
                                                         "code": "invalid_input"},
                    status_code=400)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    message = {404: "Page introuvable.", 405: "Méthode non autorisée.",
               403: "Accès refusé."}.get(status, str(exc.detail))
    code = {404: "not_found", 405: "method_not_allowed", 403: "forbidden",
            413: "too_large"}.get(status, "http_error")
    if _wants_json(request) or status >= 500:
        return Response(error_body(code, message, status=status), status_code=status,
                        media_type=MediaType.JSON,
                        headers=exc.headers)
    return Template(template_name="error.html", context={"message": message, "code": code},
                    status_code=status)


def database_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Connection failures (database down) become a clean 503; an identifier too large for
    the database (a page's ``{id:int}``) names nothing, so 404; anything else a 500."""
    if _caused_by(exc, lambda e: isinstance(e, OverflowError)
                  or type(e).__name__ == "NumericValueOutOfRangeError"):
        return domain_error_handler(request, NotFound("Cette ressource n'existe pas."))
    if _caused_by(exc, lambda e: type(e).__name__ in UNSTORABLE_TEXT):
        return domain_error_handler(
            request, InvalidInput("Le texte envoyé contient des caractères non autorisés."))
    if _is_connection_error(exc):
        log.warning("database unavailable: %s", type(exc).__name__)
        err = ServiceUnavailable("Le service est momentanément indisponible. Réessayez.")
        response = domain_error_handler(request, err)
        response.headers["Retry-After"] = "5"
        return response
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return Response(error_body("internal_error", "Une erreur inattendue est survenue.",
                               status=500),
                    status_code=500, media_type=MediaType.JSON)


UNSTORABLE_TEXT = {"CharacterNotInRepertoireError", "UntranslatableCharacterError"}
CONNECTION_ERRORS = {"ConnectionRefusedError", "ConnectionDoesNotExistError", "InterfaceError",
                     "CannotConnectNowError", "TooManyConnectionsError",
                     "PostgresConnectionError", "OperationalError", "ConnectionResetError",
                     "OSError"}


def _caused_by(exc: BaseException, test: Callable[[BaseException], bool]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if test(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _is_connection_error(exc: BaseException) -> bool:
    return _caused_by(exc, lambda e: type(e).__name__ in CONNECTION_ERRORS
                      or isinstance(e, ConnectionError))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    Exception: database_error_handler,
}
