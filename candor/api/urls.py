"""The REST API: /api/v1, token authentication, OpenAPI at /api/v1/openapi.json.

Every 4xx answer has a JSON body whose ``detail`` says what is wrong (and ``errors`` per field
for validation problems).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from candor.api.auth import TokenAuth
from candor.api.endpoints import router
from candor.api.requests import router as requests_router
from candor.recruitment.records import RecordInvalid

api = NinjaAPI(
    title="Candor API",
    version="1",
    description="Candidates, clients, vacancies and applications. Authenticate with "
    "`Authorization: Bearer <token>` (issue one with `candor token create USERNAME`).",
    auth=TokenAuth(),
    urls_namespace="api",
)
api.add_router("/", router)
api.add_router("/", requests_router)


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


@api.exception_handler(ValidationError)
def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = _errors(exc)
    summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
    return api.create_response(request, {"detail": summary, "errors": errors}, status=422)


@api.exception_handler(RecordInvalid)
def on_record_invalid(request: HttpRequest, exc: RecordInvalid) -> HttpResponse:
    return api.create_response(request, {"detail": exc.summary(), "errors": exc.errors}, status=422)


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", []) if p not in {"body", "payload", "query"})
        errors.setdefault(loc or "__all__", []).append(err.get("msg", "invalid"))
    summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
    return api.create_response(request, {"detail": summary, "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "missing, unknown or revoked API token (send Authorization: Bearer <token>)"},
        status=401,
    )


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "not allowed"}, status=403)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "not found"}, status=404)
