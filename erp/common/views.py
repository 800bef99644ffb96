import uuid

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _check_cache() -> str:
    # A write and a read back: django-redis ignores connection errors (IGNORE_EXCEPTIONS), so
    # only a round trip shows whether the cache is really there.
    key = f"health:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        value = cache.get(key)
        cache.delete(key)
    except Exception as exc:  # any backend's connection error
        return f"error: {exc.__class__.__name__}"
    return "ok" if value == "1" else "error: unreachable"


@never_cache
@require_GET
def health(request):
    """``/health/`` (no auth): 200 when database and cache answer, 503 naming what failed."""
    checks = {"database": _check_database(), "cache": _check_cache()}
    healthy = all(v == "ok" for v in checks.values())
    body = {"status": "ok" if healthy else "error", "checks": checks}
    if not healthy:
        body["failing"] = [name for name, v in checks.items() if v != "ok"]
    return JsonResponse(body, status=200 if healthy else 503)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    from .api import error_body

    if _wants_json(request):
        return JsonResponse(
            error_body("not_found", _("There is nothing at this address.")), status=404
        )
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    from .api import error_body

    message = str(exception) if exception and str(exception) else _("You may not open this page.")
    if _wants_json(request):
        return JsonResponse(error_body("permission_denied", message), status=403)
    return render(request, "403.html", {"message": message}, status=403)
