"""The compliance dossier (DOMAIN.md "What IKEA checks"): per batch or per PO, a PDF with the
genealogy, lab tests, detector checks and alarms, inspections with AQL verdicts, quarantines, and
every transfer with who sent and who accepted — the same data as the trace API, rendered by
WeasyPrint."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone

from ppic.models import Batch
from ppic.trace import batch_trace


def dossier_html(*, title: str, batches: list[Batch], po_number: str = "") -> str:
    traces = [batch_trace(batch=b) for b in batches]
    return render_to_string(
        "dossier/dossier.html",
        {"title": title, "po_number": po_number, "traces": traces, "now": timezone.localtime()},
    )


def dossier_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def _pdf_response(html: str, filename: str, request) -> HttpResponse:
    if request.GET.get("format") == "html":
        return HttpResponse(html)
    response = HttpResponse(dossier_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _batches():
    return Batch.objects.select_related("mo__article", "mo__destination", "mo__po_line__po")


@login_required
def batch_dossier(request, number: str):
    batch = get_object_or_404(_batches(), number=number)
    html = dossier_html(title=batch.number, batches=[batch], po_number=batch.mo.po_number)
    return _pdf_response(html, f"dossier-{batch.number}.pdf", request)


@login_required
def po_dossier(request, number: str):
    from django.db.models import Q

    batches = list(
        _batches()
        .filter(Q(mo__po_number=number) | Q(mo__po_line__po__number=number))
        .order_by("mo_id", "sequence")
    )
    if not batches:
        raise Http404("No batch of this PO.")
    html = dossier_html(title=f"PO {number}", batches=batches, po_number=number)
    return _pdf_response(html, f"dossier-PO-{number}.pdf", request)
