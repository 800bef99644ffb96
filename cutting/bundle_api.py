"""Bundle tickets over the API: create a cut record's bundles; look a bundle up by its code."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from erp.common.idempotency import ErpAPIView
from erp.common.permissions import HasRole

from .bundles import bundles_for_cut
from .models import Bundle, CutRecord

PRODUCTION_ROLES = (
    "cutting", "embroidery", "sewing", "finishing", "packing", "warehouse", "ppic", "manager",
    "qc_inspector", "qc_lab",
)  # fmt: skip


def bundle_payload(bundle: Bundle) -> dict:
    batch = bundle.batch
    return {
        "code": bundle.code,
        "batch": batch.number,
        "article": batch.mo.article.code,
        "cut_record": bundle.cut_record_id,
        "number": bundle.number,
        "total": bundle.total,
        "label": f"{bundle.number}/{bundle.total}",
        "quantity": bundle.quantity,
        "dye_lot": bundle.dye_lot,
    }


class CutBundlesApi(ErpAPIView):
    """``POST /api/v1/cutting/outputs/{id}/bundles/``: the cut record's bundles, created on the
    first call (201 with the list either way). Cutting's users, its lead, a manager."""

    permission_classes = [HasRole.of("cutting", "manager")]

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        record = get_object_or_404(CutRecord, pk=pk)
        bundles = bundles_for_cut(cut_record=record, user=request.user)
        batch = record.batch
        for bundle in bundles:  # same batch for all: no query per bundle
            bundle.batch = batch
        return Response(
            {
                "cut_record": record.pk,
                "batch": batch.number,
                "count": len(bundles),
                "bundles": [bundle_payload(b) for b in bundles],
            },
            status=201,
        )


class BundleDetailApi(ErpAPIView):
    """``GET /api/v1/bundles/{code}/``: what a scanner needs to know about a bundle ticket."""

    permission_classes = [HasRole.of(*PRODUCTION_ROLES)]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, code: str):
        bundle = get_object_or_404(
            Bundle.objects.select_related("batch__mo__article"), code=code.strip().upper()
        )
        return Response(bundle_payload(bundle))
