"""Websocket authentication for API clients: ``/ws/...?token=<access JWT>``.

Runs inside AuthMiddlewareStack, so a browser's session login is used first; the token only
counts when the session left the user anonymous.
"""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser


@database_sync_to_async
def _user_from_token(raw: str):
    from rest_framework_simplejwt.exceptions import TokenError
    from rest_framework_simplejwt.settings import api_settings
    from rest_framework_simplejwt.tokens import AccessToken

    try:
        token = AccessToken(raw)
        user_id = token[api_settings.USER_ID_CLAIM]
    except (TokenError, KeyError):
        return AnonymousUser()
    try:
        user = get_user_model().objects.get(pk=user_id, is_active=True)
    except get_user_model().DoesNotExist:
        return AnonymousUser()
    return user


class JwtQueryAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        if user is None or not user.is_authenticated:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            token = (query.get("token") or [""])[0]
            if token:
                scope = dict(scope, user=await _user_from_token(token))
        return await super().__call__(scope, receive, send)
