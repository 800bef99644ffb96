"""Packing API: cartons with SSCC and label, completion of a batch into the FG warehouse."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from erp.common.api import StandardPagination
from erp.common.fields import batch_field, line_field
from erp.common.idempotency import ErpAPIView
from erp.common.permissions import HasRole
from ppic.models import Batch

from .models import Carton
from .services import carton_pack, expected_cartons, packing_complete, unpacked_units

PACKERS = HasRole.of("packing", "manager")


def carton_data(c: Carton, request=None, of: int | None = None) -> dict:
    url = reverse("packing:carton_label", args=[c.sscc])
    return {
        "id": c.pk,
        "sscc": c.sscc,
        "batch": c.batch.number,
        "article": c.article.code,
        "destination": c.destination.code,
        "po_number": c.po_number,
        "line": c.line.code if c.line_id else None,
        "carton_no": c.sequence,
        "of": of,
        "quantity": c.quantity,
        "net_weight_kg": str(c.net_weight_kg),
        "gross_weight_kg": str(c.gross_weight_kg),
        "status": c.status,
        "shipment": c.shipment.number if c.shipment_id else None,
        "label_url": request.build_absolute_uri(url) if request else url,
        "packed_by": c.packed_by.get_username(),
        "packed_at": timezone.localtime(c.packed_at).isoformat(),
    }


def carton_qs():
    return Carton.objects.select_related(
        "batch", "article", "destination", "line", "shipment", "packed_by"
    )


class CartonInputSerializer(serializers.Serializer):
    batch = batch_field()
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    line = line_field(required=False, allow_null=True)
    gross_weight_kg = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    article = serializers.CharField(max_length=40, required=False)
    destination = serializers.CharField(max_length=20, required=False)


class CartonListCreateApi(ErpAPIView):
    """``GET/POST /api/v1/packing/cartons/``."""

    pagination_class = StandardPagination

    def get_permissions(self):
        return [PACKERS()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(
        parameters=[OpenApiParameter("batch", str), OpenApiParameter("status", str)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        qs = carton_qs().order_by("-id")
        if request.query_params.get("batch"):
            qs = qs.filter(batch__number=request.query_params["batch"])
        if request.query_params.get("status"):
            qs = qs.filter(status=request.query_params["status"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response([carton_data(c, request) for c in page])

    @extend_schema(request=CartonInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = CartonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        carton = carton_pack(user=request.user, **data.validated_data)
        carton = carton_qs().get(pk=carton.pk)
        return Response(carton_data(carton, request, of=expected_cartons(carton.batch)), status=201)


class PackingCompleteApi(ErpAPIView):
    """``POST /api/v1/packing/batches/{number}/complete/``."""

    permission_classes = [PACKERS]

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, number):
        batch = get_object_or_404(Batch.objects.select_related("mo__article"), number=number)
        completion = packing_complete(batch=batch, user=request.user)
        return Response(
            {
                "batch": batch.number,
                "status": "COMPLETED",
                "quantity": completion.quantity,
                "cartons": completion.cartons,
                "department": "FG_WAREHOUSE",
                "unpacked": unpacked_units(batch),
                "final_inspection": completion.final_inspection_id,
                "compliance_expires_at": (
                    timezone.localtime(completion.compliance_expires_at).isoformat()
                    if completion.compliance_expires_at
                    else None
                ),
                "at": timezone.localtime(completion.at).isoformat(),
            }
        )
