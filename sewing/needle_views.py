"""The needle office page: open broken-needle records (fragments missing) and the search form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import user_has_role, user_supervises
from erp.common.errors import ApplicationError
from erp.common.idempotency import form_idempotent
from erp.common.permissions import role_required

from .models import BrokenNeedle, NeedleDepartment
from .needles import needle_search_record

PAGE_ROLES = ("sewing", "embroidery", "qc_inspector", "manager")


def _departments_for(user) -> list[str]:
    """QC and managers: both departments; leads: the ones they supervise; operators: none."""
    if user_has_role(user, "qc_inspector", "manager"):
        return list(NeedleDepartment.values)
    return [d for d in NeedleDepartment.values if d in user_supervises(user)]


def _page(request, *, error: str = "", status: int = 200, departments=None):
    departments = departments if departments is not None else _departments_for(request.user)
    records = (
        BrokenNeedle.objects.filter(
            department__in=departments, fragments_found=False, search_recorded_at__isnull=True
        )
        .select_related("line", "operator", "custodian", "batch__mo__article", "recorded_by")
        .order_by("at")
    )
    return render(
        request,
        "sewing/needles.html",
        {"records": records, "error": error, "departments": departments},
        status=status,
    )


@role_required(*PAGE_ROLES)
def needles(request):
    departments = _departments_for(request.user)
    if not departments:
        raise PermissionDenied(_("Only a line lead, QC or a manager may open this page."))
    return _page(request, departments=departments)


@require_POST
@role_required(*PAGE_ROLES)
@form_idempotent
def needle_search(request, pk: int):
    departments = _departments_for(request.user)
    if not departments:
        raise PermissionDenied(_("Only a line lead, QC or a manager may record the search."))
    record = get_object_or_404(BrokenNeedle, pk=pk, department__in=departments)
    found = request.POST.get("found")
    if found not in ("1", "0"):
        return _page(request, error=_("Choose: fragment found or not found."), status=400)
    try:
        needle_search_record(
            broken_needle=record,
            found=found == "1",
            note=request.POST.get("note", "")[:300],
            user=request.user,
        )
    except ApplicationError as exc:
        return _page(request, error=exc.message, status=exc.status)
    messages.success(
        request,
        _("Search recorded for %(batch)s at %(line)s: the hold is released.")
        % {"batch": record.batch.number, "line": record.line.code},
    )
    return redirect("sewing:needles")
