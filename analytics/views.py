"""The analytics pages: quality rates, fill-weight SPC, output per line per day, lead time per
department. Each page reads only the summary tables (fixed query count), draws its charts with
Chart.js from the JSON embedded in the page, and exports exactly a chart's data:
``?export=csv|xlsx|json&chart=<key>`` with the page's filters."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from erp.common.exports import export_response
from erp.common.permissions import AREAS, area_required
from ppic.models import Article
from transfers.models import Department, Line

from . import selectors, tasks
from .forms import (
    AnalyticsFilterForm,
    FillWeightFilterForm,
    LeadTimeFilterForm,
    OutputFilterForm,
    QualityFilterForm,
)
from .models import FillWeightPoint

AREA = "analytics"
EXPORTS = ("csv", "xlsx", "json")
REFRESH_MAX_DAYS = 62


def _departments():
    """Departments where work is measured (production ones, and external for subcon)."""
    return list(Department.objects.exclude(kind=Department.Kind.QUALITY).order_by("sequence"))


def _lines(department_code: str | None = None):
    qs = Line.objects.select_related("department").order_by("department__sequence", "code")
    if department_code:
        qs = qs.filter(department__code=department_code)
    return list(qs)


def _query(request) -> str:
    query = request.GET.copy()
    for key in ("export", "chart"):
        query.pop(key, None)
    return query.urlencode()


def _respond(request, template: str, context: dict, charts: list, *, valid: bool, tab: str):
    """The page, or one chart's data as CSV / XLSX / JSON (``?export=…&chart=<key>``)."""
    export = request.GET.get("export")
    if export:
        if export not in EXPORTS or not valid:
            return HttpResponseBadRequest(_("Correct the filters before exporting."))
        wanted = request.GET.get("chart") or (charts[0].key if charts else "")
        chart = next((c for c in charts if c.key == wanted), None)
        if chart is None:
            return HttpResponseBadRequest(_("No such chart on this page."))
        if export == "json":
            return JsonResponse(chart.as_dict(), json_dumps_params={"ensure_ascii": False})
        f = context["filters"]
        return export_response(
            fmt=export,
            filename=f"{chart.key}-{f.date_from:%Y%m%d}-{f.date_to:%Y%m%d}",
            headers=chart.columns,
            rows=chart.rows,
            row=lambda r: r,
        )
    context.update(
        {
            "area": AREAS[AREA],
            "charts": charts,
            "chart_data": [c.as_dict(rows=False) for c in charts],
            "query": _query(request),
            "tab": tab,
        }
    )
    return render(request, template, context, status=200 if valid else 400)


def _filters(form):
    if form.is_valid():
        return form.filters(), True
    today = timezone.localdate()
    return selectors.Filters(today - timedelta(days=27), today), False


@area_required(AREA)
@require_GET
def home(request):
    return render(request, "analytics/home.html", {"area": AREAS[AREA], "tab": "home"})


@area_required(AREA)
@require_GET
def quality(request):
    """Pass / rework / scrap rates by department, line, batch, week; defects by code."""
    departments, lines = _departments(), _lines()
    form = QualityFilterForm(request.GET, departments=departments, lines=lines)
    f, valid = _filters(form)
    group = (form.cleaned_data.get("group") if valid else "") or "department"
    chart = selectors.quality_chart(f, group, departments=departments, lines=lines)
    context = {"form": form, "filters": f, "group": group}
    return _respond(request, "analytics/quality.html", context, [chart], valid=valid, tab="quality")


@area_required(AREA)
@require_GET
def fill_weight(request):
    """SPC individuals chart of an article's fill weights, and their distribution."""
    articles = list(Article.objects.filter(active=True).order_by("code"))
    lines = _lines("FINISHING")
    data = request.GET.copy()
    if not data.get("article") and articles:
        latest_id = (
            FillWeightPoint.objects.order_by("-at").values_list("article_id", flat=True).first()
        )
        latest = next((a for a in articles if a.pk == latest_id), articles[0])
        data["article"] = latest.code
    form = FillWeightFilterForm(data, articles=articles, departments=[], lines=lines)
    f, valid = _filters(form)
    article = form.selected_article() if valid else None
    charts, summary = [], None
    if article is not None:
        spc_chart, hist_chart, summary = selectors.fill_weight_charts(article, f)
        charts = [spc_chart, hist_chart]
    context = {"form": form, "filters": f, "article": article, "summary": summary}
    return _respond(
        request, "analytics/fill_weight.html", context, charts, valid=valid, tab="fill_weight"
    )


@area_required(AREA)
@require_GET
def output(request):
    """Units made (or sent) per line per day."""
    departments, lines = _departments(), _lines()
    form = OutputFilterForm(request.GET, departments=departments, lines=lines)
    f, valid = _filters(form)
    measure = (form.cleaned_data.get("measure") if valid else "") or "made"
    chart = selectors.output_chart(f, measure, departments=departments, lines=lines)
    context = {"form": form, "filters": f, "measure": measure}
    return _respond(request, "analytics/output.html", context, [chart], valid=valid, tab="output")


@area_required(AREA)
@require_GET
def lead_time(request):
    """Hours from accepting a batch into a department to its next send out of it."""
    departments, lines = _departments(), _lines()
    form = LeadTimeFilterForm(request.GET, departments=departments, lines=lines)
    f, valid = _filters(form)
    group = (form.cleaned_data.get("group") if valid else "") or "department"
    chart = selectors.lead_time_chart(f, group, departments=departments, lines=lines)
    context = {"form": form, "filters": f, "group": group, "open": selectors.open_lead_times(f)}
    return _respond(
        request, "analytics/lead_time.html", context, [chart], valid=valid, tab="lead_time"
    )


@area_required(AREA)
@require_POST
def refresh(request):
    """Rebuild the summaries of the period on the page now (at most 62 days; queued to Celery,
    run at once without a worker). Rebuilding is idempotent, so a double submit is harmless."""
    form = AnalyticsFilterForm(request.POST, departments=[], lines=[])
    target = request.POST.get("next") or "/analytics/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/analytics/"
    if not form.is_valid():
        messages.error(request, _("Correct the period before refreshing."))
        return redirect(target)
    f = form.filters()
    first = max(f.date_from, f.date_to - timedelta(days=REFRESH_MAX_DAYS - 1))
    tasks.refresh_period.delay(first.isoformat(), f.date_to.isoformat())
    messages.success(
        request,
        _("Summaries of %(first)s – %(last)s are being rebuilt; reload in a moment.")
        % {"first": first.isoformat(), "last": f.date_to.isoformat()},
    )
    return redirect(target)
