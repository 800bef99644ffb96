"""Auth endpoints of API.md: token, refresh, me."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenRefreshView

from erp.common.api import error_body
from erp.common.logging import security_log

from .lockout import api_locked_out_response
from .receivers import client_ip
from .selectors import user_departments, user_roles, user_supervises


class AuthRateThrottle(SimpleRateThrottle):
    """Per client IP on the token endpoints, whoever is (or is not) logged in."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class TokenObtainApi(APIView):
    """Username + password → access (15 min) and refresh (24 h) tokens.

    django-axes guards it like the login page: after 5 failures for a username from one IP,
    every attempt (the right password included) answers 429 ``locked_out`` until cool-off.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]

    class TokenObtainInputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150, trim_whitespace=False)
        password = serializers.CharField(max_length=4096, trim_whitespace=False)

    InputSerializer = TokenObtainInputSerializer

    @extend_schema(
        request=TokenObtainInputSerializer,
        responses={200: TokenPairSerializer},
        summary="Obtain a JWT access/refresh pair",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        password = data.validated_data["password"]
        django_request = request._request
        credentials = {"username": username}

        if AxesProxyHandler.is_locked(django_request, credentials):
            security_log.warning(
                "login_refused_locked_out",
                extra={"user": username, "ip": client_ip(django_request), "channel": "api"},
            )
            return api_locked_out_response()

        user = authenticate(django_request, username=username, password=password)
        if user is None or not user.is_active:
            return Response(
                error_body(
                    "authentication_failed",
                    _("No active account found with the given credentials."),
                ),
                status=401,
            )
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        refresh = RefreshToken.for_user(user)
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


class TokenRefreshApi(TokenRefreshView):
    throttle_classes = [AuthRateThrottle]


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    class MeSerializer(serializers.Serializer):
        username = serializers.CharField()
        full_name = serializers.CharField()
        roles = serializers.ListField(child=serializers.CharField())
        departments = serializers.ListField(child=serializers.CharField())
        supervises = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses={200: MeSerializer}, summary="Who am I")
    def get(self, request):
        from .roles import ROLES

        user = request.user
        roles = user_roles(user)
        return Response(
            {
                "username": user.get_username(),
                "full_name": user.full_name,
                "roles": [r for r in ROLES if r in roles],
                "departments": user_departments(user),
                "supervises": user_supervises(user),
            }
        )


__all__ = ["TokenObtainApi", "TokenRefreshApi", "MeApi", "inline_serializer"]
