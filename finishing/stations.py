"""Finishing's "Record work" tab on the station, per chosen finishing line: the line's metal
detector (last check, next due, verified or not, the 9-point check with the test card) and, per
batch on the line, its figures (received, stuffed, through the detector, QC passed, FG) with the
forms for stuffing weights, the detector scan, the physical QC and the conversion to FG."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.db.models import Sum
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.common.factory_settings import get_setting
from quality.models import DefectCode, Inspection, Quarantine
from quality.services import inspection_record
from quality.station_forms import qc_round_from_form
from transfers.stations import (
    BadInput,
    form_batch,
    form_line,
    record_action,
    whole_number,
)

from .models import TEST_CARD_SIZES_MM, Detector, DetectorCheck
from .services import (
    detector_check_record,
    detector_scan_record,
    detector_status,
    fg_convert,
    interval,
    progress_many,
    stuffing_record,
)

# The nine test points, laid out as the operator sees the detector's opening: the highest row
# first, the belt at the bottom; left / centre / right.
HEIGHTS = (
    ("h10", gettext_lazy("~10 cm above")),
    ("h5", gettext_lazy("~5 cm above")),
    ("belt", gettext_lazy("On the belt")),
)
SIDES = (
    ("left", gettext_lazy("Left")),
    ("centre", gettext_lazy("Centre")),
    ("right", gettext_lazy("Right")),
)
POINTS = tuple(f"{h}-{s}" for h, _h in HEIGHTS for s, _s in SIDES)


def required_card() -> Decimal:
    return Decimal(str(get_setting("detector_test_piece_mm"))).quantize(Decimal("0.1"))


def _plain(value: Decimal) -> Decimal:
    """250.00 → 250, 252.50 → 252.5 (never 2.5E+2), so the page shows grams plainly."""
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _at(value) -> str:
    return timezone.localtime(value).strftime("%H:%M") if value else ""


def record_context(request, context) -> dict:
    """The line's detector panels and one entry per batch on the line; a fixed number of
    queries whatever the number of batches."""
    line = context["line"]
    if line is None:
        return {"finishing_rows": [], "detector_panels": []}
    detectors = list(Detector.objects.filter(line=line, active=True).select_related("line"))
    required = required_card()
    cards = [c for c in TEST_CARD_SIZES_MM if Decimal(c) <= required]
    panels = []
    for status in detector_status(detectors, now=context["now"]) if detectors else []:
        check = status["last_check"]
        panels.append(
            {
                **status,
                "who": _who(check.user) if check else "",
                "occasion_default": (
                    DetectorCheck.Occasion.HOURLY if check else DetectorCheck.Occasion.START_UP
                ),
            }
        )
    verified = any(p["verified"] for p in panels)
    rows = [r for r in context["wip"] if r.get("obj") is not None]
    entries = []
    if rows:
        ids = [r["obj"].pk for r in rows]
        figures = progress_many(batch_ids=ids, line=line)
        checked = dict(
            Inspection.objects.filter(
                batch_id__in=ids, department__code="FINISHING", line=line,
                kind=Inspection.Kind.INLINE,
            )
            .values("batch_id")
            .annotate(q=Sum("passed") + Sum("rework") + Sum("scrap"))
            .order_by()
            .values_list("batch_id", "q")
        )  # fmt: skip
        for r in rows:
            batch = r["obj"]
            p = figures[batch.pk]
            article = batch.mo.article
            target, tolerance = article.fill_weight_g, article.fill_tolerance_g
            entries.append(
                {
                    "row": r,
                    "obj": batch,
                    "p": p,
                    "target": _plain(target),
                    "tolerance": _plain(tolerance),
                    "low": _plain(target - tolerance),
                    "high": _plain(target + tolerance),
                    "to_check": max(p.scanned - (checked.get(batch.pk) or 0), 0),
                }
            )
    return {
        "finishing_rows": entries,
        "detector_panels": panels,
        "detector_verified": verified,
        "test_cards": cards,
        "required_card": str(required),
        "heights": HEIGHTS,
        "sides": SIDES,
        "occasions": DetectorCheck.Occasion.choices,
        "defect_codes": list(DefectCode.objects.filter(active=True).order_by("code")),
        "defect_slots": range(3),
    }


# --- reading the forms -----------------------------------------------------------------------


def _detector(request, line) -> Detector:
    code = request.POST.get("detector", "").strip()
    detectors = list(Detector.objects.filter(line=line).select_related("line"))
    if not code and len(detectors) == 1:
        return detectors[0]
    found = next((d for d in detectors if d.code == code), None)
    if found is None:
        raise BadInput(
            _("Choose the metal detector of line %(line)s.") % {"line": line.code}
            if not code
            else _("Detector %(d)s is not on line %(line)s.") % {"d": code, "line": line.code}
        )
    return found


_SEPARATORS = re.compile(r"[\s;]+")
_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")


def weights(request, name) -> list[Decimal]:
    """Grams typed in a box, separated by spaces, new lines, semicolons or commas; a decimal
    comma (250,5) or point (250.5) both read."""
    values = []
    for part in request.POST.getlist(name):
        for token in _SEPARATORS.split(part.strip()):
            pieces = [token] if _DECIMAL_COMMA.fullmatch(token) else token.split(",")
            for piece in pieces:
                if not piece:
                    continue
                try:
                    value = Decimal(piece.replace(",", "."))
                except InvalidOperation:
                    value = None
                if value is None or not value.is_finite():
                    raise BadInput(
                        _(
                            "“%(value)s” is not a weight: type each weight in grams as a number "
                            "(250 or 250,5), separated by spaces or new lines."
                        )
                        % {"value": piece[:20]}
                    )
                values.append(value)
    if len(values) > 10_000:
        raise BadInput(_("Too many weights in one record."))
    return values


def _grams(value: Decimal) -> str:
    return f"{_plain(value)}"


# --- the record actions ------------------------------------------------------------------------


def record_stuffing(request, area):
    batch = form_batch(request)
    quantity = whole_number(request, "quantity", label=_("the units stuffed"), minimum=1)
    sample = weights(request, "sample_weights_g")
    if not sample:
        raise BadInput(_("Type the weight of at least one stuffed toy (grams)."))
    corrected = weights(request, "corrected_weights_g")
    line = form_line(request, area)
    record = stuffing_record(
        batch=batch, quantity=quantity, sample_weights_g=sample, user=request.user, line=line,
        corrected_weights_g=corrected,
    )  # fmt: skip
    values = {
        "q": record.quantity,
        "batch": batch.number,
        "line": line.code,
        "n": len(record.sample_weights_g),
        "out": record.out_of_tolerance,
        "low": _grams(record.target_g - record.tolerance_g),
        "high": _grams(record.target_g + record.tolerance_g),
    }
    text = _("Stuffing: %(q)d pcs of %(batch)s recorded on %(line)s; %(n)d toys weighed.") % values
    pending = record.out_of_tolerance - len(record.corrected_weights_g)
    if not record.out_of_tolerance:
        return {
            "level": "success",
            "text": text + " " + _("All within %(low)s–%(high)s g.") % values,
        }
    if pending <= 0:
        text += (
            " "
            + _("%(out)d out of tolerance (%(low)s–%(high)s g), corrected and weighed again.")
            % values
        )
        return {"level": "success", "text": text}
    text += " " + _(
        "%(out)d out of tolerance (outside %(low)s–%(high)s g): they must be corrected (add or "
        "take out filling) before closing. They do not count as stuffed until you record them "
        "again with their weights after correction."
    ) % {**values, "out": pending}
    return {"level": "warning", "text": text}


def record_detector_check(request, area):
    line = form_line(request, area)
    detector = _detector(request, line)
    points = request.POST.getlist("point")
    if any(p not in POINTS for p in points):
        raise BadInput(_("Tick only the nine test points of the detector."))
    card = request.POST.get("test_piece_mm", "").strip().replace(",", ".")
    if not card:
        raise BadInput(_("Choose the test card."))
    occasion = request.POST.get("occasion", "").strip() or DetectorCheck.Occasion.HOURLY
    if occasion not in DetectorCheck.Occasion.values:
        raise BadInput(_("Choose when the check is done from the list."))
    batch = form_batch(request, required=False)
    check = detector_check_record(
        detector=detector, test_piece_mm=card, points_detected=len(set(points)),
        user=request.user, occasion=occasion, batch=batch,
        note=request.POST.get("note", "").strip(),
    )  # fmt: skip
    values = {
        "d": detector.code,
        "line": line.code,
        "n": check.points_detected,
        "card": check.test_piece_mm,
    }
    if check.result == DetectorCheck.Result.PASS:
        values["due"] = _at(check.at + interval())
        text = (
            _(
                "PASS: detector %(d)s found the %(card)s mm test card at all 9 points. It is "
                "verified and may scan until %(due)s (next check due)."
            )
            % values
        )
        return {"level": "success", "text": text}
    taken = Quarantine.objects.filter(source=f"detector-check:{check.pk}")
    values["q"] = taken.aggregate(q=Sum("quantity"))["q"] or 0
    text = (
        _(
            "FAIL: detector %(d)s found the %(card)s mm test card at only %(n)d of 9 points. The "
            "detector is STOPPED: pass nothing through it until it is repaired and passes a new "
            "check. %(q)d units it passed since its last good check are quarantined (P1 sent); "
            "re-scan them on a working detector."
        )
        % values
    )
    return {"level": "danger", "text": text}


def record_detector_scan(request, area):
    batch = form_batch(request)
    passed = whole_number(request, "passed", label=_("the units passed"), default=0)
    failed = whole_number(request, "failed", label=_("the alarms"), default=0)
    if passed + failed < 1:
        raise BadInput(_("Type how many units went through the detector (at least 1)."))
    line = form_line(request, area)
    detector = _detector(request, line)
    scan = detector_scan_record(
        batch=batch, detector=detector, passed=passed, failed=failed, user=request.user
    )
    values = {"d": detector.code, "batch": batch.number, "passed": scan.passed, "n": scan.failed}
    if scan.failed:
        text = (
            _(
                "METAL ALARM on %(d)s: %(n)d toy(s) of %(batch)s. Isolate them, find the metal "
                "with the hand detector and keep the item with the record. The batch's units at "
                "finishing are quarantined until QC decides (P1 sent). %(passed)d pcs passed."
            )
            % values
        )
        return {"level": "danger", "text": text}
    text = _("%(passed)d pcs of %(batch)s passed detector %(d)s, no alarm.") % values
    return {"level": "success", "text": text}


def record_physical_qc(request, area):
    batch = form_batch(request)
    qc = qc_round_from_form(request)
    line = form_line(request, area)
    inspection = inspection_record(
        batch=batch, department=line.department, kind=Inspection.Kind.INLINE,
        passed=qc.passed, rework=qc.rework, scrap=qc.scrap, defects=qc.defects, line=line,
        user=request.user,
    )  # fmt: skip
    text = _(
        "Physical QC of %(batch)s: %(n)d checked, %(passed)d passed, %(rework)d rework, "
        "%(scrap)d scrap."
    ) % {
        "batch": batch.number,
        "n": qc.checked,
        "passed": inspection.passed,
        "rework": inspection.rework,
        "scrap": inspection.scrap,
    }
    return {"level": "warning" if qc.rework or qc.scrap else "success", "text": text}


def record_fg(request, area):
    batch = form_batch(request)
    quantity = whole_number(request, "quantity", label=_("the units to convert"), minimum=1)
    line = form_line(request, area)
    record = fg_convert(batch=batch, quantity=quantity, user=request.user, line=line)
    text = _(
        "%(q)d pcs of %(batch)s are finished goods (FG) on %(line)s: they can be sent to packing."
    ) % {"q": record.quantity, "batch": batch.number, "line": line.code}
    return {"level": "success", "text": text}


def record_urlpatterns() -> list:
    return [
        path("record/stuffing/", record_action("finishing", record_stuffing), name="stuffing"),
        path(
            "record/detector-check/",
            record_action("finishing", record_detector_check),
            name="detector_check",
        ),
        path(
            "record/detector-scan/",
            record_action("finishing", record_detector_scan),
            name="detector_scan",
        ),
        path("record/qc/", record_action("finishing", record_physical_qc), name="physical_qc"),
        path("record/fg/", record_action("finishing", record_fg), name="fg"),
    ]
