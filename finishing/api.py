"""Finishing API (API.md "Production records"): stuffing, FG conversion, metal detectors."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from erp.common.api import StandardPagination
from erp.common.fields import batch_field, line_field
from erp.common.idempotency import ErpAPIView
from erp.common.permissions import HasRole

from .models import DETECTOR_POINTS, Detector, DetectorCheck
from .services import (
    detector_check_record,
    detector_scan_record,
    detector_status,
    fg_convert,
    progress,
    stuffing_record,
)

FINISHERS = HasRole.of("finishing", "qc_inspector", "manager")


def _time(value):
    return timezone.localtime(value).isoformat() if value else None


def check_data(check: DetectorCheck | None) -> dict | None:
    if check is None:
        return None
    return {
        "id": check.pk,
        "detector": check.detector.code,
        "test_piece_mm": str(check.test_piece_mm),
        "points_detected": check.points_detected,
        "result": check.result,
        "occasion": check.occasion,
        "by": check.user.get_username(),
        "at": _time(check.at),
    }


def _weights():
    return serializers.ListField(
        child=serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0),
        max_length=10_000,
    )


class StuffingInputSerializer(serializers.Serializer):
    batch = batch_field()
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    sample_weights_g = _weights()
    corrected_weights_g = _weights()
    line = line_field(required=False, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrected_weights_g"].required = False


class StuffingApi(ErpAPIView):
    """``POST /api/v1/finishing/stuffing/``."""

    permission_classes = [FINISHERS]

    @extend_schema(request=StuffingInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = StuffingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = stuffing_record(user=request.user, **data.validated_data)
        p = progress(batch=record.batch, line=record.line)
        pending = record.out_of_tolerance - len(record.corrected_weights_g)
        return Response(
            {
                "id": record.pk,
                "batch": record.batch.number,
                "line": record.line.code,
                "quantity": record.quantity,
                "target_g": str(record.target_g),
                "tolerance_g": str(record.tolerance_g),
                "sample_weights_g": record.sample_weights_g,
                "out_of_tolerance": record.out_of_tolerance,
                "corrected": len(record.corrected_weights_g),
                "to_correct": pending,
                "stuffed_total": p.stuffed,
                "at": _time(record.at),
            },
            status=201,
        )


class FgInputSerializer(serializers.Serializer):
    batch = batch_field()
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    line = line_field(required=False, allow_null=True)


class FgApi(ErpAPIView):
    """``POST /api/v1/finishing/fg/``: stuffed, detector-passed, QC-passed units become FG."""

    permission_classes = [FINISHERS]

    @extend_schema(request=FgInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = FgInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = fg_convert(user=request.user, **data.validated_data)
        p = progress(batch=record.batch, line=record.line)
        return Response(
            {
                "id": record.pk,
                "batch": record.batch.number,
                "line": record.line.code,
                "quantity": record.quantity,
                "fg_total": p.fg,
                "convertible": p.convertible,
                "at": _time(record.at),
            },
            status=201,
        )


class DetectorListApi(ErpAPIView):
    """``GET /api/v1/finishing/detectors/``."""

    pagination_class = StandardPagination

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        detectors = list(Detector.objects.select_related("line").order_by("code"))
        rows = [
            {
                "code": s["code"],
                "line": s["line"],
                "active": s["detector"].active,
                "verified": s["verified"],
                "next_due_at": _time(s["next_due_at"]),
                "last_check": check_data(s["last_check"]),
            }
            for s in detector_status(detectors)
        ]
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(page)


def detector_field():
    return serializers.SlugRelatedField(slug_field="code", queryset=Detector.objects.all())


class DetectorCheckInputSerializer(serializers.Serializer):
    detector = detector_field()
    test_piece_mm = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0)
    points_detected = serializers.IntegerField(min_value=0, max_value=DETECTOR_POINTS)
    occasion = serializers.ChoiceField(
        choices=DetectorCheck.Occasion.choices, required=False, default="hourly"
    )
    batch = batch_field(required=False, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DetectorCheckApi(ErpAPIView):
    """``POST /api/v1/finishing/detector-checks/``: 9 of 9 → PASS; fewer → FAIL, P1, and
    everything passed since the last good check quarantined."""

    permission_classes = [FINISHERS]

    @extend_schema(request=DetectorCheckInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = DetectorCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = detector_check_record(user=request.user, **data.validated_data)
        return Response(check_data(check), status=201)


class DetectorScanInputSerializer(serializers.Serializer):
    batch = batch_field()
    detector = detector_field()
    passed = serializers.IntegerField(min_value=0, max_value=1_000_000)
    failed = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, default=0)


class DetectorScanApi(ErpAPIView):
    """``POST /api/v1/finishing/detector-scans/``."""

    permission_classes = [FINISHERS]

    @extend_schema(request=DetectorScanInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = DetectorScanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scan = detector_scan_record(user=request.user, **data.validated_data)
        return Response(
            {
                "id": scan.pk,
                "batch": scan.batch.number,
                "detector": scan.detector.code,
                "line": scan.line.code,
                "passed": scan.passed,
                "failed": scan.failed,
                "quarantined": bool(scan.failed),
                "at": _time(scan.at),
            },
            status=201,
        )
