"""``Idempotency-Key`` on POST (API.md): the same key from the same user answers the first
response again (status and body, a 4xx included) and changes nothing more; the same key with
another body is 409 ``idempotency_key_reused``; a concurrent duplicate waits for the first.

How: the record is inserted in the same transaction as the work it guards. A concurrent
duplicate's INSERT blocks on the unique index until the first transaction ends, then fails and
reads the stored answer. If the request crashes (500) the record rolls back with the work, so a
retry runs again.
"""

from __future__ import annotations

import hashlib
import json
from functools import wraps

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import ApplicationError
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100


def request_fingerprint(method: str, path: str, body) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def _plain(data):
    """Response data as JSON-able primitives (lazy strings, ReturnDict… resolved)."""
    return json.loads(json.dumps(data, default=str))


def idempotent(handler):
    """Wrap a DRF ``post`` so an ``Idempotency-Key`` makes it run at most once per user+key."""

    @wraps(handler)
    def wrapped(self: APIView, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if not key or not request.user.is_authenticated:
            return handler(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise ApplicationError(
                "invalid",
                _("The Idempotency-Key header is longer than %(n)d characters.")
                % {"n": MAX_KEY_LENGTH},
                fields={"Idempotency-Key": [_("Too long.")]},
                status=400,
            )
        body = request.data if not hasattr(request.data, "dict") else request.data.dict()
        fingerprint = request_fingerprint(request.method, request.path, body)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=request.user, key=key, fingerprint=fingerprint, path=request.path
                    )
            except IntegrityError:
                record = IdempotencyRecord.objects.get(user=request.user, key=key)
                if record.fingerprint != fingerprint:
                    raise ApplicationError(
                        "idempotency_key_reused",
                        _("This Idempotency-Key was already used for a different request."),
                    ) from None
                response = Response(record.response_body, status=record.status_code)
                response["Idempotent-Replayed"] = "true"
                return response
            try:
                with transaction.atomic():
                    response = handler(self, request, *args, **kwargs)
            except Exception as exc:  # turned into a 4xx by the API handler, or re-raised
                response = self.handle_exception(exc)
            record.status_code = response.status_code
            record.response_body = _plain(getattr(response, "data", None))
            record.save(update_fields=["status_code", "response_body"])
            return response

    wrapped.idempotent = True
    return wrapped


class ErpAPIView(APIView):
    """Base for the project's API views: every ``post`` honours ``Idempotency-Key``;
    ``paginated`` answers a list in the standard envelope."""

    def paginated(self, queryset, serializer_class, pagination_class=None, **context):
        from rest_framework.settings import api_settings

        paginator = (pagination_class or api_settings.DEFAULT_PAGINATION_CLASS)()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        data = serializer_class(page, many=True, context={"request": self.request, **context}).data
        return paginator.get_paginated_response(data)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        post = cls.__dict__.get("post")
        if post is not None and not getattr(post, "idempotent", False):
            cls.post = idempotent(post)


# --- HTML forms -------------------------------------------------------------------------------
FORM_FIELD = "idempotency_key"
_IGNORED_FIELDS = {"csrfmiddlewaretoken", FORM_FIELD}
_REPLAYED_HEADERS = ("Location", "HX-Redirect", "HX-Trigger", "HX-Retarget", "HX-Reswap")


class _Discard(Exception):
    def __init__(self, response):
        super().__init__("not recorded")
        self.response = response


def _replay(record: IdempotencyRecord):
    from django.http import HttpResponse

    body = record.response_body or {}
    response = HttpResponse(
        body.get("content", ""),
        status=record.status_code or 200,
        content_type=body.get("content_type", "text/html; charset=utf-8"),
    )
    for name, value in body.get("headers", {}).items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def form_idempotent(view):
    """For views whose POST forms carry a hidden ``idempotency_key`` (``{% idempotency_field %}``):
    a double tap or a resubmit after a dropped connection records once and answers the first
    response again. Refusals (4xx) are not recorded, so the same key may be tried again."""
    from django.http import HttpResponse
    from django.utils.translation import gettext as _t

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        key = request.POST.get(FORM_FIELD) if request.method == "POST" else None
        if not key or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return HttpResponse(_t("The form key is too long; reload the page."), status=400)
        body = {
            k: request.POST.getlist(k) for k in sorted(request.POST) if k not in _IGNORED_FIELDS
        }
        fingerprint = request_fingerprint("POST", request.path, body)
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        record = IdempotencyRecord.objects.create(
                            user=request.user, key=key, fingerprint=fingerprint, path=request.path
                        )
                except IntegrityError:
                    record = IdempotencyRecord.objects.get(user=request.user, key=key)
                    if record.fingerprint != fingerprint:
                        return HttpResponse(
                            _t("This form was already sent with other values. Reload the page."),
                            status=409,
                        )
                    return _replay(record)
                response = view(request, *args, **kwargs)
                if response.status_code >= 400 or getattr(response, "streaming", False):
                    raise _Discard(response)
                record.status_code = response.status_code
                record.response_body = {
                    "content": ""
                    if 300 <= response.status_code < 400
                    else response.content.decode(),
                    "content_type": response.get("Content-Type", "text/html; charset=utf-8"),
                    "headers": {h: response[h] for h in _REPLAYED_HEADERS if h in response},
                }
                record.save(update_fields=["status_code", "response_body"])
                return response
        except _Discard as discarded:
            return discarded.response

    return wrapped
