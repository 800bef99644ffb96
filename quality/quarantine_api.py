"""``/api/v1/quarantines/``: the open (or all) quarantines, and QC's decisions on them."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from erp.common.api import StandardPagination
from erp.common.idempotency import ErpAPIView
from erp.common.permissions import HasRole

from .models import Quarantine, QuarantineDecision
from .quarantine import quarantine_decide


def quarantine_data(q: Quarantine) -> dict:
    decisions = list(q.decisions.all())
    pending = next((d for d in decisions if d.status == QuarantineDecision.Status.PENDING), None)
    return {
        "id": q.pk,
        "batch": q.batch.number,
        "department": q.department.code,
        "line": q.line.code if q.line_id else None,
        "kind": q.kind,
        "metal": q.metal,
        "quantity": q.remaining,
        "quantity_quarantined": q.quantity,
        "reason": q.reason,
        "source": q.source,
        "status": q.status,
        "created_by": q.created_by.get_username(),
        "created_at": timezone.localtime(q.created_at).isoformat(),
        "awaiting_second_approval": (
            {"decision": pending.decision, "quantity": pending.quantity,
             "first_approver": pending.decided_by.get_username()}
            if pending else None
        ),
        "decisions": [
            {
                "decision": d.decision,
                "quantity": d.quantity,
                "note": d.note,
                "status": d.status,
                "decided_by": d.decided_by.get_username(),
                "approved_by": d.approved_by.get_username() if d.approved_by_id else None,
                "at": timezone.localtime(d.decided_at).isoformat(),
            }
            for d in decisions
        ],
    }  # fmt: skip


def quarantine_qs():
    return Quarantine.objects.select_related(
        "batch", "department", "line", "created_by"
    ).prefetch_related("decisions__decided_by", "decisions__approved_by")


class QuarantineListApi(ErpAPIView):
    pagination_class = StandardPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("batch", str),
            OpenApiParameter("open", bool),
            OpenApiParameter("department", str),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        qs = quarantine_qs().order_by("-id")
        if request.query_params.get("batch"):
            qs = qs.filter(batch__number=request.query_params["batch"])
        if request.query_params.get("department"):
            qs = qs.filter(department__code=request.query_params["department"])
        flag = str(request.query_params.get("open", "")).lower()
        if flag in ("true", "1", "yes"):
            qs = qs.filter(status__in=Quarantine.OPEN_STATUSES)
        elif flag in ("false", "0", "no"):
            qs = qs.exclude(status__in=Quarantine.OPEN_STATUSES)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response([quarantine_data(q) for q in page])


class QuarantineReleaseInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=QuarantineDecision.Decision.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)
    note = serializers.CharField(max_length=300)


class QuarantineReleaseApi(ErpAPIView):
    """``POST /api/v1/quarantines/{id}/release/``: release, rework or scrap (metal releases need
    a second, different approver: the QC manager or a manager)."""

    permission_classes = [HasRole.of("qc_inspector", "manager")]

    @extend_schema(request=QuarantineReleaseInputSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, pk):
        quarantine = get_object_or_404(Quarantine, pk=pk)
        data = QuarantineReleaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        q = quarantine_decide(quarantine=quarantine, user=request.user, **data.validated_data)
        return Response(quarantine_data(quarantine_qs().get(pk=q.pk)))
