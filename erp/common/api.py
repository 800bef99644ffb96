"""API plumbing shared by every app: the error envelope, pagination, base permissions.

Every error leaves the API as ``{"error": {"code", "message", "fields"}}`` (API.md).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ApplicationError

_CODES: list[tuple[type[Exception], str]] = [
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
    (exceptions.ParseError, "malformed_request"),
    (exceptions.ValidationError, "invalid"),
]


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _first_message(detail: Any) -> str:
    """The first human sentence inside a DRF error detail (dict / list / string)."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            inner = _first_message(value)
            if key in ("non_field_errors", "detail"):
                return inner
            return f"{key}: {inner}"
        return ""
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let it be a 500 and be logged

    code = next((c for cls, c in _CODES if isinstance(exc, cls)), "error")
    fields: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        message = _first_message(detail) or _("The request is not valid.")
        if isinstance(detail, dict) and len(detail) > 1:
            message = _("Some fields are not valid: %(names)s.") % {"names": ", ".join(detail)}
    else:
        detail = getattr(exc, "detail", "")
        if isinstance(detail, dict):
            # simplejwt puts {"detail", "code", "messages"} here
            code = str(detail.get("code") or code)
            message = str(detail.get("detail") or "")
        else:
            message = str(detail)
            if getattr(detail, "code", None) and code == "authentication_failed":
                code = str(detail.code)
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            fields = {"retry_after_seconds": int(exc.wait)}
    response.data = error_body(code, message, fields)
    return response


class StandardPagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; ``?page=``, ``?page_size=`` (at most 200)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None:
            try:
                value = int(raw)
            except ValueError:
                value = 0
            if value < 1 or value > self.max_page_size:
                raise exceptions.ValidationError(
                    {"page_size": [_("Give a whole number from 1 to 200.")]}
                )
        return super().get_page_size(request)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )


def not_found_json(request, exception=None):
    from django.http import JsonResponse

    return JsonResponse(
        error_body("not_found", _("There is nothing at this address.")),
        status=status.HTTP_404_NOT_FOUND,
    )


class LedgerPagination(CursorPagination):
    """Keyset (cursor) pagination for ledgers and histories, in the standard envelope.

    OFFSET over tens of thousands of rows gets slow; a cursor on ``-id`` stays flat. ``count``
    is still given (a count with the same filters, served by the indexes)."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and (not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size):
            raise exceptions.ValidationError(
                {"page_size": [_("Give a whole number from 1 to 200.")]}
            )
        self._count = queryset.count()
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self._count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )
