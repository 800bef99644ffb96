"""Embroidery's "Record work" tab on the station: per batch available here, how many came out
embroidered (good, ready to send), to rework and scrapped."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _

from ppic.models import Batch
from transfers.stations import BadInput, record_action, station_line, whole_number

from .services import embroidery_output_record


def record_context(request, context) -> dict:
    """Batches with units waiting to be embroidered here (no extra query: from the WIP rows)."""
    rows = []
    for r in context["wip"]:
        waiting = r["available"] - r["sendable"]
        if r.get("obj") is not None and waiting > 0:
            rows.append({"row": r, "obj": r["obj"], "waiting": waiting})
    return {"embroidery_rows": rows}


def record_output(request, area):
    batch = Batch.objects.filter(number=request.POST.get("batch", "")).first()
    if batch is None:
        raise BadInput(_("Choose the batch."))
    good = whole_number(request, "quantity", label=_("the embroidered pieces"), default=0)
    rework = whole_number(request, "rework", label=_("the pieces to rework"), default=0)
    scrap = whole_number(request, "scrap", label=_("the pieces scrapped"), default=0)
    if good + rework + scrap < 1:
        raise BadInput(_("Record at least one piece."))
    record = embroidery_output_record(
        batch=batch, quantity=good, rework=rework, scrap=scrap, user=request.user,
        line=station_line(request, area),
    )  # fmt: skip
    text = _(
        "%(batch)s: %(good)d pcs embroidered (ready to send), %(rework)d to rework, "
        "%(scrap)d scrapped."
    ) % {"batch": batch.number, "good": record.quantity, "rework": record.rework,
         "scrap": record.scrap}  # fmt: skip
    return {"level": "warning" if record.rework or record.scrap else "success", "text": text}


def record_urlpatterns() -> list:
    return [
        path("record/output/", record_action("embroidery", record_output), name="record_output"),
    ]
