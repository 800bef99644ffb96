from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.common.errors import ApplicationError
from erp.common.office import office_home_view

from .models import AlertKind, AlertPriority
from .selectors import alert_may_act, alerts_visible_to
from .services import alert_acknowledge, alert_resolve

home = office_home_view("dashboard", "office/home.html")


def _back(request):
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


def _alert_for_action(request, pk):
    alert = get_object_or_404(alerts_visible_to(request.user), pk=pk)
    if not alert_may_act(request.user, alert):
        raise PermissionDenied(_("Only the alert's departments or a manager may do this."))
    return alert


@login_required
@require_POST
def alert_ack(request, pk):
    alert_acknowledge(alert=_alert_for_action(request, pk), user=request.user)
    if request.htmx:
        return HttpResponse("")  # the banner entry disappears
    return _back(request)


@login_required
@require_POST
def alert_resolve_view(request, pk):
    alert = _alert_for_action(request, pk)
    note = request.POST.get("note", "").strip()
    if not note:
        return render(
            request, "dashboard/alerts.html#result",
            {"result": {"level": "danger", "text": _("Write what was done to resolve it.")}},
            status=400,
        )  # fmt: skip
    try:
        alert_resolve(alert=alert, user=request.user, note=note)
    except ApplicationError as error:
        return HttpResponse(error.message, status=error.status)
    return _back(request)


@login_required
def alert_list(request):
    """Notification centre: the user's alerts (their departments; all for managers)."""
    qs = alerts_visible_to(request.user).order_by("-id")
    priority, kind, state = (request.GET.get(k, "") for k in ("priority", "kind", "state"))
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
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboard/alerts.html",
        {
            "page_obj": page,
            "alerts": page.object_list,
            "priorities": AlertPriority.choices,
            "kinds": AlertKind.choices,
            "filters": {"priority": priority, "kind": kind, "state": state},
        },
    )
