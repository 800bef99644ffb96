"""Sewing's "Record work" tab on the station: per batch on the chosen line, the three stage
totals with a form to add pieces to a stage (the next stage with room pre-selected), and an
inline QC round (the traffic light; red holds the batch on the line until a full recheck)."""

from __future__ import annotations

from django.db.models import Sum
from django.urls import path
from django.utils.translation import gettext as _

from erp.common.factory_settings import get_setting
from quality.models import DefectCode, Inspection
from quality.services import inspection_record
from quality.station_forms import qc_round_from_form
from transfers.models import Hold, WipMovement
from transfers.stations import (
    BadInput,
    form_batch,
    form_line,
    record_action,
    whole_number,
)

from .models import STAGE_ORDER, Stage, StageRecord
from .services import sewing_stage_record

LIGHT_CSS = {
    Inspection.Light.GREEN: "success",
    Inspection.Light.YELLOW: "warning",
    Inspection.Light.RED: "danger",
}


def light_badge(light: str) -> dict | None:
    if not light:
        return None
    return {"code": light, "css": LIGHT_CSS[light], "word": str(Inspection.Light(light).label)}


def record_context(request, context) -> dict:
    """One entry per batch on the line; a fixed number of queries whatever the batches."""
    line, department = context["line"], context["department"]
    rows = [r for r in context["wip"] if r.get("obj") is not None]
    if line is None or not rows:
        return {"sewing_rows": []}
    ids = [r["obj"].pk for r in rows]
    totals: dict[int, dict] = {}
    for r in (
        StageRecord.objects.filter(batch_id__in=ids, line=line)
        .values("batch_id", "stage")
        .annotate(q=Sum("quantity"))
        .order_by()
    ):
        totals.setdefault(r["batch_id"], {})[r["stage"]] = r["q"]
    received = dict(
        WipMovement.objects.filter(
            batch_id__in=ids, to_department__code="SEWING", to_line=line, to_state="available"
        )
        .exclude(from_department__code="SEWING")
        .values("batch_id")
        .annotate(q=Sum("quantity"))
        .order_by()
        .values_list("batch_id", "q")
    )
    held = set(
        Hold.objects.filter(
            batch_id__in=ids, department=department, line=line, kind=Hold.Kind.QC_RED,
            released_at__isnull=True,
        ).values_list("batch_id", flat=True)
    )  # fmt: skip
    last_light: dict[int, str] = {}
    for batch_id, light in (
        Inspection.objects.filter(
            batch_id__in=ids, department=department, line=line, kind=Inspection.Kind.INLINE
        )
        .exclude(light="")
        .order_by("batch_id", "-id")
        .values_list("batch_id", "light")
    ):
        last_light.setdefault(batch_id, light)
    entries = []
    for r in rows:
        batch = r["obj"]
        done = {s: (totals.get(batch.pk, {}).get(s) or 0) for s in STAGE_ORDER}
        limits = [received.get(batch.pk) or 0] + [done[s] for s in STAGE_ORDER[:-1]]
        stages = [
            {"code": s, "label": Stage(s).label, "total": done[s], "room": max(lim - done[s], 0)}
            for s, lim in zip(STAGE_ORDER, limits, strict=True)
        ]
        in_work = r["available"] - r["sendable"]  # units not yet past loop stitch
        stages[-1]["room"] = min(stages[-1]["room"], in_work)  # rework/scrap cannot go on
        next_stage = next((s for s in stages if s["room"] > 0), None)
        entries.append(
            {
                "row": r,
                "obj": batch,
                "received": received.get(batch.pk) or 0,
                "stages": stages,
                "next_stage": next_stage,
                "held": batch.pk in held,
                "light": light_badge(last_light.get(batch.pk, "")),
                "in_work": in_work,
            }
        )
    return {
        "sewing_rows": entries,
        "qc_pieces": int(get_setting("inline_qc_pieces")),
        "defect_codes": list(DefectCode.objects.filter(active=True).order_by("code")),
        "defect_slots": range(3),
    }


def record_stage(request, area):
    batch = form_batch(request)
    stage = request.POST.get("stage", "")
    if stage not in STAGE_ORDER:
        raise BadInput(_("Choose the stage: assembly, labeling or loop stitch."))
    quantity = whole_number(request, "quantity", label=_("the pieces"), minimum=1)
    line = form_line(request, area)
    record = sewing_stage_record(
        batch=batch, line=line, stage=stage, quantity=quantity, user=request.user
    )
    text = _("%(stage)s: %(q)d pcs of %(batch)s recorded on %(line)s.") % {
        "stage": Stage(stage).label,
        "q": record.quantity,
        "batch": batch.number,
        "line": line.code,
    }
    if stage == Stage.LOOP_STITCH:
        text += " " + _("These pieces can be sent to finishing.")
    return {"level": "success", "text": text}


def record_inline_qc(request, area):
    batch = form_batch(request)
    qc = qc_round_from_form(request)
    recheck = request.POST.get("recheck") in ("1", "on", "true")
    line = form_line(request, area)
    inspection = inspection_record(
        batch=batch, department=line.department, kind=Inspection.Kind.INLINE,
        passed=qc.passed, rework=qc.rework, scrap=qc.scrap, defects=qc.defects,
        line=line, recheck=recheck, user=request.user,
    )  # fmt: skip
    light = inspection.light
    values = {
        "batch": batch.number,
        "n": inspection.checked,
        "passed": inspection.passed,
        "rework": inspection.rework,
        "scrap": inspection.scrap,
    }
    if light == Inspection.Light.RED and not recheck:
        text = (
            _(
                "Inline QC of %(batch)s: %(n)d checked, %(passed)d passed, %(rework)d rework, "
                "%(scrap)d scrap. Red: the batch is held on this line. Recheck all of it, then "
                "record the full recheck."
            )
            % values
        )
        level = "danger"
    else:
        text = (
            _(
                "Inline QC of %(batch)s: %(n)d checked, %(passed)d passed, %(rework)d rework, "
                "%(scrap)d scrap."
            )
            % values
        )
        if recheck:
            text += " " + _("Full recheck recorded: the hold is released.")
        level = "warning" if light == Inspection.Light.YELLOW else "success"
    return {"level": level, "text": text, "light": light_badge(light)}


def record_urlpatterns() -> list:
    return [
        path("record/stage/", record_action("sewing", record_stage), name="record_stage"),
        path("record/inline-qc/", record_action("sewing", record_inline_qc), name="inline_qc"),
    ]
