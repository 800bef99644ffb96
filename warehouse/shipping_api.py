"""``/api/v1/shipments/``: FG cartons of one destination leave; tracking status."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from erp.common.api import StandardPagination
from erp.common.idempotency import ErpAPIView
from erp.common.permissions import HasRole
from ppic.models import Destination

from .models import Shipment
from .shipping import shipment_create, shipment_track

SHIPPERS = HasRole.of("warehouse", "manager")


def shipment_data(s: Shipment) -> dict:
    return {
        "id": s.pk,
        "number": s.number,
        "destination": s.destination.code,
        "container": s.container,
        "status": s.status,
        "quantity": s.quantity,
        "carton_count": s.carton_count,
        "cartons": [c.sscc for c in s.cartons.all()],
        "shipped_by": s.shipped_by.get_username(),
        "shipped_at": timezone.localtime(s.shipped_at).isoformat(),
        "events": [
            {
                "status": e.status,
                "note": e.note,
                "by": e.user.get_username(),
                "at": timezone.localtime(e.at).isoformat(),
            }
            for e in s.events.all()
        ],
    }


def shipment_qs():
    return Shipment.objects.select_related("destination", "shipped_by").prefetch_related(
        "cartons", "events__user"
    )


class ShipmentInputSerializer(serializers.Serializer):
    destination = serializers.SlugRelatedField(
        slug_field="code", queryset=Destination.objects.all()
    )
    cartons = serializers.ListField(
        child=serializers.RegexField(r"^\d{18}$", max_length=18), min_length=1, max_length=5000
    )
    container = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class ShipmentListCreateApi(ErpAPIView):
    pagination_class = StandardPagination

    def get_permissions(self):
        return [SHIPPERS()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(operation_id="shipments_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        qs = shipment_qs().order_by("-id")
        if request.query_params.get("destination"):
            qs = qs.filter(destination__code=request.query_params["destination"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response([shipment_data(s) for s in page])

    @extend_schema(request=ShipmentInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = ShipmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        shipment = shipment_create(
            destination=v["destination"], sscc_list=v["cartons"], container=v["container"],
            user=request.user,
        )  # fmt: skip
        return Response(shipment_data(shipment_qs().get(pk=shipment.pk)), status=201)


class ShipmentDetailApi(ErpAPIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk):
        return Response(shipment_data(get_object_or_404(shipment_qs(), pk=pk)))


class ShipmentTrackInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Shipment.Status.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ShipmentTrackApi(ErpAPIView):
    permission_classes = [SHIPPERS]

    @extend_schema(request=ShipmentTrackInputSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, pk):
        shipment = get_object_or_404(Shipment, pk=pk)
        data = ShipmentTrackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment_track(shipment=shipment, user=request.user, **data.validated_data)
        return Response(shipment_data(shipment_qs().get(pk=shipment.pk)))
