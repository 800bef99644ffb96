"""Planning office pages (UI.md): articles with their BOM, customer POs, manufacturing orders,
the printable SPK and the plan board.

Every page opens for the ``ppic`` area (ppic, manager, admin). Master data is written by admin
and ppic, POs and MOs by ppic and manager; the other area roles see the same pages without the
buttons and get 403 if they POST. A view parses a form, calls one service and redirects, or
re-renders with the service's refusal in a red box (409) or the form's errors (400)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import timedelta
from functools import wraps

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import user_has_role
from erp.common.errors import ApplicationError
from erp.common.exports import export_response
from erp.common.idempotency import form_idempotent
from erp.common.permissions import area_required
from transfers.reference import DEPARTMENT_LABELS

from . import forms, selectors, services
from .models import (
    ROUTE_STEPS,
    Article,
    CustomerPO,
    CustomerPOLine,
    Destination,
    ManufacturingOrder,
    Material,
    MaterialRequirement,
    WorkOrder,
)

AREA = "ppic"
MASTER_DATA_WRITERS = ("admin", "ppic")
PLANNERS = ("ppic", "manager")
PAGE_SIZE = 50
EXPORT_FORMATS = ("csv", "xlsx")


# --- helpers ----------------------------------------------------------------------------------
def may(request, roles: tuple[str, ...]) -> bool:
    return user_has_role(request.user, *roles)


def writers_only(*roles: str, get_too: bool = False):
    """403 on POST (and on GET when ``get_too``) unless the user has one of ``roles``. Sits
    inside ``area_required`` and outside ``form_idempotent``, so a refusal records nothing."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if (get_too or request.method == "POST") and not may(request, roles):
                raise PermissionDenied(_("Your role may not change this."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def sorting(request, columns: dict[str, tuple[str, ...]], default: str):
    """``?sort=key`` / ``?sort=-key`` among ``columns`` (key → order_by fields). Returns the
    ``order_by`` arguments and, per column, the link that sorts by it (the other way round when
    it is already the sort)."""
    raw = request.GET.get("sort") or default
    key = raw.lstrip("-")
    if key not in columns:
        raw, key = default, default.lstrip("-")
    descending = raw.startswith("-")
    order = [f"-{f}" if descending else f for f in columns[key]] + ["-pk" if descending else "pk"]
    links = {}
    for name in columns:
        params = request.GET.copy()
        for dropped in ("page", "export"):
            params.pop(dropped, None)
        params["sort"] = f"-{name}" if name == key and not descending else name
        links[name] = {
            "url": f"?{params.urlencode()}",
            "active": name == key,
            "descending": descending and name == key,
        }
    return order, links


def filter_query(request) -> str:
    """The current query string without page and export: what an export link adds to."""
    params = request.GET.copy()
    for dropped in ("page", "export"):
        params.pop(dropped, None)
    return params.urlencode()


def list_template(request, template: str) -> str:
    """htmx asks for the list only (the filter form swaps ``#list``)."""
    return f"{template}#list" if request.htmx else template


def progress_rows(progress: list[dict]) -> list[dict]:
    """Progress per department with labels and bar widths for the templates."""
    rows = []
    for step in progress:
        target = step["target_quantity"] or 1
        done_pct = min(100, step["done"] * 100 // target)
        rows.append(
            {
                **step,
                "label": DEPARTMENT_LABELS.get(step["department"], step["department"]),
                "done_pct": done_pct,
                "wip_pct": min(100 - done_pct, step["wip"] * 100 // target),
            }
        )
    return rows


def is_late(mo: ManufacturingOrder, today) -> bool:
    """Due before today and still open (draft or released)."""
    open_states = (ManufacturingOrder.Status.DRAFT, ManufacturingOrder.Status.RELEASED)
    return mo.status in open_states and mo.due_date < today


def destination_choices() -> list[Destination]:
    """All destinations, archived ones too: old orders are still filtered by them."""
    return list(Destination.objects.order_by("code"))


# --- articles and BOM -------------------------------------------------------------------------
ARTICLE_SORT = {
    "code": ("code",),
    "name": ("name",),
    "route": ("default_route", "code"),
    "bom": ("bom_count", "code"),
    "carton": ("units_per_carton", "code"),
    "active": ("active", "code"),
}


@area_required(AREA)
def article_list(request):
    form = forms.ArticleFilterForm(request.GET)
    order, sort = sorting(request, ARTICLE_SORT, "code")
    articles = selectors.article_list_filtered(**form.filters()).order_by(*order)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "sort": sort,
        "can_edit": may(request, MASTER_DATA_WRITERS),
    }
    return render(request, list_template(request, "ppic/article_list.html"), context)


def _article_form_page(request, *, form, formset, article=None, error=None, status=200):
    context = {
        "form": form,
        "formset": formset,
        "article": article,
        "error": error,
        "materials": Material.objects.filter(active=True).only("code", "name", "uom"),
    }
    return render(request, "ppic/article_form.html", context, status=status)


@area_required(AREA)
@writers_only(*MASTER_DATA_WRITERS, get_too=True)
@form_idempotent
def article_create(request):
    if request.method != "POST":
        return _article_form_page(
            request, form=forms.ArticleForm(), formset=forms.BomFormSet(prefix="bom")
        )
    form = forms.ArticleForm(request.POST)
    formset = forms.BomFormSet(request.POST, prefix="bom")
    valid = form.is_valid()
    valid = formset.is_valid() and valid
    if not valid:
        return _article_form_page(request, form=form, formset=formset, status=400)
    try:
        article = services.article_create(**form.service_fields(), bom=formset.lines())
    except ApplicationError as exc:
        return _article_form_page(request, form=form, formset=formset, error=exc, status=exc.status)
    messages.success(request, _("Article %(code)s saved.") % {"code": article.code})
    return redirect("ppic:article_edit", pk=article.pk)


@area_required(AREA)
@writers_only(*MASTER_DATA_WRITERS)
@form_idempotent
def article_edit(request, pk: int):
    article = get_object_or_404(selectors.article_list(), pk=pk)
    if not may(request, MASTER_DATA_WRITERS):
        return render(request, "ppic/article_detail.html", {"article": article})
    if request.method != "POST":
        form = forms.ArticleForm(instance=Article.objects.get(pk=pk))
        formset = forms.BomFormSet(prefix="bom", initial=forms.bom_initial(article))
        return _article_form_page(request, form=form, formset=formset, article=article)
    # A copy for the form: a ModelForm writes the typed values onto its instance.
    form = forms.ArticleForm(request.POST, instance=Article.objects.get(pk=pk))
    formset = forms.BomFormSet(request.POST, prefix="bom")
    valid = form.is_valid()
    valid = formset.is_valid() and valid
    if not valid:
        return _article_form_page(request, form=form, formset=formset, article=article, status=400)
    try:
        services.article_update(article=article, bom=formset.lines(), **form.service_fields())
    except ApplicationError as exc:
        return _article_form_page(
            request, form=form, formset=formset, article=article, error=exc, status=exc.status
        )
    messages.success(request, _("Article %(code)s saved.") % {"code": article.code})
    return redirect("ppic:article_edit", pk=article.pk)


@area_required(AREA)
@require_POST
@writers_only(*MASTER_DATA_WRITERS)
@form_idempotent
def article_archive(request, pk: int):
    """Archive (``active=0``) or restore (``active=1``): articles are never deleted."""
    article = get_object_or_404(Article, pk=pk)
    active = request.POST.get("active") == "1"
    services.article_update(article=article, active=active)
    if active:
        messages.success(request, _("Article %(code)s is active again.") % {"code": article.code})
    else:
        messages.success(
            request,
            _("Article %(code)s is archived: no new MOs or POs can use it.")
            % {"code": article.code},
        )
    return redirect("ppic:article_edit", pk=article.pk)


# --- customer POs -----------------------------------------------------------------------------
PO_SORT = {
    "number": ("number",),
    "destination": ("destination__code", "number"),
    "ship_date": ("ship_date", "number"),
    "status": ("status", "number"),
    "quantity": ("total_quantity", "number"),
}


@area_required(AREA)
def po_list(request):
    form = forms.POFilterForm(request.GET, destinations=destination_choices())
    order, sort = sorting(request, PO_SORT, "ship_date")
    pos = selectors.po_list_filtered(**form.filters()).order_by(*order)
    page = Paginator(pos, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "sort": sort,
        "can_plan": may(request, PLANNERS),
    }
    return render(request, list_template(request, "ppic/po_list.html"), context)


def _po_form_page(request, *, form, formset, error=None, status=200):
    context = {
        "form": form,
        "formset": formset,
        "error": error,
        "articles": Article.objects.filter(active=True).only("code", "name"),
    }
    return render(request, "ppic/po_form.html", context, status=status)


@area_required(AREA)
@writers_only(*PLANNERS, get_too=True)
@form_idempotent
def po_create(request):
    if request.method != "POST":
        return _po_form_page(
            request, form=forms.POForm(), formset=forms.POLineFormSet(prefix="lines")
        )
    form = forms.POForm(request.POST)
    formset = forms.POLineFormSet(request.POST, prefix="lines")
    valid = form.is_valid()
    valid = formset.is_valid() and valid
    if not valid:
        return _po_form_page(request, form=form, formset=formset, status=400)
    try:
        po = services.po_create(**form.cleaned_data, lines=formset.lines())
    except ApplicationError as exc:
        return _po_form_page(request, form=form, formset=formset, error=exc, status=exc.status)
    messages.success(request, _("PO %(number)s saved.") % {"number": po.number})
    return redirect("ppic:po_detail", pk=po.pk)


@area_required(AREA)
def po_detail(request, pk: int):
    po = get_object_or_404(selectors.po_detail_qs(), pk=pk)
    lines = [
        {
            "line": line,
            "planned": line.planned or 0,
            "open": max(0, line.quantity - (line.planned or 0)),
        }
        for line in po.lines.all()
    ]
    mos = ManufacturingOrder.objects.filter(po_line__po=po).select_related("article")
    context = {
        "po": po,
        "lines": lines,
        "mos": mos.order_by("due_date", "number"),
        "can_plan": may(request, PLANNERS) and po.status == CustomerPO.Status.OPEN,
    }
    return render(request, "ppic/po_detail.html", context)


# --- manufacturing orders ---------------------------------------------------------------------
MO_SORT = {
    "number": ("id",),
    "article": ("article__code",),
    "destination": ("destination__code",),
    "quantity": ("quantity",),
    "due_date": ("due_date",),
    "status": ("status",),
}
MO_EXPORT_HEADERS = [
    "MO",
    "status",
    "article",
    "article_name",
    "quantity",
    "destination",
    "country",
    "due_date",
    "route",
    "batch_size",
    "po_number",
]


def _mo_export(mos, fmt: str):
    return export_response(
        fmt=fmt,
        filename=f"manufacturing-orders-{timezone.localdate():%Y%m%d}",
        headers=MO_EXPORT_HEADERS,
        rows=mos,
        row=lambda mo: [
            mo.number,
            mo.status,
            mo.article.code,
            mo.article.name,
            mo.quantity,
            mo.destination.code,
            mo.destination.country,
            mo.due_date,
            mo.route,
            mo.batch_size,
            mo.po_number,
        ],
    )


@area_required(AREA)
def mo_list(request):
    """MOs with filters (status, article, destination, due window, number), progress per
    department for the page's rows (two queries whatever their number), and CSV/XLSX export of
    exactly the filtered rows (``?export=csv``)."""
    form = forms.MOFilterForm(request.GET, destinations=destination_choices())
    order, sort = sorting(request, MO_SORT, "-number")
    mos = selectors.mo_list_filtered(**form.filters()).order_by(*order)
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        return _mo_export(mos, fmt)
    page = Paginator(mos, PAGE_SIZE).get_page(request.GET.get("page"))
    mos_on_page = list(page.object_list)
    progress = selectors.mo_progress_many(mos_on_page)
    today = timezone.localdate()
    rows = [
        {"mo": mo, "late": is_late(mo, today), "progress": progress_rows(progress[mo.pk])}
        for mo in mos_on_page
    ]
    context = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "sort": sort,
        "query": filter_query(request),
        "can_plan": may(request, PLANNERS),
    }
    return render(request, list_template(request, "ppic/mo_list.html"), context)


home = mo_list


def _mo_form_page(request, *, form, po_line=None, error=None, status=200):
    return render(
        request,
        "ppic/mo_form.html",
        {"form": form, "po_line": po_line, "error": error},
        status=status,
    )


def _po_line_for_mo(value) -> CustomerPOLine | None:
    """A PO line with ``planned`` (units of its MOs not cancelled), or None."""
    if not str(value or "").isdigit():
        return None
    return (
        CustomerPOLine.objects.select_related("po", "po__destination", "article")
        .annotate(
            planned=Sum("mos__quantity", filter=~Q(mos__status=ManufacturingOrder.Status.CANCELLED))
        )
        .filter(pk=int(value))
        .first()
    )


@area_required(AREA)
@writers_only(*PLANNERS, get_too=True)
@form_idempotent
def mo_create(request):
    """A new MO, directly or from a PO line (``?po_line=<id>`` prefills article, open quantity,
    destination, ship date as due date and the PO number)."""
    if request.method != "POST":
        po_line = _po_line_for_mo(request.GET.get("po_line"))
        initial = {}
        if po_line is not None:
            initial = {
                "article": po_line.article,
                "quantity": max(1, po_line.quantity - (po_line.planned or 0)),
                "destination": po_line.po.destination,
                "due_date": po_line.po.ship_date,
                "po_number": po_line.po.number,
                "po_line": po_line.pk,
            }
        return _mo_form_page(request, form=forms.MOCreateForm(initial=initial), po_line=po_line)
    form = forms.MOCreateForm(request.POST)
    if not form.is_valid():
        po_line = form.cleaned_data.get("po_line")
        return _mo_form_page(request, form=form, po_line=po_line, status=400)
    try:
        mo = services.mo_create(user=request.user, **form.service_fields())
    except ApplicationError as exc:
        return _mo_form_page(
            request,
            form=form,
            po_line=form.cleaned_data.get("po_line"),
            error=exc,
            status=exc.status,
        )
    messages.success(request, _("%(number)s created as a draft.") % {"number": mo.number})
    return redirect("ppic:mo_detail", pk=mo.pk)


def _mo_detail_page(request, mo_id: int, *, error=None, cancel_form=None, status=200):
    from transfers.selectors import mo_progress

    mo = get_object_or_404(
        selectors.mo_detail_qs().select_related(
            "created_by", "released_by", "po_line", "po_line__po"
        ),
        pk=mo_id,
    )
    can_plan = may(request, PLANNERS)
    Status = ManufacturingOrder.Status
    work_orders = list(mo.work_orders.all())
    history = [
        {"what": _("Created"), "who": mo.created_by, "when": mo.created_at, "note": ""},
    ]
    if mo.released_at:
        history.append(
            {"what": _("Released"), "who": mo.released_by, "when": mo.released_at, "note": ""}
        )
    if mo.cancelled_at:
        history.append(
            {"what": _("Cancelled"), "who": None, "when": mo.cancelled_at, "note": mo.cancel_reason}
        )
    context = {
        "mo": mo,
        "batches": list(mo.batches.all()),
        "work_orders": work_orders,
        "steps": [DEPARTMENT_LABELS.get(code, code) for code in ROUTE_STEPS[mo.route]],
        "progress": progress_rows(mo_progress(mo=mo)),
        "history": history,
        "error": error,
        "can_release": can_plan and mo.status == Status.DRAFT,
        "can_cancel": can_plan and mo.status in (Status.DRAFT, Status.RELEASED),
        "cancel_form": cancel_form or forms.MOCancelForm(),
        "late": is_late(mo, timezone.localdate()),
    }
    return render(request, "ppic/mo_detail.html", context, status=status)


@area_required(AREA)
def mo_detail(request, pk: int):
    return _mo_detail_page(request, pk)


@area_required(AREA)
@require_POST
@writers_only(*PLANNERS)
@form_idempotent
def mo_release(request, pk: int):
    mo = get_object_or_404(ManufacturingOrder, pk=pk)
    try:
        mo = services.mo_release(mo=mo, user=request.user)
    except ApplicationError as exc:
        return _mo_detail_page(request, pk, error=exc, status=exc.status)
    messages.success(
        request,
        _("%(number)s released: %(batches)d batches, %(spks)d SPKs.")
        % {
            "number": mo.number,
            "batches": mo.batches.count(),
            "spks": mo.work_orders.count(),
        },
    )
    return redirect("ppic:mo_detail", pk=mo.pk)


@area_required(AREA)
@require_POST
@writers_only(*PLANNERS)
@form_idempotent
def mo_cancel(request, pk: int):
    mo = get_object_or_404(ManufacturingOrder, pk=pk)
    form = forms.MOCancelForm(request.POST)
    if not form.is_valid():
        return _mo_detail_page(request, pk, cancel_form=form, status=400)
    try:
        mo = services.mo_cancel(mo=mo, user=request.user, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        return _mo_detail_page(request, pk, error=exc, cancel_form=form, status=exc.status)
    messages.success(request, _("%(number)s cancelled.") % {"number": mo.number})
    return redirect("ppic:mo_detail", pk=mo.pk)


# --- printable SPK ----------------------------------------------------------------------------
@area_required(AREA)
def spk_print(request, number: str):
    """The SPK on A4 (print CSS): what the department makes, from which materials, by when."""
    work_order = get_object_or_404(
        WorkOrder.objects.select_related(
            "mo", "mo__article", "mo__destination", "department"
        ).prefetch_related(
            "mo__batches",
            Prefetch(
                "requirements", queryset=MaterialRequirement.objects.select_related("material")
            ),
        ),
        number=number,
    )
    mo = work_order.mo
    qr = segno.make(work_order.number, error="m").svg_inline(scale=4, omitsize=True)
    context = {
        "spk": work_order,
        "mo": mo,
        "department": DEPARTMENT_LABELS.get(work_order.department.code, work_order.department),
        "steps": len(ROUTE_STEPS[mo.route]),
        "qr_svg": mark_safe(qr),  # noqa: S308 - segno's own SVG of our SPK number
        "printed_at": timezone.localtime(),
    }
    return render(request, "ppic/spk_print.html", context)


# --- plan board -------------------------------------------------------------------------------
@area_required(AREA)
def plan_board(request):
    """Open MOs (draft, released) by due date, grouped by ISO week; late ones (due before today,
    not complete) are marked "Late" and counted."""
    form = forms.PlanBoardFilterForm(request.GET, destinations=destination_choices())
    mos = list(selectors.plan_board_list(**form.filters()))
    progress = selectors.mo_progress_many(mos)
    today = timezone.localdate()
    weeks: OrderedDict[tuple[int, int], dict] = OrderedDict()
    late_count = 0
    for mo in mos:
        year, week, weekday = mo.due_date.isocalendar()
        monday = mo.due_date - timedelta(days=weekday - 1)
        group = weeks.setdefault(
            (year, week),
            {
                "year": year,
                "week": week,
                "start": monday,
                "end": monday + timedelta(days=6),
                "rows": [],
                "quantity": 0,
                "late": 0,
            },
        )
        late = is_late(mo, today)
        late_count += late
        group["late"] += late
        group["quantity"] += mo.quantity
        group["rows"].append({"mo": mo, "late": late, "progress": progress_rows(progress[mo.pk])})
    context = {
        "form": form,
        "weeks": list(weeks.values()),
        "late_count": late_count,
        "total": len(mos),
        "today": today,
        "can_plan": may(request, PLANNERS),
    }
    return render(request, list_template(request, "ppic/plan_board.html"), context)
