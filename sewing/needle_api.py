"""Needle control over the API: exchanges, broken needles, the hand-detector search, and the
list of broken needles (``?open=true``: fragments missing, search not yet recorded)."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.selectors import user_departments, user_has_role
from erp.common.idempotency import ErpAPIView
from erp.common.permissions import HasRole
from ppic.models import Batch
from transfers.models import Line

from .models import BrokenNeedle, NeedleDepartment, NeedleLog
from .needles import (
    broken_needle_record,
    needle_exchange_record,
    needle_search_assert_allowed,
    needle_search_record,
)

NEEDLE_ROLES = ("sewing", "embroidery", "qc_inspector", "manager")


def _user_field():
    return serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.filter(is_active=True)
    )


class _NeedleInput(serializers.Serializer):
    department = serializers.ChoiceField(choices=NeedleDepartment.choices)
    line = serializers.SlugRelatedField(
        slug_field="code", queryset=Line.objects.select_related("department")
    )
    operator = _user_field()
    custodian = _user_field()


class NeedleExchangeInputSerializer(_NeedleInput):
    action = serializers.ChoiceField(
        choices=NeedleLog.Action.choices, default=NeedleLog.Action.EXCHANGE
    )
    old_needle_returned = serializers.BooleanField()


class BrokenNeedleInputSerializer(_NeedleInput):
    batch = serializers.SlugRelatedField(
        slug_field="number", queryset=Batch.objects.select_related("mo")
    )
    fragments_found = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class NeedleSearchInputSerializer(serializers.Serializer):
    found = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


def _who(user) -> str | None:
    return user.username if user else None


def needle_log_payload(log: NeedleLog) -> dict:
    return {
        "id": log.pk,
        "department": log.department,
        "line": log.line.code,
        "operator": log.operator.username,
        "custodian": log.custodian.username,
        "action": log.action,
        "old_needle_returned": log.old_needle_returned,
        "recorded_by": log.recorded_by.username,
        "at": log.at,
    }


def broken_needle_payload(record: BrokenNeedle) -> dict:
    return {
        "id": record.pk,
        "department": record.department,
        "line": record.line.code,
        "operator": record.operator.username,
        "custodian": record.custodian.username,
        "batch": record.batch.number,
        "fragments_found": record.fragments_found,
        "note": record.note,
        "recorded_by": record.recorded_by.username,
        "at": record.at,
        "open": record.is_open,
        "held": record.is_open,
        "search_result": record.search_result or None,
        "search_note": record.search_note,
        "search_recorded_by": _who(record.search_recorded_by),
        "search_recorded_at": record.search_recorded_at,
    }


class BrokenNeedleOutputSerializer(serializers.BaseSerializer):
    def to_representation(self, instance):
        return broken_needle_payload(instance)


def broken_needles_visible_to(user):
    """QC and managers see every department's records; sewing and embroidery their own."""
    qs = BrokenNeedle.objects.select_related(
        "line", "operator", "custodian", "batch", "recorded_by", "search_recorded_by"
    ).order_by("-id")
    if user_has_role(user, "qc_inspector", "manager"):
        return qs
    return qs.filter(department__in=user_departments(user))


class NeedleExchangeApi(ErpAPIView):
    """``POST /api/v1/needles/exchanges/``: a needle issued or exchanged (one-for-one)."""

    permission_classes = [HasRole.of(*NEEDLE_ROLES)]

    @extend_schema(request=NeedleExchangeInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = NeedleExchangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        log = needle_exchange_record(user=request.user, **data.validated_data)
        return Response(needle_log_payload(log), status=201)


class BrokenNeedleListCreateApi(ErpAPIView):
    """``GET /api/v1/needles/broken/?open=true&department=SEWING``;
    ``POST``: a broken needle (fragments missing → batch held at the line, P1 alert)."""

    permission_classes = [HasRole.of(*NEEDLE_ROLES)]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        qs = broken_needles_visible_to(request.user)
        if request.query_params.get("open", "").lower() in ("1", "true", "yes"):
            qs = qs.filter(fragments_found=False, search_recorded_at__isnull=True)
        department = request.query_params.get("department")
        if department:
            qs = qs.filter(department=department.upper())
        line = request.query_params.get("line")
        if line:
            qs = qs.filter(line__code=line)
        return self.paginated(qs, BrokenNeedleOutputSerializer)

    @extend_schema(request=BrokenNeedleInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = BrokenNeedleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = broken_needle_record(user=request.user, **data.validated_data)
        return Response(broken_needle_payload(record), status=201)


class NeedleSearchApi(ErpAPIView):
    """``POST /api/v1/needles/broken/{id}/search/``: the hand-detector search, by the
    department's supervisor, a QC inspector or a manager; releases the hold."""

    permission_classes = [HasRole.of(*NEEDLE_ROLES)]

    @extend_schema(request=NeedleSearchInputSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        record = get_object_or_404(broken_needles_visible_to(request.user), pk=pk)
        needle_search_assert_allowed(user=request.user, broken_needle=record)
        data = NeedleSearchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = needle_search_record(
            broken_needle=record, user=request.user, **data.validated_data
        )
        record = broken_needles_visible_to(request.user).get(pk=record.pk)
        return Response(broken_needle_payload(record), status=200)
