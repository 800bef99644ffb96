from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from erp.common.fields import batch_field, count_field, department_field, line_field
from erp.common.idempotency import ErpAPIView
from erp.common.permissions import HasRole
from ppic.models import Article

from .models import DefectCode, Inspection, LabTest
from .services import inspection_record

INSPECTORS = HasRole.of(
    "qc_inspector", "manager", "cutting", "embroidery", "sewing", "finishing", "packing"
)


class DefectInputSerializer(serializers.Serializer):
    code = serializers.SlugRelatedField(
        slug_field="code", queryset=DefectCode.objects.filter(active=True)
    )
    count = serializers.IntegerField(min_value=1, max_value=1_000_000)


class InspectionInputSerializer(serializers.Serializer):
    batch = batch_field()
    department = department_field()
    kind = serializers.ChoiceField(choices=Inspection.Kind.choices)
    passed = count_field()
    rework = count_field(required=False, default=0)
    scrap = count_field(required=False, default=0)
    repaired = count_field(required=False, default=0)
    defects = DefectInputSerializer(many=True, required=False, default=list)
    line = line_field(required=False, allow_null=True)
    recheck = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate_defects(self, value):
        codes = [d["code"].code for d in value]
        if len(codes) != len(set(codes)):
            raise serializers.ValidationError(_("Each defect code once."))
        return value


def inspection_data(inspection: Inspection) -> dict:
    return {
        "id": inspection.pk,
        "batch": inspection.batch.number,
        "department": inspection.department.code,
        "line": inspection.line.code if inspection.line_id else None,
        "kind": inspection.kind,
        "checked": inspection.checked,
        "passed": inspection.passed,
        "rework": inspection.rework,
        "scrap": inspection.scrap,
        "repaired": inspection.repaired,
        "light": inspection.light or None,
        "recheck": inspection.recheck,
        "defects": [
            {"code": d.code_id and d.code.code, "count": d.count} for d in inspection.defects.all()
        ],
        "by": inspection.user.get_username(),
        "at": inspection.at,
    }


class InspectionCreateApi(ErpAPIView):
    permission_classes = [INSPECTORS]

    @extend_schema(request=InspectionInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = InspectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["defects"] = [(d["code"], d["count"]) for d in values.get("defects", [])]
        inspection = inspection_record(user=request.user, **values)
        return Response(inspection_data(inspection), status=201)


class AqlPlanQuerySerializer(serializers.Serializer):
    lot_size = serializers.IntegerField(min_value=2, max_value=150_000)
    aql = serializers.DecimalField(max_digits=4, decimal_places=2)

    def validate_aql(self, value):
        from .aql import ZERO_ONE_AT

        if value != 0 and value not in ZERO_ONE_AT:
            raise serializers.ValidationError(_("One of 0.65, 1.0, 1.5, 2.5, 4.0, 6.5, or 0."))
        return value


class AqlPlanApi(ErpAPIView):
    """``GET /api/v1/aql/plan/?lot_size=&aql=``: ISO 2859-1, general level II, normal, single."""

    @extend_schema(parameters=[AqlPlanQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        from .aql import plan

        data = AqlPlanQuerySerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        return Response(plan(**data.validated_data).as_dict())


class FinalInspectionInputSerializer(serializers.Serializer):
    batch = batch_field()
    lot_size = serializers.IntegerField(
        min_value=2, max_value=150_000, required=False, allow_null=True
    )
    critical = count_field()
    major = count_field()
    minor = count_field()


class FinalInspectionCreateApi(ErpAPIView):
    """``POST /api/v1/final-inspections/``: QC inspectors, the QC lead, managers."""

    permission_classes = [HasRole.of("qc_inspector", "manager")]

    @extend_schema(request=FinalInspectionInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        from .services import final_inspection_record

        data = FinalInspectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = final_inspection_record(user=request.user, **data.validated_data)
        return Response(
            {
                "id": inspection.pk,
                "batch": inspection.batch.number,
                "lot_size": inspection.lot_size,
                "sample_size": inspection.sample_size,
                "verdict": inspection.verdict,
                "plans": inspection.plans,
                "critical": inspection.critical,
                "major": inspection.major,
                "minor": inspection.minor,
                "at": inspection.at,
            },
            status=201,
        )


class LabTestInputSerializer(serializers.Serializer):
    article = serializers.SlugRelatedField(slug_field="code", queryset=Article.objects.all())
    test = serializers.ChoiceField(choices=LabTest.Test.choices)
    result = serializers.ChoiceField(choices=LabTest.Result.choices)
    measurements = serializers.DictField(required=False, default=dict)
    tested_at = serializers.DateTimeField(required=False, allow_null=True)


class LabTestCreateApi(ErpAPIView):
    """``POST /api/v1/lab-tests/``: the lab (qc_lab) and the QC lead."""

    permission_classes = [HasRole.of("qc_lab", "qc_inspector")]

    @extend_schema(request=LabTestInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        from accounts.selectors import user_has_role, user_is_supervisor_of

        if not (
            user_has_role(request.user, "qc_lab") or user_is_supervisor_of(request.user, "QUALITY")
        ):
            raise PermissionDenied(_("Lab results are recorded by the lab or the QC lead."))
        from .lab import lab_test_record

        data = LabTestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values.get("tested_at") is None:
            values.pop("tested_at", None)
        lab = lab_test_record(user=request.user, **values)
        return Response(
            {
                "id": lab.pk,
                "article": lab.article.code,
                "test": lab.test,
                "result": lab.result,
                "measurements": lab.measurements,
                "tested_at": lab.tested_at,
                "by": request.user.get_username(),
            },
            status=201,
        )


class ArticleComplianceApi(ErpAPIView):
    """``GET /api/v1/articles/{code}/compliance/``."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, code):
        from django.shortcuts import get_object_or_404

        from .lab import article_compliance

        article = get_object_or_404(Article, code=code)
        return Response(article_compliance(article).as_dict())
