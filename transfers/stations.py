"""Station pages of the production departments (tablets, scan first): incoming transfers with
the scan box, WIP here, record work, send, the department's alerts, and the supervisor's held,
blocked and line-clearance panels. Every action: form → one service → the station re-rendered
with a result sentence (green done, amber needs attention, red refused)."""

from __future__ import annotations

from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from accounts.selectors import user_is_supervisor_of
from dashboard.models import Alert
from erp.common.errors import ApplicationError
from erp.common.idempotency import form_idempotent
from erp.common.permissions import AREAS, area_required
from ppic.models import ROUTE_STEPS, Batch

from . import services
from .models import Line, TransferState
from .selectors import department_get, transfer_qs, wip_rows

S = TransferState

# Department-specific "Record work" tabs: department code → (template, dotted path of a function
# ``record_context(request, context) -> dict`` adding what the template needs). Imported lazily so
# the production apps may import this module.
RECORD_WORK: dict[str, tuple[str, str]] = {
    "CUTTING": ("cutting/record_work.html", "cutting.stations.record_context"),
    "EMBROIDERY": ("embroidery/record_work.html", "embroidery.stations.record_context"),
    "SEWING": ("sewing/record_work.html", "sewing.stations.record_context"),
    "FINISHING": ("finishing/record_work.html", "finishing.stations.record_context"),
    "PACKING": ("packing/record_work.html", "packing.stations.record_context"),
}


class BadInput(Exception):
    """A record-work form that cannot be read (a missing field, not a number): 400, a sentence."""


def _line_of(request, lines):
    chosen = request.POST.get("line") or request.GET.get("line")
    return next((ln for ln in lines if ln.code == chosen), lines[0] if lines else None)


def _int(value, default=None):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def station_context(request, area, result=None):
    department = department_get(code=area.department)
    lines = list(department.lines.all())
    line = _line_of(request, lines)
    open_states = [S.IN_TRANSIT, S.HELD, S.BLOCKED]
    incoming = list(
        transfer_qs().filter(to_department=department, state__in=open_states).order_by("id")
    )
    if line is not None:
        incoming = [t for t in incoming if t.to_line_id in (None, line.pk)]
    outgoing = list(
        transfer_qs().filter(from_department=department, state__in=open_states).order_by("id")
    )
    wip = wip_rows(department=department, line=line) if line else wip_rows(department=department)
    batches = {
        b.number: b
        for b in Batch.objects.filter(number__in=[r["batch"] for r in wip]).select_related(
            "mo__article", "mo__destination"
        )
    }
    next_lines = {}
    for code in {
        nxt
        for steps in ROUTE_STEPS.values()
        for i, nxt in enumerate(steps[1:])
        if steps[i] == department.code
    }:
        next_lines[code] = list(Line.objects.filter(department__code=code, active=True))
    for row in wip:
        batch = batches.get(row["batch"])
        row["obj"] = batch
        if batch is not None:
            steps = ROUTE_STEPS[batch.mo.route]
            i = steps.index(department.code) if department.code in steps else -1
            row["next_department"] = steps[i + 1] if 0 <= i < len(steps) - 1 else None
            row["next_lines"] = next_lines.get(row["next_department"], [])
    alerts = list(
        Alert.objects.filter(departments=department, resolved_at__isnull=True)
        .select_related("batch", "line", "acknowledged_by")
        .order_by("-id")[:20]
    )
    context = {
        "area": area,
        "department": department,
        "lines": lines,
        "line": line,
        "incoming": incoming,
        "held": [t for t in incoming if t.state == S.HELD],
        "outgoing": outgoing,
        "wip": wip,
        "sendable": [r for r in wip if r["sendable"] > 0 and r.get("next_department")],
        "alerts": alerts,
        "is_supervisor": user_is_supervisor_of(request.user, department.code),
        "result": result,
        "scanned": None,
        "now": timezone.now(),
    }
    record = RECORD_WORK.get(department.code)
    if record is not None:
        template, builder = record
        context["record_template"] = template
        context.update(import_string(builder)(request, context))
    return context


def _render(request, area, result=None, status=200, **extra):
    context = station_context(request, area, result)
    context.update(extra)
    template = "stations/station.html#content" if request.htmx else "stations/station.html"
    return render(request, template, context, status=status)


def _refused(request, area, error: ApplicationError):
    level = "warning" if error.code in ("already_accepted",) else "danger"
    return _render(request, area, {"level": level, "text": error.message}, status=error.status)


def station_views(area_key: str) -> dict:
    area = AREAS[area_key]

    @area_required(area_key)
    def page(request):
        return _render(request, area)

    @area_required(area_key)
    def scan(request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        code = request.POST.get("code", "").strip()
        try:
            transfer = services.transfer_get_by_slip(code)
        except ApplicationError as error:
            return _refused(request, area, error)
        department = area.department
        if transfer.to_department.code != department:
            return _render(
                request, area,
                {"level": "danger", "text": _("Slip %(number)s goes to %(dept)s, not here.")
                 % {"number": transfer.number, "dept": transfer.to_department.code}},
                status=409,
            )  # fmt: skip
        if transfer.state == S.ACCEPTED:
            return _refused(request, area, services._already_accepted(transfer))
        if transfer.state != S.IN_TRANSIT:
            return _render(
                request, area,
                {"level": "warning", "text": _("%(number)s is %(state)s.")
                 % {"number": transfer.number, "state": transfer.get_state_display()}},
                status=409,
            )  # fmt: skip
        return _render(request, area, scanned=transfer)

    @area_required(area_key)
    @form_idempotent
    def accept(request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        counted = _int(request.POST.get("quantity_received"))
        if counted is None or counted < 0:
            return _render(
                request, area, {"level": "danger", "text": _("Type the count as a whole number.")},
                status=400,
            )  # fmt: skip
        try:
            t = services.transfer_accept(
                slip_code=request.POST.get("slip_code", ""), quantity_received=counted,
                user=request.user,
            )  # fmt: skip
        except ApplicationError as error:
            return _refused(request, area, error)
        if t.state == S.ACCEPTED:
            text = _("Accepted %(q)d pcs of %(batch)s from %(from)s.") % {
                "q": t.quantity, "batch": t.batch.number, "from": t.from_department.code,
            }  # fmt: skip
            return _render(request, area, {"level": "success", "text": text})
        text = _(
            "Held: counted %(got)d of %(sent)d. The supervisor decides; nothing moved yet."
        ) % {"got": counted, "sent": t.quantity}
        return _render(request, area, {"level": "warning", "text": text})

    @area_required(area_key)
    @form_idempotent
    def send(request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        department = department_get(code=area.department)
        batch = Batch.objects.filter(number=request.POST.get("batch", "")).first()
        quantity = _int(request.POST.get("quantity"))
        to_line = (
            Line.objects.filter(code=request.POST.get("to_line", ""))
            .select_related("department")
            .first()
        )
        from_line = Line.objects.filter(code=request.POST.get("from_line", "")).first()
        problems = []
        if batch is None:
            problems.append(_("Choose the batch."))
        if quantity is None or quantity < 1:
            problems.append(_("Type how many pieces to send (at least 1)."))
        if to_line is None:
            problems.append(_("Choose the receiving line."))
        if problems:
            return _render(
                request, area, {"level": "danger", "text": " ".join(problems)}, status=400
            )
        try:
            t = services.transfer_prepare(
                batch=batch, from_department=department, to_department=to_line.department,
                from_line=from_line, to_line=to_line, quantity=quantity, user=request.user,
            )  # fmt: skip
        except ApplicationError as error:
            return _refused(request, area, error)
        if t.state == S.BLOCKED:
            text = _("Blocked (line not clear): %(reason)s The receiving side has been told.") % {
                "reason": t.blocked_reason
            }
            return _render(request, area, {"level": "warning", "text": text, "transfer": t})
        text = _("Slip %(number)s issued: %(q)d pcs of %(batch)s to %(to)s. Print it.") % {
            "number": t.number, "q": t.quantity, "batch": batch.number, "to": to_line.code,
        }  # fmt: skip
        return _render(request, area, {"level": "success", "text": text, "transfer": t})

    def _transfer_action(name, run, ok_text):
        @area_required(area_key)
        @form_idempotent
        def view(request, pk):
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            transfer = get_object_or_404(transfer_qs(), pk=pk)
            try:
                t = run(request, transfer)
            except ApplicationError as error:
                return _refused(request, area, error)
            level = "warning" if t.state == S.BLOCKED else "success"
            return _render(request, area, {"level": level, "text": ok_text(t)})

        view.__name__ = f"{area_key}_{name}"
        return view

    approve = _transfer_action(
        "approve",
        lambda request, t: services.transfer_approve(
            transfer=t, quantity=_int(request.POST.get("quantity"), -1),
            remainder=request.POST.get("remainder", ""), reason=request.POST.get("reason", ""),
            user=request.user,
        ),
        lambda t: _("%(number)s approved: %(q)d pcs accepted.") % {
            "number": t.number, "q": t.quantity_received,
        },
    )  # fmt: skip
    reject = _transfer_action(
        "reject",
        lambda request, t: services.transfer_reject(
            transfer=t, reason=request.POST.get("reason", ""), user=request.user
        ),
        lambda t: (
            _("%(number)s rejected: the pieces go back to %(dept)s.")
            % {"number": t.number, "dept": t.from_department.code}
        ),
    )
    cancel = _transfer_action(
        "cancel",
        lambda request, t: services.transfer_cancel(
            transfer=t, reason=request.POST.get("reason", ""), user=request.user
        ),
        lambda t: _("%(number)s cancelled: the pieces can be sent again.") % {"number": t.number},
    )
    retry = _transfer_action(
        "retry",
        lambda request, t: services.transfer_retry(transfer=t, user=request.user),
        lambda t: (
            _("%(number)s: line clear, slip issued. Print it.") % {"number": t.number}
            if t.state == S.IN_TRANSIT
            else _("%(number)s still blocked: %(reason)s")
            % {"number": t.number, "reason": t.blocked_reason}
        ),
    )

    @area_required(area_key)
    @form_idempotent
    def clearance(request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        line = get_object_or_404(
            Line.objects.select_related("department"),
            code=request.POST.get("line_code", ""),
            department__code=area.department,
        )
        try:
            services.line_clearance_record(
                line=line, note=request.POST.get("note", ""), user=request.user
            )
        except ApplicationError as error:
            return _refused(request, area, error)
        text = _("Line %(line)s recorded clear. Blocked transfers can be retried.") % {
            "line": line.code
        }
        return _render(request, area, {"level": "success", "text": text})

    return {
        "page": page, "scan": scan, "accept": accept, "send": send, "approve": approve,
        "reject": reject, "cancel": cancel, "retry": retry, "clearance": clearance,
    }  # fmt: skip


def station_line(request, area):
    """The station's line (from the form's ``line``, else the department's first), with its
    department loaded; None for departments without lines."""
    return _line_of(request, list(department_get(code=area.department).lines.all()))


def form_batch(request, *, required: bool = True):
    """The batch a record-work form names (``batch``), with its MO, article and destination;
    ``BadInput`` when it names none (or, when ``required=False``, None for a blank field)."""
    number = request.POST.get("batch", "").strip()
    if not number and not required:
        return None
    batch = (
        Batch.objects.filter(number=number)
        .select_related("mo__article", "mo__destination", "mo__po_line__po")
        .first()
    )
    if batch is None:
        raise BadInput(_("Choose the batch."))
    return batch


def form_line(request, area):
    """The station's line for a record-work form; ``BadInput`` when the department has none."""
    line = station_line(request, area)
    if line is None:
        raise BadInput(_("Choose the line."))
    return line


def whole_number(request, name, *, label, minimum=0, default=None):
    """A whole number from the form, at least ``minimum``; ``BadInput`` with a sentence if not.
    A blank field is ``default`` (or refused when there is none)."""
    raw = request.POST.get(name, "")
    if str(raw).strip() == "" and default is not None:
        return default
    value = _int(raw)
    if value is None or value < minimum:
        raise BadInput(
            _("Type %(what)s as a whole number of at least %(min)d.")
            % {"what": label, "min": minimum}
        )
    return value


def record_action(area_key: str, run):
    """A record-work POST view on the station: ``run(request, area)`` calls one service and
    returns the result dict (level, text…); ``BadInput`` → 400, ``ApplicationError`` → the
    service's sentence and status. Idempotent per form key; the role check stays here and in
    the service."""
    area = AREAS[area_key]

    @area_required(area_key)
    @form_idempotent
    def view(request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            result = run(request, area)
        except BadInput as problem:
            refused, status = {"level": "danger", "text": str(problem)}, 400
        except ApplicationError as error:
            refused, status = {"level": "danger", "text": error.message}, error.status
        else:
            return _render(request, area, {"tab": "record", **result})
        return _render(request, area, {**refused, "tab": "record"}, status=status)

    view.__name__ = f"{area_key}_{getattr(run, '__name__', 'record')}"
    return view


def station_urlpatterns(area_key: str) -> list:
    """The URLs every station has (``<app>:station``, ``<app>:accept``…)."""
    v = station_views(area_key)
    return [
        path("", v["page"], name="station"),
        path("scan/", v["scan"], name="scan"),
        path("accept/", v["accept"], name="accept"),
        path("send/", v["send"], name="send"),
        path("clearance/", v["clearance"], name="clearance"),
        path("transfers/<int:pk>/approve/", v["approve"], name="approve"),
        path("transfers/<int:pk>/reject/", v["reject"], name="reject"),
        path("transfers/<int:pk>/cancel/", v["cancel"], name="cancel"),
        path("transfers/<int:pk>/retry/", v["retry"], name="retry"),
    ]
