"""Reading an inline QC round from a station form (sewing's inline QC, finishing's physical QC):
the pieces checked, rework, scrap and the defect codes with their counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from transfers.stations import BadInput, whole_number

from .models import DefectCode


@dataclass
class QcRound:
    checked: int
    rework: int
    scrap: int
    defects: list[tuple[DefectCode, int]]

    @property
    def passed(self) -> int:
        return self.checked - self.rework - self.scrap


def qc_round_from_form(request) -> QcRound:
    """``BadInput`` with a sentence for anything that cannot be read."""
    checked = whole_number(request, "checked", label=_("the pieces checked"), minimum=1)
    rework = whole_number(request, "rework", label=_("the pieces to rework"), default=0)
    scrap = whole_number(request, "scrap", label=_("the pieces scrapped"), default=0)
    if rework + scrap > checked:
        raise BadInput(
            _("Rework and scrap (%(bad)d pcs) cannot be more than the pieces checked (%(n)d).")
            % {"bad": rework + scrap, "n": checked}
        )
    codes = request.POST.getlist("defect_code")
    counts = request.POST.getlist("defect_count")
    wanted: dict[int, int] = {}
    for i, code in enumerate(codes):
        raw_count = counts[i] if i < len(counts) else ""
        if not str(code).strip() and not str(raw_count).strip():
            continue
        try:
            code_id, count = int(code), int(str(raw_count).strip())
        except (TypeError, ValueError):
            raise BadInput(
                _("For each defect, choose the code and type how many (a whole number).")
            ) from None
        if count < 1:
            raise BadInput(_("A defect count is at least 1."))
        wanted[code_id] = wanted.get(code_id, 0) + count
    found = {c.pk: c for c in DefectCode.objects.filter(pk__in=wanted, active=True)}
    if len(found) != len(wanted):
        raise BadInput(_("Choose the defect codes from the list."))
    return QcRound(checked, rework, scrap, [(found[pk], n) for pk, n in wanted.items()])
