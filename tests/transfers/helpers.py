"""Builders for transfer tests: released batches with units cut and ready to send."""

from datetime import timedelta

from django.utils import timezone

from ppic.services import mo_create, mo_release
from tests.factories import ArticleFactory, DestinationFactory, UserFactory
from transfers.ledger import Bucket, Move, wip_moves
from transfers.models import Department, Line, WipBalance


def dept(code):
    return Department.objects.get(code=code)


def line(code):
    return Line.objects.get(code=code)


def users():
    """The cast: operators, leads and a manager (get-or-create, so call freely)."""
    return {
        "cutting": UserFactory(username="t_cutting", roles=["cutting"]),
        "cutting_lead": UserFactory(
            username="t_cutting_lead", roles=["cutting"], supervises=["CUTTING"]
        ),
        "embroidery": UserFactory(username="t_embroidery", roles=["embroidery"]),
        "sewing": UserFactory(username="t_sewing", roles=["sewing"]),
        "sewing_lead": UserFactory(
            username="t_sewing_lead", roles=["sewing"], supervises=["SEWING"]
        ),
        "finishing": UserFactory(username="t_finishing", roles=["finishing"]),
        "finishing_lead": UserFactory(
            username="t_finishing_lead", roles=["finishing"], supervises=["FINISHING"]
        ),
        "packing": UserFactory(username="t_packing", roles=["packing"]),
        "ppic": UserFactory(username="t_ppic", roles=["ppic"]),
        "manager": UserFactory(username="t_manager", roles=["manager"]),
        "qc": UserFactory(username="t_qc", roles=["qc_inspector"]),
        "qc_lead": UserFactory(
            username="t_qc_lead", roles=["qc_inspector"], supervises=["QUALITY"]
        ),
        "qc_lab": UserFactory(username="t_qc_lab", roles=["qc_lab"]),
        "packing_lead": UserFactory(
            username="t_packing_lead", roles=["packing"], supervises=["PACKING"]
        ),
        "warehouse": UserFactory(username="t_warehouse", roles=["warehouse"]),
    }


def released_batches(*, quantity=100, batch_size=None, route="DIRECT", destination="DE-DORT",
                     country="DE", article="BEAR-40"):  # fmt: skip
    planner = UserFactory(username="t_planner", roles=["ppic"])
    mo = mo_create(
        article=ArticleFactory(code=article),
        quantity=quantity,
        destination=DestinationFactory(code=destination, country=country),
        due_date=timezone.localdate() + timedelta(days=30),
        route=route,
        batch_size=batch_size,
        user=planner,
    )
    mo = mo_release(mo=mo, user=planner)
    return list(mo.batches.order_by("sequence"))


def cut(batch, quantity, *, line_code="CUT-1", user=None):
    """Units leave the input bucket into CUTTING, ready to send (what a cut record does)."""
    user = user or UserFactory(username="t_cutting", roles=["cutting"])
    wip_moves(
        [Move(batch, None, Bucket(dept("CUTTING"), "ready", line(line_code)), quantity)],
        reason="cut",
        user=user,
    )


def make_ready(batch, department_code, quantity, *, line_code=None, user=None):
    """Department work done on available units (embroidered, past loop stitch, FG…)."""
    user = user or UserFactory(username="t_manager", roles=["manager"])
    ln = line(line_code) if line_code else None
    d = dept(department_code)
    wip_moves(
        [Move(batch, Bucket(d, "available", ln), Bucket(d, "ready", ln), quantity)],
        reason="work_done",
        user=user,
    )


def balance(batch, department_code, state, line_code=None):
    qs = WipBalance.objects.filter(batch=batch, department__code=department_code, state=state)
    if line_code:
        qs = qs.filter(line__code=line_code)
    return sum(qs.values_list("quantity", flat=True))


def assert_batch_sums_to_cut(batch):
    """Every unit is in exactly one bucket: the balances add up to what left input, none < 0."""
    quantities = list(WipBalance.objects.filter(batch=batch).values_list("quantity", flat=True))
    assert all(q >= 0 for q in quantities)
    from transfers.ledger import batch_units_out_of_input, reconcile

    assert sum(quantities) == batch_units_out_of_input(batch.pk) <= batch.quantity
    assert reconcile([batch.pk]) == []
