from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from erp.common.fields import batch_field, count_field, line_field
from erp.common.idempotency import ErpAPIView
from erp.common.permissions import HasRole

from .services import embroidery_output_record


class EmbroideryOutputInputSerializer(serializers.Serializer):
    batch = batch_field()
    quantity = count_field()
    rework = count_field(required=False, default=0)
    scrap = count_field(required=False, default=0)
    line = line_field(required=False, allow_null=True)


class EmbroideryOutputApi(ErpAPIView):
    permission_classes = [HasRole.of("embroidery", "manager")]

    @extend_schema(request=EmbroideryOutputInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = EmbroideryOutputInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = embroidery_output_record(user=request.user, **data.validated_data)
        return Response(
            {
                "id": record.pk,
                "batch": record.batch.number,
                "line": record.line.code if record.line else None,
                "quantity": record.quantity,
                "rework": record.rework,
                "scrap": record.scrap,
                "at": record.at,
            },
            status=201,
        )
