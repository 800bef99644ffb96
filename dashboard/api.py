"""Alerts API (API.md)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from accounts.selectors import user_departments, user_roles
from erp.common.idempotency import ErpAPIView
from erp.common.permissions import HasRole

from .models import AlertKind, AlertPriority
from .selectors import alert_may_act, alerts_visible_to
from .services import alert_acknowledge, alert_payload, alert_resolve


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    priority = serializers.ChoiceField(choices=AlertPriority.choices)
    kind = serializers.ChoiceField(choices=AlertKind.choices)
    batch = serializers.CharField(allow_null=True)
    departments = serializers.ListField(child=serializers.CharField())
    line = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    raised_at = serializers.DateTimeField()
    acknowledged_by = serializers.CharField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    escalated = serializers.BooleanField()

    def to_representation(self, instance):
        return alert_payload(instance)


class SeesAlerts(BasePermission):
    message = _("Your role sees no alerts.")

    def has_permission(self, request, view):
        return bool(user_departments(request.user)) or bool(
            user_roles(request.user) & {"manager", "admin"}
        )


class AlertListApi(ErpAPIView):
    permission_classes = [SeesAlerts]

    @extend_schema(responses={200: AlertSerializer(many=True)})
    def get(self, request):
        qs = alerts_visible_to(request.user)
        params = request.query_params
        open_ = params.get("open")
        if open_ is not None:
            if open_ not in ("true", "false"):
                raise ValidationError({"open": [_("true or false")]})
            qs = qs.filter(resolved_at__isnull=open_ == "true")
        if params.get("priority"):
            if params["priority"] not in AlertPriority.values:
                raise ValidationError({"priority": [_("P1, P2 or P3")]})
            qs = qs.filter(priority=params["priority"])
        if params.get("kind"):
            if params["kind"] not in AlertKind.values:
                raise ValidationError({"kind": [_("Unknown kind.")]})
            qs = qs.filter(kind=params["kind"])
        if params.get("batch"):
            qs = qs.filter(batch__number=params["batch"])
        if params.get("department"):
            qs = qs.filter(departments__code=params["department"])
        return self.paginated(qs.order_by("-id"), AlertSerializer)


def _alert_for_action(request, pk):
    alert = get_object_or_404(alerts_visible_to(request.user), pk=pk)
    if not alert_may_act(request.user, alert):
        raise PermissionDenied(_("Only the alert's departments or a manager may do this."))
    return alert


class AlertAcknowledgeApi(ErpAPIView):
    permission_classes = [SeesAlerts]

    @extend_schema(request=None, responses={200: AlertSerializer})
    def post(self, request, pk):
        alert = alert_acknowledge(alert=_alert_for_action(request, pk), user=request.user)
        return Response(alert_payload(alerts_visible_to(request.user).get(pk=alert.pk)))


class AlertResolveApi(ErpAPIView):
    permission_classes = [SeesAlerts]

    class AlertResolveInputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=500)

    @extend_schema(request=AlertResolveInputSerializer, responses={200: AlertSerializer})
    def post(self, request, pk):
        alert = _alert_for_action(request, pk)
        data = self.AlertResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = alert_resolve(alert=alert, user=request.user, note=data.validated_data["note"])
        return Response(alert_payload(alerts_visible_to(request.user).get(pk=alert.pk)))


class DashboardSummaryApi(ErpAPIView):
    """``GET /api/v1/dashboard/summary/``: manager, ppic, admin (operators 403)."""

    permission_classes = [HasRole.of("manager", "ppic", "admin")]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        from .summary import dashboard_summary

        return Response(dashboard_summary())
