"""Warehouse API (API.md: receipts, lots, issue-material; shortage requests; the stock ledger;
work orders with what they still require)."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.selectors import user_departments, user_roles
from erp.common.api import LedgerPagination
from erp.common.idempotency import ErpAPIView
from erp.common.permissions import HasRole, ReadOrRoles
from ppic.models import Material, WorkOrder
from ppic.selectors import work_order_qs

from . import services
from .models import ShortageRequest, StockLot, StockMove
from .serializers import (
    IssueInputSerializer,
    ReceiptInputSerializer,
    ShortageInputSerializer,
    ShortageSerializer,
    StockLotSerializer,
    StockMoveSerializer,
    issues_data,
)

STOCK_WRITERS = ReadOrRoles.of("warehouse", "manager")
OPERATOR_ROLES = {"cutting", "embroidery", "sewing", "finishing", "packing"}


def _material_filter(request):
    code = request.query_params.get("material")
    if not code:
        return None
    material = Material.objects.filter(code=code).first()
    if material is None:
        raise ValidationError({"material": [_("Unknown material %(code)s.") % {"code": code}]})
    return material


class ReceiptApi(ErpAPIView):
    permission_classes = [HasRole.of("warehouse", "manager")]

    @extend_schema(request=ReceiptInputSerializer, responses={201: StockLotSerializer})
    def post(self, request):
        data = ReceiptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lot = services.stock_receive(user=request.user, **data.validated_data)
        return Response(StockLotSerializer(lot).data, status=201)


class LotListApi(ErpAPIView):
    permission_classes = [STOCK_WRITERS]

    @extend_schema(responses={200: StockLotSerializer(many=True)})
    def get(self, request):
        qs = StockLot.objects.select_related("material").order_by("received_at", "id")
        material = _material_filter(request)
        if material is not None:
            qs = qs.filter(material=material)
        if request.query_params.get("on_hand") == "true":
            qs = qs.filter(quantity_on_hand__gt=0)
        return self.paginated(qs, StockLotSerializer)


class StockMoveListApi(ErpAPIView):
    permission_classes = [STOCK_WRITERS]

    @extend_schema(responses={200: StockMoveSerializer(many=True)})
    def get(self, request):
        qs = StockMove.objects.select_related("lot", "lot__material", "work_order", "batch", "user")
        material = _material_filter(request)
        if material is not None:
            qs = qs.filter(lot__material=material)
        kind = request.query_params.get("kind")
        if kind:
            if kind not in StockMove.Kind.values:
                raise ValidationError({"kind": [_("Unknown kind.")]})
            qs = qs.filter(kind=kind)
        if request.query_params.get("work_order"):
            qs = qs.filter(work_order__number=request.query_params["work_order"])
        return self.paginated(qs, StockMoveSerializer, pagination_class=LedgerPagination)


def _visible_work_orders(user):
    qs = work_order_qs()
    roles = user_roles(user)
    if roles and roles <= OPERATOR_ROLES:  # operators see their own SPKs only
        qs = qs.filter(department__code__in=user_departments(user))
    return qs


def work_order_data(wo: WorkOrder) -> dict:
    requirements = []
    for req in wo.requirements.all():
        issued = services.issued_for(work_order=wo, material=req.material)
        requirements.append(
            {
                "material": req.material.code,
                "uom": req.material.uom,
                "quantity": f"{req.quantity:.3f}",
                "issued": f"{issued:.3f}",
                "remaining": f"{max(req.quantity - issued, 0):.3f}",
            }
        )
    return {
        "number": wo.number,
        "mo": wo.mo.number,
        "mo_id": wo.mo_id,
        "article": wo.mo.article.code,
        "department": wo.department.code,
        "step": wo.step,
        "target_quantity": wo.target_quantity,
        "status": wo.status,
        "material_requirements": requirements,
    }


class _WorkOrderBrief(serializers.ModelSerializer):
    mo = serializers.CharField(source="mo.number")
    article = serializers.CharField(source="mo.article.code")
    department = serializers.CharField(source="department.code")

    class Meta:
        model = WorkOrder
        fields = ["number", "mo", "article", "department", "step", "target_quantity", "status"]


class WorkOrderListApi(ErpAPIView):
    @extend_schema(responses={200: _WorkOrderBrief(many=True)})
    def get(self, request):
        qs = _visible_work_orders(request.user).order_by("-mo_id", "step")
        params = request.query_params
        if params.get("department"):
            qs = qs.filter(department__code=params["department"])
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("mo"):
            qs = qs.filter(Q(mo__number=params["mo"]))
        return self.paginated(qs, _WorkOrderBrief)


class WorkOrderDetailApi(ErpAPIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, number):
        wo = get_object_or_404(
            _visible_work_orders(request.user).prefetch_related("requirements__material"),
            number=number,
        )
        return Response(work_order_data(wo))


class IssueMaterialApi(ErpAPIView):
    permission_classes = [HasRole.of("warehouse", "manager")]

    @extend_schema(request=IssueInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, number):
        work_order = get_object_or_404(WorkOrder, number=number)
        data = IssueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issues = services.stock_issue(
            work_order=work_order, user=request.user, **data.validated_data
        )
        return Response(
            {"work_order": work_order.number, "issues": issues_data(issues)}, status=201
        )


class ShortageListCreateApi(ErpAPIView):
    """Cutting (its users, lead) or a manager asks; everyone may read."""

    permission_classes = [ReadOrRoles.of("cutting", "manager")]

    @extend_schema(responses={200: ShortageSerializer(many=True)})
    def get(self, request):
        qs = ShortageRequest.objects.select_related(
            "work_order", "material", "requested_by", "decided_by"
        )
        status = request.query_params.get("status")
        if status:
            qs = qs.filter(status=status)
        return self.paginated(qs, ShortageSerializer)

    @extend_schema(request=ShortageInputSerializer, responses={201: ShortageSerializer})
    def post(self, request):
        data = ShortageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        work_order = WorkOrder.objects.filter(number=data.validated_data["work_order"]).first()
        if work_order is None:
            raise ValidationError({"work_order": [_("Unknown SPK.")]})
        if work_order.department.code not in user_departments(request.user):
            raise PermissionDenied(_("This SPK belongs to another department."))
        shortage = services.shortage_request_create(
            work_order=work_order,
            material=data.validated_data["material"],
            quantity=data.validated_data["quantity"],
            reason=data.validated_data["reason"],
            user=request.user,
        )
        return Response(ShortageSerializer(shortage).data, status=201)


class ShortageDecideApi(ErpAPIView):
    permission_classes = [HasRole.of("warehouse", "manager")]
    approve = True

    class ShortageDecisionSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    @extend_schema(request=ShortageDecisionSerializer, responses={200: ShortageSerializer})
    def post(self, request, pk):
        shortage = get_object_or_404(ShortageRequest, pk=pk)
        data = self.ShortageDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shortage, issues = services.shortage_request_decide(
            shortage=shortage, approve=self.approve, user=request.user, **data.validated_data
        )
        return Response({**ShortageSerializer(shortage).data, "issues": issues_data(issues)})


class ShortageRefuseApi(ShortageDecideApi):
    approve = False
