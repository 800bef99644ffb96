"""Line clearance (DOMAIN.md): each of the three rules blocks when it should, raises a P1
alert to both ends, and lets a retry through once cleared."""

import pytest

from dashboard.models import Alert
from erp.common.errors import ApplicationError
from tests.transfers.helpers import (
    assert_batch_sums_to_cut,
    cut,
    dept,
    line,
    make_ready,
    released_batches,
    users,
)
from transfers import services
from transfers.models import TransferState

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
S = TransferState


@pytest.fixture
def cast():
    return users()


def send(batch, cast, frm, to, to_line, qty, user, from_line=None):
    return services.transfer_prepare(
        batch=batch,
        from_department=dept(frm),
        to_department=dept(to),
        to_line=line(to_line),
        from_line=line(from_line) if from_line else None,
        quantity=qty,
        user=cast[user],
    )


def accept(t, cast, user):
    return services.transfer_accept(
        slip_code=t.slip_code, quantity_received=t.quantity, user=cast[user]
    )


def test_sewing_line_with_another_batch_blocks_and_a_clearance_lets_the_retry_through(cast):
    first, second = released_batches(quantity=200, batch_size=100)
    cut(first, 100)
    cut(second, 100)
    accept(send(first, cast, "CUTTING", "SEWING", "SEW-2", 100, "cutting"), cast, "sewing")

    blocked = send(second, cast, "CUTTING", "SEWING", "SEW-2", 100, "cutting")
    assert blocked.state == S.BLOCKED and blocked.slip_code is None
    assert first.number in blocked.blocked_reason
    alert = Alert.objects.get(kind="LINE_BLOCKED")
    assert alert.priority == "P1" and alert.line.code == "SEW-2"
    assert sorted(alert.departments.values_list("code", flat=True)) == ["CUTTING", "SEWING"]

    still = services.transfer_retry(transfer=blocked, user=cast["cutting"])
    assert still.state == S.BLOCKED

    with pytest.raises(ApplicationError) as refused:
        services.line_clearance_record(line=line("SEW-2"), note="checked", user=cast["sewing"])
    assert refused.value.status == 403
    services.line_clearance_record(
        line=line("SEW-2"), note="B01 moved to the rework rack", user=cast["sewing_lead"]
    )
    passed = services.transfer_retry(transfer=blocked, user=cast["cutting"])
    assert passed.state == S.IN_TRANSIT and passed.slip_code
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert [e.action for e in passed.events.all()] == ["prepare", "retry", "retry"]
    assert_batch_sums_to_cut(second)


def test_transfers_on_their_way_occupy_the_line_too(cast):
    first, second = released_batches(quantity=20, batch_size=10)
    cut(first, 10)
    cut(second, 10)
    send(first, cast, "CUTTING", "SEWING", "SEW-1", 10, "cutting")  # in transit, not accepted
    assert send(second, cast, "CUTTING", "SEWING", "SEW-1", 5, "cutting").state == S.BLOCKED
    assert send(second, cast, "CUTTING", "SEWING", "SEW-3", 5, "cutting").state == S.IN_TRANSIT


def test_a_clearance_covers_the_batches_present_then_not_later_arrivals(cast):
    a, b, c = released_batches(quantity=30, batch_size=10)
    for x in (a, b, c):
        cut(x, 10)
    accept(send(a, cast, "CUTTING", "SEWING", "SEW-4", 10, "cutting"), cast, "sewing")
    services.line_clearance_record(line=line("SEW-4"), note="a cleared", user=cast["manager"])
    assert send(b, cast, "CUTTING", "SEWING", "SEW-4", 10, "cutting").state == S.IN_TRANSIT
    # b is now on its way to SEW-4 and was not covered by the clearance: c is blocked
    assert send(c, cast, "CUTTING", "SEWING", "SEW-4", 10, "cutting").state == S.BLOCKED


def test_the_same_batch_may_follow_itself_onto_its_line(cast):
    (batch,) = released_batches(quantity=100)
    cut(batch, 100)
    accept(send(batch, cast, "CUTTING", "SEWING", "SEW-1", 50, "cutting"), cast, "sewing")
    assert send(batch, cast, "CUTTING", "SEWING", "SEW-1", 50, "cutting").state == S.IN_TRANSIT


def _at_sewing_ready(batch, cast, sew_line, qty):
    cut(batch, qty)
    accept(send(batch, cast, "CUTTING", "SEWING", sew_line, qty, "cutting"), cast, "sewing")
    make_ready(batch, "SEWING", qty, line_code=sew_line)


def test_finishing_line_is_segregated_by_destination(cast):
    (de,) = released_batches(quantity=10, destination="DE-DORT", country="DE")
    (de2,) = released_batches(quantity=10, destination="DE-DORT", country="DE")
    (se,) = released_batches(quantity=10, destination="SE-ALM", country="SE")
    _at_sewing_ready(de, cast, "SEW-1", 10)
    _at_sewing_ready(de2, cast, "SEW-2", 10)
    _at_sewing_ready(se, cast, "SEW-3", 10)
    accept(send(de, cast, "SEWING", "FINISHING", "FIN-1", 10, "sewing"), cast, "finishing")

    same_destination = send(de2, cast, "SEWING", "FINISHING", "FIN-1", 10, "sewing")
    assert same_destination.state == S.IN_TRANSIT  # mixing batches of one destination is allowed
    other = send(se, cast, "SEWING", "FINISHING", "FIN-1", 10, "sewing")
    assert other.state == S.BLOCKED
    assert "SE" in other.blocked_reason and "DE" in other.blocked_reason
    assert Alert.objects.filter(kind="LINE_BLOCKED", resolved_at__isnull=True).count() == 1
    services.line_clearance_record(
        line=line("FIN-1"), note="DE moved to FIN-2", user=cast["finishing_lead"]
    )
    assert services.transfer_retry(transfer=other, user=cast["sewing"]).state == S.IN_TRANSIT


def test_packing_line_must_not_be_occupied_by_another_batch(cast):
    first, second = released_batches(quantity=20, batch_size=10)
    for b, sew_line in ((first, "SEW-1"), (second, "SEW-2")):
        _at_sewing_ready(b, cast, sew_line, 10)
        accept(send(b, cast, "SEWING", "FINISHING", "FIN-2", 10, "sewing"), cast, "finishing")
        make_ready(b, "FINISHING", 10, line_code="FIN-2")
    accept(
        send(first, cast, "FINISHING", "PACKING", "PCK-1", 10, "finishing", from_line="FIN-2"),
        cast,
        "packing",
    )
    blocked = send(
        second, cast, "FINISHING", "PACKING", "PCK-1", 10, "finishing", from_line="FIN-2"
    )
    assert blocked.state == S.BLOCKED
    cancelled = services.transfer_cancel(transfer=blocked, user=cast["finishing"])
    assert cancelled.state == S.CANCELLED
    assert Alert.objects.get(kind="LINE_BLOCKED").resolved_at is not None
    other_line = send(
        second, cast, "FINISHING", "PACKING", "PCK-2", 10, "finishing", from_line="FIN-2"
    )
    assert other_line.state == S.IN_TRANSIT


def test_cutting_subcon_and_warehouses_have_no_rule(cast):
    from ppic.models import Vendor

    vendor, _ = Vendor.objects.get_or_create(code="V-EMB", defaults={"name": "Bordir Jaya"})
    a, b = released_batches(quantity=20, batch_size=10, route="SUBCON")
    cut(a, 10)
    cut(b, 10)
    for x in (a, b):
        t = services.transfer_prepare(
            batch=x, from_department=dept("CUTTING"), to_department=dept("SUBCON"),
            quantity=10, user=cast["cutting"], vendor=vendor,
        )  # fmt: skip
        assert t.state == S.IN_TRANSIT
