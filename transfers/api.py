"""QT-09 API (API.md: transfers, wip, line clearance)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from accounts.selectors import user_departments, user_roles
from erp.common.idempotency import ErpAPIView
from ppic.models import ROUTE_STEPS, Batch, Vendor

from . import services
from .models import Department, Line, TransferState
from .reference_cache import department_by_code, line_by_code
from .selectors import department_list, transfer_qs, transfers_visible_to, wip_rows
from .serializers import (
    DepartmentSerializer,
    TransferDetailSerializer,
    TransferSerializer,
    WipRowSerializer,
)

TRANSFER_READERS = {"manager", "ppic", "qc_inspector", "qc_lab"}


class DepartmentListApi(ListAPIView):
    """Departments with their lines (everyone logged in may read)."""

    serializer_class = DepartmentSerializer

    def get_queryset(self):
        return department_list()


ROUTE_DEPARTMENTS = {code for steps in ROUTE_STEPS.values() for code in steps}


class ActsForADepartment(BasePermission):
    """Role check before any input is read: the user acts for a department on the routes."""

    message = _("Your role does not send or receive transfers.")

    def has_permission(self, request, view):
        return bool(set(user_departments(request.user)) & ROUTE_DEPARTMENTS)


class ReadsTransfers(BasePermission):
    message = _("Your role may not see transfers.")

    def has_permission(self, request, view):
        return bool(user_departments(request.user)) or bool(
            user_roles(request.user) & TRANSFER_READERS
        )


@extend_schema_field(OpenApiTypes.STR)
class CachedCodeField(serializers.Field):
    """A department or line by its code, from the per-process reference map (no query)."""

    def __init__(self, lookup, **kwargs):
        self.lookup = lookup
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data:
            raise serializers.ValidationError(_("Give a code."))
        obj = self.lookup(data)
        if obj is None:
            raise serializers.ValidationError(_("Unknown code %(code)s.") % {"code": data})
        return obj

    def to_representation(self, value):
        return value.code


class TransferCreateSerializer(serializers.Serializer):
    batch = serializers.SlugRelatedField(
        slug_field="number", queryset=Batch.objects.select_related("mo__destination", "mo__article")
    )
    from_department = CachedCodeField(department_by_code)
    to_department = CachedCodeField(department_by_code)
    from_line = CachedCodeField(line_by_code, required=False, allow_null=True)
    to_line = CachedCodeField(line_by_code, required=False, allow_null=True)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    vendor = serializers.SlugRelatedField(
        slug_field="code", queryset=Vendor.objects.filter(active=True), required=False,
        allow_null=True,
    )  # fmt: skip
    expected_return = serializers.DateField(required=False, allow_null=True)


class AcceptSerializer(serializers.Serializer):
    slip_code = serializers.CharField(max_length=60)
    quantity_received = serializers.IntegerField(min_value=0, max_value=1_000_000)


class ApproveSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=0, max_value=1_000_000)
    remainder = serializers.ChoiceField(choices=["return", "write_off"])
    reason = serializers.CharField(max_length=300)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


def _transfer_body(transfer_id: int, status=200, detail=False):
    qs = transfer_qs().prefetch_related("events__user") if detail else transfer_qs()
    serializer = TransferDetailSerializer if detail else TransferSerializer
    return Response(serializer(qs.get(pk=transfer_id)).data, status=status)


class TransferListCreateApi(ErpAPIView):
    permission_classes = [ReadsTransfers]

    @extend_schema(responses={200: TransferSerializer(many=True)})
    def get(self, request):
        qs = transfers_visible_to(request.user)
        params = request.query_params
        if params.get("state"):
            states = params["state"].split(",")
            if not set(states) <= set(TransferState.values):
                raise ValidationError({"state": [_("Unknown state.")]})
            qs = qs.filter(state__in=states)
        for name, field in [
            ("to_department", "to_department__code"),
            ("from_department", "from_department__code"),
            ("batch", "batch__number"),
            ("to_line", "to_line__code"),
        ]:
            if params.get(name):
                qs = qs.filter(**{field: params[name]})
        return self.paginated(qs.order_by("-id"), TransferSerializer)

    @extend_schema(request=TransferCreateSerializer, responses={201: TransferSerializer})
    def post(self, request):
        if not ActsForADepartment().has_permission(request, self):
            raise PermissionDenied(ActsForADepartment.message)
        data = TransferCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = services.transfer_prepare(user=request.user, **data.validated_data)
        return Response(TransferSerializer(transfer).data, status=201)  # relations in memory


class TransferDetailApi(ErpAPIView):
    permission_classes = [ReadsTransfers]

    @extend_schema(responses={200: TransferDetailSerializer})
    def get(self, request, pk):
        get_object_or_404(transfers_visible_to(request.user), pk=pk)
        return _transfer_body(pk, detail=True)


class TransferAcceptApi(ErpAPIView):
    permission_classes = [ActsForADepartment]

    @extend_schema(request=AcceptSerializer, responses={200: TransferSerializer})
    def post(self, request):
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = services.transfer_accept(user=request.user, **data.validated_data)
        return Response(TransferSerializer(transfer).data)  # relations in memory


class _TransferActionApi(ErpAPIView):
    permission_classes = [ActsForADepartment]
    input_serializer: type[serializers.Serializer] | None = None

    def act(self, transfer, user, **data):  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request, pk):
        transfer = get_object_or_404(transfer_qs(), pk=pk)
        values = {}
        if self.input_serializer is not None:
            data = self.input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
        result = self.act(transfer, request.user, **values)
        return _transfer_body(result.pk)


class TransferApproveApi(_TransferActionApi):
    input_serializer = ApproveSerializer

    @extend_schema(request=ApproveSerializer, responses={200: TransferSerializer})
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, transfer, user, **data):
        return services.transfer_approve(transfer=transfer, user=user, **data)


class TransferRejectApi(_TransferActionApi):
    input_serializer = ReasonSerializer

    @extend_schema(request=ReasonSerializer, responses={200: TransferSerializer})
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, transfer, user, **data):
        return services.transfer_reject(transfer=transfer, user=user, **data)


class TransferCancelApi(_TransferActionApi):
    input_serializer = OptionalReasonSerializer

    @extend_schema(request=OptionalReasonSerializer, responses={200: TransferSerializer})
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, transfer, user, **data):
        return services.transfer_cancel(transfer=transfer, user=user, **data)


class TransferRetryApi(_TransferActionApi):
    @extend_schema(request=None, responses={200: TransferSerializer})
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, transfer, user, **data):
        return services.transfer_retry(transfer=transfer, user=user)


class TransferSlipApi(ErpAPIView):
    """The printable slip (HTML, A6), QR as SVG."""

    permission_classes = [ReadsTransfers]

    @extend_schema(responses={(200, "text/html"): OpenApiTypes.STR})
    def get(self, request, pk):
        from .views import render_slip

        transfer = get_object_or_404(transfers_visible_to(request.user), pk=pk)
        return render_slip(request, transfer)


class WipListApi(ErpAPIView):
    @extend_schema(responses={200: WipRowSerializer(many=True)})
    def get(self, request):
        params = request.query_params
        filters = {}
        for name, model, slug in [
            ("department", Department, "code"),
            ("batch", Batch, "number"),
            ("line", Line, "code"),
        ]:
            if params.get(name):
                obj = model.objects.filter(**{slug: params[name]}).first()
                if obj is None:
                    raise ValidationError({name: [_("Unknown %(name)s.") % {"name": name}]})
                filters[name] = obj
        rows = wip_rows(**filters)
        return self.paginated(rows, WipRowSerializer)


class LineClearanceApi(ErpAPIView):
    permission_classes = [ActsForADepartment]

    class LineClearanceInputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=300)

    @extend_schema(request=LineClearanceInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, code):
        line = get_object_or_404(Line.objects.select_related("department"), code=code)
        data = self.LineClearanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        clearance = services.line_clearance_record(
            line=line, note=data.validated_data["note"], user=request.user
        )
        return Response(
            {
                "id": clearance.pk,
                "line": line.code,
                "note": clearance.note,
                "cleared_batches": list(
                    Batch.objects.filter(pk__in=clearance.cleared_batch_ids).values_list(
                        "number", flat=True
                    )
                ),
                "recorded_by": request.user.get_username(),
                "recorded_at": clearance.recorded_at,
            },
            status=201,
        )


class SubconListApi(ErpAPIView):
    """What is at each vendor now, with the expected return and whether it is overdue."""

    permission_classes = [ReadsTransfers]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        from .selectors import subcon_holdings

        rows = subcon_holdings()
        if request.query_params.get("overdue") == "true":
            rows = [r for r in rows if r["overdue"]]
        return self.paginated(rows, SubconRowSerializer)


class SubconRowSerializer(serializers.Serializer):
    batch = serializers.CharField()
    article = serializers.CharField()
    quantity = serializers.IntegerField()
    vendor = serializers.CharField(allow_null=True)
    vendor_name = serializers.CharField()
    dispatched_at = serializers.DateTimeField(allow_null=True)
    expected_return = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
