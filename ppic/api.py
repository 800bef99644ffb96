"""Planning API (API.md: master data, manufacturing orders, batches)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from erp.common.idempotency import ErpAPIView
from erp.common.permissions import ReadOrRoles

from . import selectors, services
from .models import Batch, Destination, ManufacturingOrder, Material, Vendor
from .serializers import (
    ArticleSerializer,
    DestinationSerializer,
    MaterialSerializer,
    MOCreateSerializer,
    MOListSerializer,
    MOSerializer,
    VendorSerializer,
)

MASTER_DATA_WRITERS = ReadOrRoles.of("admin", "ppic")
PLANNERS = ReadOrRoles.of("ppic", "manager")


class _MasterDataApi(ErpAPIView):
    permission_classes = [MASTER_DATA_WRITERS]
    serializer_class: type[serializers.ModelSerializer]
    model = None
    create = None

    def get(self, request):
        qs = self.model.objects.all()
        if request.query_params.get("active") in ("true", "false"):
            qs = qs.filter(active=request.query_params["active"] == "true")
        return self.paginated(qs.order_by("code"), self.serializer_class)

    def post(self, request):
        data = self.serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        obj = type(self).create(**data.validated_data)
        return Response(self.serializer_class(obj).data, status=201)


class MaterialListCreateApi(_MasterDataApi):
    serializer_class = MaterialSerializer
    model = Material
    create = staticmethod(services.material_create)


class DestinationListCreateApi(_MasterDataApi):
    serializer_class = DestinationSerializer
    model = Destination
    create = staticmethod(services.destination_create)


class VendorListCreateApi(_MasterDataApi):
    serializer_class = VendorSerializer
    model = Vendor
    create = staticmethod(services.vendor_create)


class ArticleListCreateApi(ErpAPIView):
    permission_classes = [MASTER_DATA_WRITERS]

    @extend_schema(responses={200: ArticleSerializer(many=True)})
    def get(self, request):
        return self.paginated(selectors.article_list().order_by("code"), ArticleSerializer)

    @extend_schema(request=ArticleSerializer, responses={201: ArticleSerializer})
    def post(self, request):
        data = ArticleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        article = services.article_create(**values)
        return Response(
            ArticleSerializer(selectors.article_list().get(pk=article.pk)).data, status=201
        )


class ArticleDetailApi(ErpAPIView):
    permission_classes = [MASTER_DATA_WRITERS]

    @extend_schema(responses={200: ArticleSerializer})
    def get(self, request, code):
        return Response(
            ArticleSerializer(get_object_or_404(selectors.article_list(), code=code)).data
        )


class MOListCreateApi(ErpAPIView):
    permission_classes = [PLANNERS]

    @extend_schema(responses={200: MOListSerializer(many=True)})
    def get(self, request):
        qs = selectors.mo_list(
            status=request.query_params.get("status"),
            article=request.query_params.get("article"),
            destination=request.query_params.get("destination"),
        )
        return self.paginated(qs, MOListSerializer)

    @extend_schema(request=MOCreateSerializer, responses={201: MOSerializer})
    def post(self, request):
        data = MOCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mo = services.mo_create(user=request.user, **data.validated_data)
        return Response(MOSerializer(selectors.mo_detail_qs().get(pk=mo.pk)).data, status=201)


class MODetailApi(ErpAPIView):
    permission_classes = [PLANNERS]

    @extend_schema(responses={200: MOSerializer})
    def get(self, request, pk):
        from transfers.selectors import mo_progress

        mo = get_object_or_404(selectors.mo_detail_qs(), pk=pk)
        body = MOSerializer(mo).data
        body["progress"] = mo_progress(mo=mo)
        return Response(body)


class MOReleaseApi(ErpAPIView):
    permission_classes = [PLANNERS]

    @extend_schema(request=None, responses={200: MOSerializer})
    def post(self, request, pk):
        mo = get_object_or_404(ManufacturingOrder, pk=pk)
        services.mo_release(mo=mo, user=request.user)
        return Response(MOSerializer(selectors.mo_detail_qs().get(pk=mo.pk)).data)


class MOCancelApi(ErpAPIView):
    permission_classes = [PLANNERS]

    class MOCancelInputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    @extend_schema(request=MOCancelInputSerializer, responses={200: MOSerializer})
    def post(self, request, pk):
        mo = get_object_or_404(ManufacturingOrder, pk=pk)
        data = self.MOCancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.mo_cancel(mo=mo, user=request.user, reason=data.validated_data["reason"])
        return Response(MOSerializer(selectors.mo_detail_qs().get(pk=mo.pk)).data)


class BatchDetailApi(ErpAPIView):
    permission_classes = [PLANNERS]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, number):
        from transfers.selectors import batch_wip_summary

        batch = get_object_or_404(
            Batch.objects.select_related("mo", "mo__article", "mo__destination"), number=number
        )
        return Response(
            {
                "number": batch.number,
                "mo": batch.mo.number,
                "mo_id": batch.mo_id,
                "article": batch.mo.article.code,
                "destination": batch.mo.destination.code,
                "country": batch.mo.destination.country,
                "route": batch.mo.route,
                "quantity": batch.quantity,
                **batch_wip_summary(batch=batch),
            }
        )


class BatchTraceApi(ErpAPIView):
    permission_classes = [PLANNERS]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, number):
        from .trace import batch_trace

        batch = get_object_or_404(Batch.objects.select_related("mo"), number=number)
        return Response(batch_trace(batch=batch))
