"""What a locked-out username+IP sees: a page with the cool-off on the site and the admin,
``429 locked_out`` in the API error format on the API."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from erp.common.api import error_body


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out_message() -> str:
    return _(
        "Too many failed logins for this user from this device. Login is locked for "
        "%(minutes)d minutes; ask your supervisor or the administrator if you need help sooner."
    ) % {"minutes": cooloff_minutes()}


def api_locked_out_response() -> JsonResponse:
    return JsonResponse(
        error_body("locked_out", locked_out_message(), {"cooloff_minutes": cooloff_minutes()}),
        status=429,
    )


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        # API.md: the failure that reaches the limit still answers 401; attempts after it 429.
        if original_response is not None and original_response.status_code == 401:
            return original_response
        return api_locked_out_response()
    return render(
        request,
        "accounts/locked_out.html",
        {"message": locked_out_message(), "username": (credentials or {}).get("username", "")},
        status=429,
    )
