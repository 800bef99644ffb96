from django.db.models import Sum
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from erp.common.idempotency import ErpAPIView
from erp.common.permissions import HasRole
from ppic.models import Batch
from transfers.models import Line
from warehouse.models import StockLot

from .models import CutRecord
from .services import cut_output_record


class CutOutputInputSerializer(serializers.Serializer):
    batch = serializers.SlugRelatedField(
        slug_field="number", queryset=Batch.objects.select_related("mo")
    )
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    reject = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, default=0)
    plies = serializers.IntegerField(min_value=1, max_value=500, required=False, allow_null=True)
    lots = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, allow_empty=True
    )
    line = serializers.SlugRelatedField(
        slug_field="code", queryset=Line.objects.select_related("department"), required=False,
        allow_null=True,
    )  # fmt: skip

    def validate_lots(self, codes):
        lots = list(StockLot.objects.filter(lot_number__in=codes).select_related("material"))
        found = {lot.lot_number for lot in lots}
        missing = [c for c in codes if c not in found]
        if missing:
            raise serializers.ValidationError(
                _("Unknown lot %(lots)s.") % {"lots": ", ".join(missing)}
            )
        return lots


class CutOutputApi(ErpAPIView):
    """``POST /api/v1/cutting/outputs/``: cutting's users, its lead, a manager."""

    permission_classes = [HasRole.of("cutting", "manager")]

    @extend_schema(request=CutOutputInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = CutOutputInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = cut_output_record(user=request.user, **data.validated_data)
        batch = record.batch
        totals = CutRecord.objects.filter(batch=batch).aggregate(g=Sum("quantity"), r=Sum("reject"))
        cut = (totals["g"] or 0) + (totals["r"] or 0)
        return Response(
            {
                "id": record.pk,
                "batch": batch.number,
                "work_order": record.work_order.number,
                "quantity": record.quantity,
                "reject": record.reject,
                "plies": record.plies,
                "line": record.line.code if record.line else None,
                "lots": [lot.lot_number for lot in record.lots.all()],
                "cut_total": cut,
                "remaining": batch.quantity - cut,
                "at": record.at,
            },
            status=201,
        )
