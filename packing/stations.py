"""Packing's "Record work" tab on the station: per batch on the chosen line, the units still to
pack, the units packed and the cartons so far (n of N), a form packing one carton (the quantity
pre-filled with a full carton or what is left), the batch's cartons with their labels, and the
"complete batch" button with the gate (final inspection, lab tests, quarantine or hold, packed
cartons); units not yet in cartons stay at packing and complete with their cartons later.

The page keeps a fixed number of queries whatever the number of batches on the line: the gate is
read in bulk by ``services.completion_problems_many``, which ``packing_complete`` checks again
(under the batch lock) when the button is pressed."""

from __future__ import annotations

import math
from collections import defaultdict

from django.db.models import Sum
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ppic.models import Batch
from transfers.models import WipBalance
from transfers.stations import (
    form_batch,
    form_line,
    record_action,
    whole_number,
)

from .models import Carton
from .services import (
    carton_pack,
    completion_problems_many,
    expected_cartons,
    packing_complete,
    unpacked_units,
)
from .views import human_sscc

# The buckets ``expected_cartons`` counts (units that will still be packed, or are packed).
_LIVE_STATES = ("available", "ready", "locked", "quarantined", "rework")
_EXPECTED_DEPARTMENTS = ("FINISHING", "PACKING", "FG_WAREHOUSE")


def _gates(batches: list[Batch]) -> dict[int, dict]:
    """Per batch id: units at packing by state, cartons, expected N and the completion problems
    (keys and sentences as ``completion_problems``). Queries: balances, cartons, final
    inspections, holds, quarantines, and the compliance of each distinct article (a packing
    line holds one batch at a time, so one article)."""
    ids = [b.pk for b in batches]
    units: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    expected_units: dict[int, int] = defaultdict(int)
    for r in (
        WipBalance.objects.filter(
            batch_id__in=ids, department__code__in=_EXPECTED_DEPARTMENTS, quantity__gt=0
        )
        .values("batch_id", "department__code", "state")
        .annotate(q=Sum("quantity"))
        .order_by()
    ):
        if r["state"] in _LIVE_STATES:
            expected_units[r["batch_id"]] += r["q"]
        if r["department__code"] == "PACKING":
            units[r["batch_id"]][r["state"]] += r["q"]
    cartons: dict[int, list[Carton]] = defaultdict(list)
    for c in (
        Carton.objects.filter(batch_id__in=ids)
        .select_related("line")
        .order_by("batch_id", "sequence")
    ):
        cartons[c.batch_id].append(c)
    problems_of = completion_problems_many(batches)

    gates = {}
    for batch in batches:
        here = units[batch.pk]
        mine = cartons[batch.pk]
        shipped = sum(c.quantity for c in mine if c.status == Carton.Status.SHIPPED)
        per = batch.mo.article.units_per_carton
        problems = problems_of[batch.pk]
        gates[batch.pk] = {
            "cartons": mine,
            "of": max(math.ceil((expected_units[batch.pk] + shipped) / per), len(mine)),
            "packed_here": here["ready"],
            # not a problem: units not yet in cartons stay at packing and complete later
            "unpacked": here["available"] + here["locked"] + here["rework"],
            "problems": problems,
            "checks": [
                {
                    "key": "final_inspection",
                    "label": _("Final inspection (AQL) passed"),
                    "ok": "final_inspection" not in problems,
                },
                {
                    "key": "lab_tests",
                    "label": _("Lab tests valid"),
                    "ok": "lab_tests" not in problems,
                },
                {
                    "key": "quarantine",
                    "label": _("No open quarantine or hold"),
                    "ok": "quarantine" not in problems and "hold" not in problems,
                },
                {
                    "key": "cartons",
                    "label": _("Packed cartons to complete"),
                    "ok": "cartons" not in problems,
                },
            ],  # fmt: skip
        }
    return gates


def record_context(request, context) -> dict:
    """One entry per batch on the line; a fixed number of queries whatever the batches."""
    line = context["line"]
    rows = [r for r in context["wip"] if r.get("obj") is not None]
    if line is None or not rows:
        return {"packing_rows": []}
    gates = _gates([r["obj"] for r in rows])
    entries = []
    for r in rows:
        batch = r["obj"]
        gate = gates[batch.pk]
        per = batch.mo.article.units_per_carton
        to_pack = r["available"] - r["sendable"]  # available here, not yet in a carton
        entries.append(
            {
                "row": r,
                "obj": batch,
                "per_carton": per,
                "to_pack": to_pack,
                "packed": r["sendable"],
                "next_quantity": min(per, to_pack),
                "cartons": gate["cartons"],
                "carton_count": len(gate["cartons"]),
                "of": gate["of"],
                "problems": gate["problems"],
                "checks": gate["checks"],
                "may_complete": not gate["problems"],
                "unpacked": gate["unpacked"],
            }
        )
    return {"packing_rows": entries}


def record_carton(request, area):
    batch = form_batch(request)
    quantity = whole_number(request, "quantity", label=_("the units in the carton"), minimum=1)
    gross = request.POST.get("gross_weight_kg", "").strip().replace(",", ".") or None
    line = form_line(request, area)
    carton = carton_pack(
        batch=batch, quantity=quantity, line=line, gross_weight_kg=gross, user=request.user
    )
    text = _(
        "Carton %(n)d of %(of)d of %(batch)s packed: %(q)d pcs, SSCC %(sscc)s. Print the label "
        "and stick it on the carton."
    ) % {
        "n": carton.sequence,
        "of": expected_cartons(batch),
        "batch": batch.number,
        "q": carton.quantity,
        "sscc": human_sscc(carton.sscc),
    }
    return {
        "level": "success",
        "text": text,
        "link": reverse("packing:carton_label", args=[carton.sscc]),
        "link_label": _("Print label"),
        "carton": carton,
    }


def record_complete(request, area):
    batch = form_batch(request)
    completion = packing_complete(batch=batch, user=request.user)
    text = ngettext(
        "%(batch)s completed: %(q)d pcs in %(n)d carton moved to the FG warehouse.",
        "%(batch)s completed: %(q)d pcs in %(n)d cartons moved to the FG warehouse.",
        completion.cartons,
    ) % {
        "batch": batch.number,
        "q": completion.quantity,
        "n": completion.cartons,
    }
    left = unpacked_units(batch)
    if left:
        text += " " + _(
            "%(n)d pcs not yet in cartons stay at packing: pack them and complete again."
        ) % {"n": left}
    return {"level": "success", "text": text}


def record_urlpatterns() -> list:
    return [
        path("record/carton/", record_action("packing", record_carton), name="record_carton"),
        path("record/complete/", record_action("packing", record_complete), name="complete"),
    ]
