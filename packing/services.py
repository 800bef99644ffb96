"""Packing (DOMAIN.md): cartons of one batch (one article, one destination, exactly what the label
says) with SSCC-18 numbers, and the completion of a batch into the FG warehouse behind the gate:
a passed final inspection, a valid compliance status of the article, no open quarantine."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from accounts.selectors import user_can_act_for
from erp.common.errors import ApplicationError
from erp.common.factory_settings import get_setting
from erp.common.numbering import next_number
from quality.lab import article_compliance
from quality.models import FinalInspection, Quarantine
from transfers.ledger import Bucket, Move, line_of_units, wip_moves
from transfers.models import Department, Hold, WipBalance, WipState

from .models import BatchCompletion, Carton


def gs1_check_digit(digits: str) -> int:
    """GS1 mod-10: weights 3, 1, 3… from the rightmost digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def sscc_is_valid(sscc: str) -> bool:
    return len(sscc) == 18 and sscc.isdigit() and gs1_check_digit(sscc[:17]) == int(sscc[17])


def next_sscc(extension: int = 0) -> str:
    """Extension digit + company prefix + serial reference (17 digits) + check digit."""
    prefix = str(get_setting("sscc_company_prefix"))
    if not prefix.isdigit() or not 6 <= len(prefix) <= 12:
        raise ApplicationError(
            "invalid_setting",
            _("The GS1 company prefix setting must be 6 to 12 digits."),
            status=409,
        )
    serial_width = 16 - len(prefix)
    serial = next_number(series="SSCC", year=0)
    if serial >= 10**serial_width:
        raise ApplicationError(
            "invalid_setting", _("The SSCC serial numbers of this prefix are used up."), status=409
        )
    body = f"{extension}{prefix}{serial:0{serial_width}d}"
    return body + str(gs1_check_digit(body))


def assert_may_pack(user) -> None:
    if not user_can_act_for(user, "PACKING"):
        raise ApplicationError(
            "permission_denied", _("Only packing or a manager packs cartons."), status=403
        )


def _kg(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        kg = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        kg = None
    if kg is None or not kg.is_finite() or kg <= 0 or kg > 1000:
        raise ApplicationError(
            "invalid", _("A weight is a number of kg above 0."), fields={field: [_("kg > 0")]},
            status=400,
        )  # fmt: skip
    return kg.quantize(Decimal("0.01"), ROUND_HALF_UP)


def expected_cartons(batch) -> int:
    """Cartons the batch fills: its units still in finishing and packing or packed, by the
    article's units per carton (the N of "carton n of N")."""
    units = (
        WipBalance.objects.filter(
            batch=batch,
            department__code__in=["FINISHING", "PACKING", "FG_WAREHOUSE"],
            state__in=["available", "ready", "locked", "quarantined", "rework"],
        ).aggregate(s=Sum("quantity"))["s"]
        or 0
    )
    shipped = (
        Carton.objects.filter(batch=batch, status=Carton.Status.SHIPPED).aggregate(
            s=Sum("quantity")
        )["s"]
        or 0
    )
    per = batch.mo.article.units_per_carton
    return max(math.ceil((units + shipped) / per), batch.cartons.count())


def carton_pack(
    *, batch, quantity: int, user, line=None, gross_weight_kg=None, article=None,
    destination=None,
) -> Carton:  # fmt: skip
    """Pack ``quantity`` units of the batch at packing into a new carton (available → ready at
    packing). ``article``/``destination``, when the caller names them (a scanned carton label),
    must be the batch's: a carton never mixes articles or destinations."""
    assert_may_pack(user)
    mo = batch.mo
    article_obj, dest = mo.article, mo.destination
    if article is not None and article != article_obj.code:
        raise ApplicationError(
            "mixed_carton",
            _("%(batch)s is article %(a)s; a carton holds one article only (not %(b)s).")
            % {"batch": batch.number, "a": article_obj.code, "b": article},
        )
    if destination is not None and destination != dest.code:
        raise ApplicationError(
            "mixed_carton",
            _("%(batch)s goes to %(a)s; a carton holds one destination only (not %(b)s).")
            % {"batch": batch.number, "a": dest.code, "b": destination},
        )
    per = article_obj.units_per_carton
    if quantity < 1 or quantity > per:
        raise ApplicationError(
            "invalid",
            _("A carton of %(article)s holds 1 to %(n)d units.") % {"article": article_obj.code,
                                                                 "n": per},
            fields={"quantity": [_("1 to %(n)d") % {"n": per}]},
            status=400,
        )  # fmt: skip
    gross = _kg(gross_weight_kg, "gross_weight_kg")
    packing = Department.objects.get(code="PACKING")
    line = line_of_units(batch=batch, department=packing, line=line)
    if Hold.objects.filter(batch=batch, department=packing, released_at__isnull=True).exists():
        raise ApplicationError(
            "batch_held",
            _("%(batch)s is held at packing (final inspection rejected the lot): nothing of it is "
              "packed.") % {"batch": batch.number},
        )  # fmt: skip
    net = (article_obj.fill_weight_g * quantity / 1000).quantize(Decimal("0.01"), ROUND_HALF_UP)
    tare = Decimal(str(get_setting("carton_tare_kg")))
    with transaction.atomic():
        # The batch row lock serialises carton numbers; the ledger refuses packing units that
        # are not available (quarantined units are in their own bucket and never packed).
        from ppic.models import Batch

        Batch.objects.select_for_update(no_key=True).filter(pk=batch.pk).values_list("pk").get()
        sequence = (batch.cartons.aggregate(m=Max("sequence"))["m"] or 0) + 1
        carton = Carton.objects.create(
            sscc=next_sscc(), batch=batch, article=article_obj, destination=dest,
            po_number=mo.po_number or (mo.po_line.po.number if mo.po_line_id else ""),
            line=line, sequence=sequence, quantity=quantity, net_weight_kg=net,
            gross_weight_kg=gross or net + tare, packed_by=user,
        )  # fmt: skip
        wip_moves(
            [
                Move(
                    batch,
                    Bucket(packing, WipState.AVAILABLE, line),
                    Bucket(packing, WipState.READY, line),
                    quantity,
                )
            ],
            reason="carton",
            user=user,
            reference=f"carton:{carton.sscc}",
        )
    return carton


def unpacked_units(batch) -> int:
    """Units at packing not (yet) in a carton."""
    return (
        WipBalance.objects.filter(
            batch=batch, department__code="PACKING", state__in=["available", "locked", "rework"]
        ).aggregate(s=Sum("quantity"))["s"]
        or 0
    )


def completion_problems_many(batches) -> dict[int, dict[str, str]]:
    """What stops each batch from completing packing, by key (empty: nothing). A fixed number of
    queries (plus one compliance per distinct article), so stations can show it per batch."""
    ids = [b.pk for b in batches]
    final: dict[int, str] = {}
    for batch_id, verdict in (
        FinalInspection.objects.filter(batch_id__in=ids)
        .order_by("batch_id", "-id")
        .values_list("batch_id", "verdict")
    ):
        final.setdefault(batch_id, verdict)
    quarantined = dict(
        Quarantine.objects.filter(batch_id__in=ids, status__in=Quarantine.OPEN_STATUSES)
        .values("batch_id")
        .annotate(q=Sum("remaining"))
        .order_by()
        .values_list("batch_id", "q")
    )
    held = set(
        Hold.objects.filter(
            batch_id__in=ids, department__code__in=["FINISHING", "PACKING"],
            released_at__isnull=True,
        ).values_list("batch_id", flat=True)
    )  # fmt: skip
    packed = dict(
        WipBalance.objects.filter(batch_id__in=ids, department__code="PACKING", state="ready")
        .values("batch_id")
        .annotate(q=Sum("quantity"))
        .order_by()
        .values_list("batch_id", "q")
    )
    compliance: dict[int, object] = {}
    result = {}
    for batch in batches:
        article = batch.mo.article
        if article.pk not in compliance:
            compliance[article.pk] = article_compliance(article)
        problems: dict[str, str] = {}
        verdict = final.get(batch.pk)
        if verdict is None:
            problems["final_inspection"] = _("no final inspection (AQL) recorded")
        elif verdict != FinalInspection.Verdict.ACCEPT:
            problems["final_inspection"] = _("the final inspection rejected the lot")
        status = compliance[article.pk]
        if not status.valid:
            problems["lab_tests"] = _("lab tests missing, failed or expired: %(tests)s") % {
                "tests": ", ".join(status.missing)
            }
        if quarantined.get(batch.pk):
            problems["quarantine"] = _("%(n)d units are in an open quarantine") % {
                "n": quarantined[batch.pk]
            }
        if batch.pk in held:
            problems["hold"] = _("the batch is held at finishing or packing")
        if not packed.get(batch.pk):
            problems["cartons"] = _("no packed carton to complete")
        result[batch.pk] = problems
    return result


def completion_problems(batch) -> dict[str, str]:
    """What stops the batch from completing packing, by key (empty: nothing)."""
    return completion_problems_many([batch])[batch.pk]


def packing_complete(*, batch, user) -> BatchCompletion:
    """Move the batch's packed cartons into the FG warehouse. Refused (409
    ``packing_incomplete``, fields naming what is missing) without a passed final inspection,
    without a valid compliance status of the article, with an open quarantine or hold, or with
    no packed carton. Units not yet in cartons stay at packing (``unpacked`` in the answer) and
    complete with their cartons later."""
    assert_may_pack(user)
    from ppic.models import Batch

    with transaction.atomic():
        Batch.objects.select_for_update(no_key=True).filter(pk=batch.pk).values_list("pk").get()
        problems = completion_problems(batch)
        if problems:
            raise ApplicationError(
                "packing_incomplete",
                _("%(batch)s cannot complete packing: %(what)s.")
                % {"batch": batch.number, "what": "; ".join(problems.values())},
                fields={"missing": list(problems), **{k: [v] for k, v in problems.items()}},
            )
        packing = Department.objects.get(code="PACKING")
        fg = Department.objects.get(code="FG_WAREHOUSE")
        rows = list(
            WipBalance.objects.filter(
                batch=batch, department=packing, state=WipState.READY, quantity__gt=0
            ).select_related("line")
        )
        cartons = list(
            Carton.objects.select_for_update(no_key=True).filter(
                batch=batch, status=Carton.Status.PACKED
            )
        )
        total = sum(r.quantity for r in rows)
        if sum(c.quantity for c in cartons) != total:  # the label says exactly what is inside
            raise ApplicationError(
                "packing_incomplete",
                _("The packed cartons of %(batch)s hold %(c)d units but %(u)d are packed: check "
                  "the cartons.") % {"batch": batch.number, "c": sum(c.quantity for c in cartons),
                                     "u": total},
                fields={"missing": ["cartons"]},
            )  # fmt: skip
        final = FinalInspection.objects.filter(batch=batch).order_by("-id").first()
        completion = BatchCompletion.objects.create(
            batch=batch, quantity=total, cartons=len(cartons), final_inspection=final,
            compliance_expires_at=article_compliance(batch.mo.article).expires_at, user=user,
        )  # fmt: skip
        wip_moves(
            [
                Move(
                    batch,
                    Bucket(packing, WipState.READY, r.line),
                    Bucket(fg, "available"),
                    r.quantity,
                )
                for r in rows
            ],
            reason="packing_complete",
            user=user,
            reference=f"completion:{completion.pk}",
        )
        Carton.objects.filter(pk__in=[c.pk for c in cartons]).update(status=Carton.Status.IN_FG)
    return completion
