"""Quality office pages (UI.md): the QC inspector's overview, the AQL final inspection with its
history, the quarantine board and the lab tests.

Every page opens for the ``quality`` area (qc_inspector, qc_lab, manager). Who may write is
checked again here, before the form is read: final inspections and quarantine decisions are for
QC inspectors (the QC lead is one) and managers; lab results for the lab and the QC lead. A view
parses a form, calls one service and re-renders the page with the answer as a sentence in a
coloured box: green done, amber waiting, red refused (400 bad input, 403/409 the rules)."""

from __future__ import annotations

from decimal import Decimal
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import user_has_role, user_is_supervisor_of
from dashboard.models import Alert, AlertPriority
from erp.common.errors import ApplicationError
from erp.common.exports import export_response
from erp.common.factory_settings import get_setting
from erp.common.idempotency import form_idempotent
from erp.common.permissions import area_required
from ppic.models import Article, Batch
from transfers.reference import DEPARTMENT_LABELS

from . import forms
from .aql import plan
from .lab import compliance_many, lab_test_record
from .models import FinalInspection, LabTest, Quarantine, QuarantineDecision
from .quarantine import DECIDERS, may_confirm_metal_release, quarantine_decide
from .services import final_inspection_record, final_lot_size

AREA = "quality"
INSPECTORS = ("qc_inspector", "manager")  # final inspections (quality.services.QC_ROLES)
PAGE_SIZE = 50
EXPORT_FORMATS = ("csv", "xlsx")
CLASSES = ("critical", "major", "minor")
# The buckets of a batch's units that make up the lot at finishing and packing
# (quality.services.final_lot_size counts the same ones).
LOT_STATES = ("available", "ready", "locked", "quarantined", "rework")


# --- helpers ------------------------------------------------------------------------------------
def may_inspect(user) -> bool:
    return user_has_role(user, *INSPECTORS)


def may_decide(user) -> bool:
    return user_has_role(user, *DECIDERS)


def may_record_lab(user) -> bool:
    """The lab, and the QC lead (a QC inspector who supervises QUALITY). A manager reads."""
    return user_has_role(user, "qc_lab") or (
        user_has_role(user, "qc_inspector") and user_is_supervisor_of(user, "QUALITY")
    )


def allowed_only(check, message: str):
    """403 on POST unless ``check(user)``. Sits inside ``area_required`` and outside
    ``form_idempotent``, so a refusal reads no input and records nothing."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST" and not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def result_box(level: str, text: str, code: str = "") -> dict:
    """A sentence for the coloured box: ``success`` green, ``warning`` amber, ``danger`` red."""
    return {"level": level, "text": text, "code": code}


def refused(exc: ApplicationError) -> dict:
    return result_box("danger", exc.message, exc.code)


def form_refused(form) -> ApplicationError:
    return ApplicationError("invalid", form.first_error(), status=400)


def filter_query(request) -> str:
    """The current query string without page and export: what an export link adds to."""
    params = request.GET.copy()
    for dropped in ("page", "export"):
        params.pop(dropped, None)
    return params.urlencode()


def where(department, line) -> str:
    label = str(DEPARTMENT_LABELS.get(department.code, department.code))
    return f"{label} {line.code}" if line else label


# --- overview -----------------------------------------------------------------------------------
def batches_at_final(limit: int = 100):
    """Batches with units at finishing or packing, their units there, and their latest final
    inspection (not inspected first, then rejected, then accepted). One query."""
    in_lot = Q(wip_balances__state__in=LOT_STATES)
    latest = FinalInspection.objects.filter(batch=OuterRef("pk")).order_by("-id")
    return (
        Batch.objects.select_related("mo__article", "mo__destination")
        .annotate(
            at_finishing=Coalesce(
                Sum(
                    "wip_balances__quantity",
                    filter=in_lot & Q(wip_balances__department__code="FINISHING"),
                ),
                0,
            ),
            at_packing=Coalesce(
                Sum(
                    "wip_balances__quantity",
                    filter=in_lot & Q(wip_balances__department__code="PACKING"),
                ),
                0,
            ),
        )  # fmt: skip
        .filter(Q(at_finishing__gt=0) | Q(at_packing__gt=0))
        .annotate(
            verdict=Subquery(latest.values("verdict")[:1]),
            inspected_at=Subquery(latest.values("at")[:1]),
            waiting=Case(
                When(verdict__isnull=True, then=0),
                When(verdict=FinalInspection.Verdict.REJECT, then=1),
                default=2,
                output_field=IntegerField(),
            ),
        )
        .order_by("waiting", "number")[:limit]
    )


def quality_p1_alerts():
    return Alert.objects.filter(
        resolved_at__isnull=True, priority=AlertPriority.P1, departments__code="QUALITY"
    ).select_related("batch", "line")


@area_required(AREA)
@require_GET
def home(request):
    """The QC inspector's landing: what waits for a final inspection, open quarantines, open
    P1 quality alerts, and the way to each page."""
    batches = list(batches_at_final())
    counts = Quarantine.objects.filter(status__in=Quarantine.OPEN_STATUSES).aggregate(
        open=Count("pk"),
        awaiting=Count("pk", filter=Q(status=Quarantine.Status.AWAITING_SECOND_APPROVAL)),
        metal=Count("pk", filter=Q(kind__in=Quarantine.METAL_KINDS)),
        units=Coalesce(Sum("remaining"), 0),
    )
    alerts = list(quality_p1_alerts().order_by("-id")[:11])
    context = {
        "batches": batches,
        "not_inspected": sum(1 for b in batches if b.verdict is None),
        "quarantines": counts,
        "alerts": alerts[:10],
        "more_alerts": len(alerts) > 10,
        "can_inspect": may_inspect(request.user),
    }
    return render(request, "quality/home.html", context)


# --- final inspection (AQL) ---------------------------------------------------------------------
def plan_rows(lot_size: int | None) -> list[dict]:
    """The customer's plan (factory setting ``aql_plan``) for the three defect classes."""
    if lot_size is None:
        return []
    aqls = get_setting("aql_plan")
    labels = {"critical": _("Critical"), "major": _("Major"), "minor": _("Minor")}
    rows = []
    for cls in CLASSES:
        aql = Decimal(str(aqls.get(cls, 0)))
        p = plan(lot_size=lot_size, aql=aql)
        rows.append({"cls": cls, "label": labels[cls], "aql": aql, **p.as_dict()})
    return rows


def verdict_rows(inspection: FinalInspection) -> list[dict]:
    labels = {"critical": _("Critical"), "major": _("Major"), "minor": _("Minor")}
    rows = []
    for cls in CLASSES:
        p = inspection.plans.get(cls, {})
        found = getattr(inspection, cls)
        rows.append(
            {
                "cls": cls,
                "label": labels[cls],
                "found": found,
                "aql": p.get("aql"),
                "sample_size": p.get("sample_size"),
                "accept": p.get("accept"),
                "reject": p.get("reject"),
                "rejects": p.get("reject") is not None and found >= p["reject"],
            }
        )
    return rows


def _final_page(request, *, form, inspection=None, error=None, status=200):
    lot_size = None
    if form.is_bound:
        lot_field = forms.LotSizeForm({"lot_size": form.data.get("lot_size")})
        lot_size = lot_field.cleaned_data["lot_size"] if lot_field.is_valid() else None
    else:
        lot_size = form.initial.get("lot_size")
        lot_size = lot_size if lot_size and lot_size >= 2 else None
    selected = (form.data.get("batch") if form.is_bound else form.initial.get("batch")) or ""
    candidates = list(batches_at_final())
    if selected and selected not in {b.number for b in candidates}:
        extra = Batch.objects.filter(number=selected).first()
        if extra is not None:
            extra.at_finishing = extra.at_packing = 0
            extra.verdict = None
            candidates.insert(0, extra)
    context = {
        "form": form,
        "selected": selected,
        "candidates": candidates,
        "plans": plan_rows(lot_size),
        "lot_size": lot_size,
        "inspection": inspection,
        "verdict_rows": verdict_rows(inspection) if inspection else [],
        "error": error,
        "can_inspect": may_inspect(request.user),
    }
    template = "quality/final.html"
    if request.htmx and request.method == "GET":
        template += "#inspect"
    return render(request, template, context, status=status)


@area_required(AREA)
@allowed_only(may_inspect, _("Final inspections are for QC inspectors."))
@form_idempotent
def final_inspection(request):
    """GET ``?batch=`` pre-fills the lot with the batch's units at finishing and packing; the
    plan follows the lot size live (``final_plan``). POST records the inspection and shows the
    verdict; a REJECT holds the batch (the service raises the P1 alert)."""
    if request.method == "POST":
        form = forms.FinalInspectionForm(request.POST)
        if not form.is_valid():
            return _final_page(request, form=form, error=form_refused(form), status=400)
        data = form.cleaned_data
        try:
            inspection = final_inspection_record(
                batch=data["batch"], critical=data["critical"], major=data["major"],
                minor=data["minor"], lot_size=data["lot_size"], user=request.user,
            )  # fmt: skip
        except ApplicationError as exc:
            return _final_page(request, form=form, error=exc, status=exc.status)
        return _final_page(request, form=forms.FinalInspectionForm(), inspection=inspection)
    initial = {"critical": 0, "major": 0, "minor": 0}
    number = (request.GET.get("batch") or "").strip()
    if number:
        batch = Batch.objects.filter(number=number).first()
        if batch is not None:
            initial.update(batch=batch.number, lot_size=final_lot_size(batch) or None)
    return _final_page(request, form=forms.FinalInspectionForm(initial=initial))


@area_required(AREA)
@require_GET
def final_plan(request):
    """The plan for ``?lot_size=`` (htmx partial of the final inspection page)."""
    form = forms.LotSizeForm(request.GET)
    if not form.is_valid():
        context = {"plans": [], "plan_error": _("Give a lot size from 2 to 150,000 pcs.")}
        return render(request, "quality/_plan.html", context, status=400)
    lot_size = form.cleaned_data["lot_size"]
    return render(
        request, "quality/_plan.html", {"plans": plan_rows(lot_size), "lot_size": lot_size}
    )


FINAL_EXPORT_HEADERS = [
    "at", "batch", "article", "destination", "lot_size", "sample_size", "critical", "major",
    "minor", "verdict", "inspector",
]  # fmt: skip


@area_required(AREA)
@require_GET
def final_list(request):
    """Final inspections, newest first, filtered by verdict and batch, with CSV/XLSX export of
    exactly the filtered rows. Two queries whatever the number of rows."""
    form = forms.FinalInspectionFilterForm(request.GET)
    filters = form.filters()
    qs = FinalInspection.objects.select_related(
        "batch", "batch__mo__article", "batch__mo__destination", "user"
    ).order_by("-at", "-id")
    if filters["verdict"]:
        qs = qs.filter(verdict=filters["verdict"])
    if filters["batch"]:
        qs = qs.filter(batch__number__icontains=filters["batch"])
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        return export_response(
            fmt=fmt,
            filename=f"final-inspections-{timezone.localdate():%Y%m%d}",
            headers=FINAL_EXPORT_HEADERS,
            rows=qs,
            row=lambda f: [
                f.at, f.batch.number, f.batch.mo.article.code, f.batch.mo.destination.code,
                f.lot_size, f.sample_size, f.critical, f.major, f.minor, f.verdict,
                f.user.get_username(),
            ],
        )  # fmt: skip
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "query": filter_query(request)}
    template = "quality/final_list.html"
    return render(request, f"{template}#list" if request.htmx else template, context)


# --- quarantine board ---------------------------------------------------------------------------
def quarantine_qs():
    return Quarantine.objects.select_related(
        "batch", "batch__mo__article", "department", "line", "created_by"
    ).prefetch_related(
        Prefetch(
            "decisions",
            queryset=QuarantineDecision.objects.select_related("decided_by", "approved_by"),
        )
    )


def quarantine_row(q: Quarantine, user, *, confirmer: bool, result=None, values=None) -> dict:
    """What one row of the board shows and which form it offers this user (``confirmer``: the
    user may give a metal release its second approval)."""
    decisions = list(q.decisions.all())
    pending = next((d for d in decisions if d.status == QuarantineDecision.Status.PENDING), None)
    deciding = may_decide(user) and q.is_open
    return {
        "q": q,
        "where": where(q.department, q.line),
        "pending": pending,
        "decisions": decisions,
        "can_decide": deciding and pending is None,
        "can_confirm": deciding
        and pending is not None
        and pending.decided_by_id != user.pk
        and confirmer,
        "is_first_approver": pending is not None and pending.decided_by_id == user.pk,
        "result": result,
        "values": values or {"decision": "", "quantity": q.remaining, "note": ""},
    }


def _board_page(request, *, result=None, status=200):
    form = forms.QuarantineFilterForm(request.GET)
    filters = form.filters()
    qs = quarantine_qs().order_by("-created_at", "-id")
    if filters["open_only"]:
        qs = qs.filter(status__in=Quarantine.OPEN_STATUSES)
    if filters["kind"] == "metal":
        qs = qs.filter(kind__in=Quarantine.METAL_KINDS)
    elif filters["kind"]:
        qs = qs.filter(kind=filters["kind"])
    if filters["batch"]:
        qs = qs.filter(batch__number__icontains=filters["batch"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    confirmer = may_confirm_metal_release(request.user)
    context = {
        "form": form,
        "page_obj": page,
        "rows": [quarantine_row(q, request.user, confirmer=confirmer) for q in page.object_list],
        "result": result,
        "can_decide": may_decide(request.user),
    }
    template = "quality/quarantines.html"
    if request.htmx and request.method == "GET":
        template += "#list"
    return render(request, template, context, status=status)


@area_required(AREA)
@require_GET
def quarantine_board(request):
    """Open (or all) quarantines with a decide form per row for those who decide."""
    return _board_page(request)


def decided_sentence(q: Quarantine, decision: str, quantity: int, user, pending) -> dict:
    """The answer to a decision, as the inspector reads it."""
    here = where(q.department, q.line)
    values = {"n": quantity, "batch": q.batch.number, "where": here, "left": q.remaining}
    if q.status == Quarantine.Status.AWAITING_SECOND_APPROVAL:
        text = (
            _(
                "Release of %(n)d pcs of %(batch)s approved by you. It is metal-related: it waits "
                "for a second approver (the QC manager or the factory manager); the units stay in "
                "quarantine until then."
            )
            % values
        )
        return result_box("warning", text)
    if pending is not None:
        values["first"] = pending.decided_by.get_full_name() or pending.decided_by.get_username()
        text = (
            _(
                "Release of %(n)d pcs of %(batch)s confirmed (first approval by %(first)s): the "
                "units are back at %(where)s."
            )
            % values
        )
    elif decision == QuarantineDecision.Decision.RELEASE:
        text = _("%(n)d pcs of %(batch)s released back to %(where)s.") % values
    elif decision == QuarantineDecision.Decision.REWORK:
        text = _("%(n)d pcs of %(batch)s sent to rework at %(where)s.") % values
    else:
        text = _("%(n)d pcs of %(batch)s scrapped.") % values
    if q.remaining:
        text += " " + _("%(left)d pcs are still in quarantine.") % values
    return result_box("success", text)


@area_required(AREA)
@require_POST
@allowed_only(may_decide, _("Only QC inspectors, the QC manager or a manager decide."))
@form_idempotent
def quarantine_decide_view(request, pk: int):
    """Release, rework or scrap part or all of a quarantine (``quarantine_decide``). A metal
    release waits for a second, different approver; the same person again is refused (409)."""
    quarantine = get_object_or_404(Quarantine, pk=pk)
    form = forms.QuarantineDecideForm(request.POST)
    values = {k: request.POST.get(k, "") for k in ("decision", "quantity", "note")}
    status = 200
    if not form.is_valid():
        result, status = result_box("danger", form.first_error(), "invalid"), 400
    else:
        data = form.cleaned_data
        pending = (
            quarantine.decisions.filter(status=QuarantineDecision.Status.PENDING)
            .select_related("decided_by")
            .first()
        )
        try:
            q = quarantine_decide(
                quarantine=quarantine, decision=data["decision"], user=request.user,
                note=data["note"], quantity=data["quantity"],
            )  # fmt: skip
        except ApplicationError as exc:
            result, status = refused(exc), exc.status
        else:
            quantity = pending.quantity if pending else data["quantity"] or quarantine.remaining
            result = decided_sentence(q, data["decision"], quantity, request.user, pending)
            values = None
    if not request.htmx:
        return _board_page(request, result=result, status=status)
    row = quarantine_row(
        quarantine_qs().get(pk=pk),
        request.user,
        confirmer=may_confirm_metal_release(request.user),
        result=result,
        values=values,
    )
    return render(
        request,
        "quality/quarantines.html#row",
        {"row": row, "can_decide": may_decide(request.user)},
        status=status,
    )


# --- lab tests ----------------------------------------------------------------------------------
LAB_EXPORT_HEADERS = [
    "tested_at", "article", "test", "result", "measurements", "recorded_by",
]  # fmt: skip
MAX_COMPLIANCE_ROWS = 200


def _lab_page(request, *, form=None, result=None, status=200):
    filter_form = forms.LabFilterForm(request.GET)
    filters = filter_form.filters()
    articles = Article.objects.filter(active=True).order_by("code")
    labs = LabTest.objects.select_related("article", "user").order_by("-tested_at", "-id")
    if filters["article"]:
        articles = articles.filter(code__icontains=filters["article"])
        labs = labs.filter(article__code__icontains=filters["article"])
    if filters["test"]:
        labs = labs.filter(test=filters["test"])
    if filters["result"]:
        labs = labs.filter(result=filters["result"])
    fmt = request.GET.get("export") if request.method == "GET" else None
    if fmt in EXPORT_FORMATS:
        return export_response(
            fmt=fmt,
            filename=f"lab-tests-{timezone.localdate():%Y%m%d}",
            headers=LAB_EXPORT_HEADERS,
            rows=labs,
            row=lambda lab: [
                lab.tested_at, lab.article.code, lab.test, lab.result,
                ", ".join(f"{k}={v}" for k, v in lab.measurements.items()),
                lab.user.get_username(),
            ],
        )  # fmt: skip
    articles = list(articles[: MAX_COMPLIANCE_ROWS + 1])
    more = len(articles) > MAX_COMPLIANCE_ROWS
    articles = articles[:MAX_COMPLIANCE_ROWS]
    compliance = compliance_many(articles)
    test_labels = dict(LabTest.Test.choices)
    page = Paginator(labs, PAGE_SIZE).get_page(request.GET.get("page"))
    can_record = may_record_lab(request.user)
    context = {
        "filter_form": filter_form,
        "form": form or (forms.LabTestForm() if can_record else None),
        "compliance_rows": [
            {
                "article": a,
                "c": compliance[a.pk],
                "missing": [test_labels[t] for t in compliance[a.pk].missing],
            }
            for a in articles
        ],
        "more_articles": more,
        "page_obj": page,
        "query": filter_query(request),
        "result": result,
        "can_record": can_record,
        "validity_months": get_setting("lab_test_validity_months"),
    }
    template = "quality/lab.html"
    if request.htmx and request.method == "GET":
        template += "#list"
    return render(request, template, context, status=status)


@area_required(AREA)
@require_GET
def lab_tests(request):
    """Compliance per article (every required test's latest result PASS and unexpired) and the
    results, filtered by article, test and result, with export; the record form for the lab."""
    return _lab_page(request)


@area_required(AREA)
@require_POST
@allowed_only(may_record_lab, _("Lab results are recorded by the lab or the QC lead."))
@form_idempotent
def lab_record(request):
    form = forms.LabTestForm(request.POST)
    if not form.is_valid():
        return _lab_page(
            request, form=form, result=result_box("danger", form.first_error()), status=400
        )
    try:
        lab = lab_test_record(user=request.user, **form.service_fields())
    except ApplicationError as exc:
        return _lab_page(request, form=form, result=refused(exc), status=exc.status)
    text = _("%(test)s of %(article)s recorded: %(result)s.") % {
        "test": lab.get_test_display(),
        "article": lab.article.code,
        "result": lab.get_result_display(),
    }
    level = "success" if lab.result == LabTest.Result.PASS else "warning"
    return _lab_page(request, form=forms.LabTestForm(), result=result_box(level, text))
