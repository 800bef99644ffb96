from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from erp.common.fields import batch_field, line_field
from erp.common.idempotency import ErpAPIView
from erp.common.permissions import HasRole

from .models import Stage
from .services import sewing_stage_record, stage_totals


class SewingStageInputSerializer(serializers.Serializer):
    batch = batch_field()
    line = line_field()
    stage = serializers.ChoiceField(choices=Stage.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)


class SewingStageApi(ErpAPIView):
    permission_classes = [HasRole.of("sewing", "manager")]

    @extend_schema(request=SewingStageInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = SewingStageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = sewing_stage_record(user=request.user, **data.validated_data)
        return Response(
            {
                "id": record.pk,
                "batch": record.batch.number,
                "line": record.line.code,
                "stage": record.stage,
                "quantity": record.quantity,
                "totals": stage_totals(batch=record.batch, line=record.line),
                "at": record.at,
            },
            status=201,
        )
