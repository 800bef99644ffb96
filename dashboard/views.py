from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from erp.common.errors import ApplicationError
from erp.common.permissions import AREAS, area_required

from .board import factory_board
from .models import Alert, AlertKind, AlertPriority
from .selectors import alert_may_act, alerts_visible_to
from .services import alert_acknowledge, alert_resolve

REFRESH_SECONDS = 30  # the board polls this often even without the websocket


def _refresh_seconds(request) -> int:
    """``?refresh=<seconds>`` (5…300) lets a wall TV or a test choose the polling interval."""
    try:
        return min(300, max(5, int(request.GET.get("refresh", REFRESH_SECONDS))))
    except ValueError:
        return REFRESH_SECONDS


@area_required("dashboard")
@require_GET
def home(request):
    """The factory dashboard: KPI tiles, line map, WIP, MOs at risk, alerts, pass rates and
    detectors; the board re-fetches itself on a dashboard pulse and every 30 s."""
    context = {"area": AREAS["dashboard"], "refresh": _refresh_seconds(request), **factory_board()}
    return render(request, "dashboard/home.html", context)


@area_required("dashboard")
@require_GET
def board(request):
    """The board alone (what the page re-fetches), with the header badge out of band."""
    context = {"refresh": _refresh_seconds(request), "oob_badge": True, **factory_board()}
    return render(request, "dashboard/home.html#board", context)


# --- notification centre ----------------------------------------------------------------------
def _back(request):
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


def _alert_for_action(request, pk):
    """The alert, if the user may act on it: users of its departments and managers (403 for
    anyone else, also when they cannot see it)."""
    alert = get_object_or_404(
        Alert.objects.select_related("batch", "line", "acknowledged_by").prefetch_related(
            "departments"
        ),
        pk=pk,
    )
    if not alert_may_act(request.user, alert):
        raise PermissionDenied(_("Only the alert's departments or a manager may do this."))
    return alert


def _row_target(request, pk) -> bool:
    """The notification centre's htmx forms swap the alert's table row."""
    return bool(request.htmx) and request.htmx.target == f"alert-row-{pk}"


def _render_row(request, pk, *, result=None, status=200):
    alert = alerts_visible_to(request.user).get(pk=pk)
    alert.may_act = alert_may_act(request.user, alert)
    return render(
        request, "dashboard/alerts.html#row", {"alert": alert, "row_result": result}, status=status
    )


@login_required
@require_POST
def alert_ack(request, pk):
    alert = alert_acknowledge(alert=_alert_for_action(request, pk), user=request.user)
    if _row_target(request, pk):
        return _render_row(request, alert.pk)
    if request.htmx:
        return HttpResponse("")  # the banner entry disappears
    return _back(request)


@login_required
@require_POST
def alert_resolve_view(request, pk):
    alert = _alert_for_action(request, pk)
    note = request.POST.get("note", "").strip()
    if not note:
        result = {"level": "danger", "text": _("Write what was done to resolve it.")}
        if _row_target(request, pk):
            return _render_row(request, alert.pk, result=result, status=400)
        return render(
            request, "dashboard/alerts.html", _alert_list_context(request, result), status=400
        )
    try:
        alert_resolve(alert=alert, user=request.user, note=note[:500])
    except ApplicationError as error:
        if _row_target(request, pk):
            result = {"level": "danger", "text": error.message}
            return _render_row(request, alert.pk, result=result, status=error.status)
        return HttpResponse(error.message, status=error.status)
    if _row_target(request, pk):
        return _render_row(request, alert.pk)
    return _back(request)


def _alert_list_context(request, result=None) -> dict:
    qs = alerts_visible_to(request.user).order_by("-id")
    params = request.GET
    priority, kind, state = (params.get(k, "") for k in ("priority", "kind", "state"))
    if priority in AlertPriority.values:
        qs = qs.filter(priority=priority)
    if kind in AlertKind.values:
        qs = qs.filter(kind=kind)
    if state == "open":
        qs = qs.filter(resolved_at__isnull=True)
    elif state == "unacknowledged":
        qs = qs.filter(acknowledged_at__isnull=True, resolved_at__isnull=True)
    elif state == "resolved":
        qs = qs.filter(resolved_at__isnull=False)
    page = Paginator(qs, 50).get_page(params.get("page"))
    alerts = list(page.object_list)
    for alert in alerts:  # buttons only where they would work (departments are prefetched)
        alert.may_act = alert_may_act(request.user, alert)
    return {
        "page_obj": page,
        "alerts": alerts,
        "priorities": AlertPriority.choices,
        "kinds": AlertKind.choices,
        "filters": {"priority": priority, "kind": kind, "state": state},
        "result": result,
    }


@login_required
@require_GET
def alert_list(request):
    """Notification centre: the user's alerts (their departments; all for managers)."""
    return render(request, "dashboard/alerts.html", _alert_list_context(request))
