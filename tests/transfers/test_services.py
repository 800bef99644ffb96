"""The QT-09 state machine: every move of the state table, its WIP effect and its event;
forbidden moves answer 409 and change nothing; actor rules answer 403."""

import pytest

from dashboard.models import Alert
from erp.common.errors import ApplicationError
from tests.transfers.helpers import (
    assert_batch_sums_to_cut,
    balance,
    cut,
    dept,
    line,
    released_batches,
    users,
)
from transfers import services
from transfers.models import Transfer, TransferState, WipMovement

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
S = TransferState


@pytest.fixture
def cast():
    return users()


@pytest.fixture
def batch():
    b = released_batches(quantity=100)[0]
    cut(b, 100)
    return b


def prepare(batch, cast, qty=60, to_line="SEW-1", user="cutting", **kw):
    return services.transfer_prepare(
        batch=batch,
        from_department=dept(kw.pop("from_code", "CUTTING")),
        to_department=dept(kw.pop("to_code", "SEWING")),
        to_line=line(to_line) if to_line else None,
        quantity=qty,
        user=cast[user],
        **kw,
    )


def events(transfer):
    return list(transfer.events.values_list("action", "from_state", "to_state"))


def refuses(code, fn, status=409):
    with pytest.raises(ApplicationError) as info:
        fn()
    assert info.value.code == code, info.value.message
    assert info.value.status == status
    return info.value


# --- prepare ---------------------------------------------------------------------------------
def test_prepare_locks_the_quantity_at_the_sender_and_issues_a_slip(batch, cast):
    t = prepare(batch, cast)
    assert t.state == S.IN_TRANSIT and len(t.slip_code) == 24
    assert balance(batch, "CUTTING", "ready") == 40
    assert balance(batch, "CUTTING", "locked") == 60
    assert t.from_line.code == "CUT-1"
    assert events(t) == [("prepare", "", "IN_TRANSIT")]
    assert_batch_sums_to_cut(batch)


def test_prepare_more_than_sendable_is_insufficient_wip_and_locks_nothing(batch, cast):
    refuses("insufficient_wip", lambda: prepare(batch, cast, qty=101))
    assert Transfer.objects.count() == 0
    assert balance(batch, "CUTTING", "ready") == 100


def test_prepare_off_route_is_route_violation(batch, cast):
    refuses("route_violation", lambda: prepare(batch, cast, to_code="FINISHING", to_line="FIN-1"))
    refuses(
        "route_violation",
        lambda: prepare(batch, cast, to_code="EMBROIDERY", to_line="EMB-1"),  # DIRECT skips it
    )
    assert Transfer.objects.count() == 0


def test_a_full_route_batch_may_not_skip_embroidery(cast):
    b = released_batches(quantity=10, route="FULL")[0]
    cut(b, 10)
    refuses("route_violation", lambda: prepare(b, cast, qty=10, to_code="SEWING"))
    assert prepare(b, cast, qty=10, to_code="EMBROIDERY", to_line="EMB-1").state == S.IN_TRANSIT


def test_prepare_needs_the_receiving_line_when_the_receiver_has_lines(batch, cast):
    refuses("invalid", lambda: prepare(batch, cast, to_line=None), status=400)
    refuses("invalid", lambda: prepare(batch, cast, to_line="FIN-1"), status=400)


def test_only_the_sending_department_prepares(batch, cast):
    refuses("permission_denied", lambda: prepare(batch, cast, user="sewing"), status=403)
    refuses("permission_denied", lambda: prepare(batch, cast, user="qc"), status=403)
    assert prepare(batch, cast, user="manager").state == S.IN_TRANSIT


def test_quarantined_units_block_the_batch_from_leaving(batch, cast):
    from transfers.ledger import Bucket, wip_move

    wip_move(
        batch=batch,
        source=Bucket(dept("CUTTING"), "ready", line("CUT-1")),
        target=Bucket(dept("CUTTING"), "quarantined", line("CUT-1")),
        quantity=1,
        reason="test",
        user=cast["manager"],
    )
    refuses("batch_quarantined", lambda: prepare(batch, cast, qty=10))


# --- accept ----------------------------------------------------------------------------------
def test_accept_with_the_same_count_moves_the_units_to_the_receiver(batch, cast):
    t = prepare(batch, cast)
    t = services.transfer_accept(slip_code=t.slip_code, quantity_received=60, user=cast["sewing"])
    assert t.state == S.ACCEPTED and t.accepted_by == cast["sewing"]
    assert balance(batch, "CUTTING", "locked") == 0
    assert balance(batch, "SEWING", "available", "SEW-1") == 60
    assert events(t) == [("prepare", "", "IN_TRANSIT"), ("accept", "IN_TRANSIT", "ACCEPTED")]
    assert_batch_sums_to_cut(batch)


def test_accepting_twice_moves_nothing_and_says_who_and_when(batch, cast):
    t = prepare(batch, cast)
    services.transfer_accept(slip_code=t.slip_code, quantity_received=60, user=cast["sewing"])
    moves = WipMovement.objects.count()
    error = refuses(
        "already_accepted",
        lambda: services.transfer_accept(
            slip_code=t.slip_code, quantity_received=60, user=cast["sewing"]
        ),
    )
    assert error.fields["accepted_by"] == "t_sewing" and error.fields["accepted_at"]
    assert WipMovement.objects.count() == moves
    assert balance(batch, "SEWING", "available") == 60


def test_accept_with_a_lower_count_is_held_with_a_p1_alert_for_both_ends(batch, cast):
    t = prepare(batch, cast)
    t = services.transfer_accept(slip_code=t.slip_code, quantity_received=58, user=cast["sewing"])
    assert t.state == S.HELD and t.quantity_received == 58
    assert balance(batch, "CUTTING", "locked") == 60  # nothing moves until the supervisor decides
    alert = Alert.objects.get(kind="QTY_DISCREPANCY")
    assert alert.priority == "P1"
    assert sorted(alert.departments.values_list("code", flat=True)) == ["CUTTING", "SEWING"]


def test_a_count_above_sent_is_400_count_exceeds_sent(batch, cast):
    t = prepare(batch, cast)
    refuses(
        "count_exceeds_sent",
        lambda: services.transfer_accept(
            slip_code=t.slip_code, quantity_received=61, user=cast["sewing"]
        ),
        status=400,
    )
    assert Transfer.objects.get(pk=t.pk).state == S.IN_TRANSIT


def test_an_unknown_slip_is_404_and_only_the_receiver_accepts(batch, cast):
    refuses(
        "slip_not_found",
        lambda: services.transfer_accept(
            slip_code="NOPE", quantity_received=1, user=cast["sewing"]
        ),
        status=404,
    )
    t = prepare(batch, cast)
    refuses(
        "permission_denied",
        lambda: services.transfer_accept(
            slip_code=t.slip_code, quantity_received=60, user=cast["cutting"]
        ),
        status=403,
    )
    refuses(
        "permission_denied",
        lambda: services.transfer_accept(
            slip_code=t.slip_code, quantity_received=60, user=cast["finishing"]
        ),
        status=403,
    )


# --- approve ---------------------------------------------------------------------------------
def held(batch, cast, counted=58):
    t = prepare(batch, cast)
    return services.transfer_accept(
        slip_code=t.slip_code, quantity_received=counted, user=cast["sewing"]
    )


def test_approve_with_return_sends_the_rest_back_to_the_sender(batch, cast):
    t = held(batch, cast)
    t = services.transfer_approve(
        transfer=t, quantity=58, remainder="return", reason="2 left on the trolley",
        user=cast["sewing_lead"],
    )  # fmt: skip
    assert t.state == S.ACCEPTED
    assert balance(batch, "SEWING", "available") == 58
    assert balance(batch, "CUTTING", "ready") == 42  # 40 + 2 back
    assert balance(batch, "CUTTING", "locked") == 0
    assert Alert.objects.get(kind="QTY_DISCREPANCY").resolved_at is not None
    assert events(t)[-1] == ("approve", "HELD", "ACCEPTED")
    assert_batch_sums_to_cut(batch)


def test_approve_with_write_off_writes_the_rest_off(batch, cast):
    t = held(batch, cast, counted=55)
    services.transfer_approve(
        transfer=t, quantity=55, remainder="write_off", reason="lost", user=cast["manager"]
    )
    assert balance(batch, "CUTTING", "written_off") == 5
    assert balance(batch, "SEWING", "available") == 55
    assert_batch_sums_to_cut(batch)


def test_only_a_receiving_supervisor_or_manager_approves(batch, cast):
    t = held(batch, cast)
    for who in ("sewing", "cutting_lead", "finishing_lead"):
        refuses(
            "permission_denied",
            lambda who=who: services.transfer_approve(
                transfer=t, quantity=58, remainder="return", reason="x", user=cast[who]
            ),
            status=403,
        )
    refuses(
        "invalid",
        lambda: services.transfer_approve(
            transfer=t, quantity=58, remainder="return", reason="  ", user=cast["sewing_lead"]
        ),
        status=400,
    )
    refuses(
        "count_exceeds_sent",
        lambda: services.transfer_approve(
            transfer=t, quantity=61, remainder="return", reason="x", user=cast["sewing_lead"]
        ),
        status=400,
    )
    assert Transfer.objects.get(pk=t.pk).state == S.HELD


def test_approve_of_a_transfer_in_transit_is_invalid(batch, cast):
    t = prepare(batch, cast)
    refuses(
        "invalid_transition",
        lambda: services.transfer_approve(
            transfer=t, quantity=60, remainder="return", reason="x", user=cast["sewing_lead"]
        ),
    )


# --- reject, cancel, retry ------------------------------------------------------------------
@pytest.mark.parametrize("from_held", [False, True])
def test_reject_returns_the_units_to_the_sender(batch, cast, from_held):
    t = held(batch, cast) if from_held else prepare(batch, cast)
    refuses(
        "permission_denied",
        lambda: services.transfer_reject(transfer=t, reason="wrong batch", user=cast["cutting"]),
        status=403,
    )
    t = services.transfer_reject(transfer=t, reason="wrong batch", user=cast["sewing"])
    assert t.state == S.REJECTED
    assert balance(batch, "CUTTING", "ready") == 100
    assert events(t)[-1][0] == "reject"
    assert_batch_sums_to_cut(batch)


def test_cancel_by_the_sender_unlocks_and_nothing_after_a_terminal_state(batch, cast):
    t = prepare(batch, cast)
    refuses(
        "permission_denied",
        lambda: services.transfer_cancel(transfer=t, user=cast["sewing"]),
        status=403,
    )
    t = services.transfer_cancel(transfer=t, user=cast["cutting"], reason="wrong line")
    assert t.state == S.CANCELLED
    assert balance(batch, "CUTTING", "ready") == 100
    for action in (
        lambda: services.transfer_cancel(transfer=t, user=cast["cutting"]),
        lambda: services.transfer_retry(transfer=t, user=cast["cutting"]),
        lambda: services.transfer_reject(transfer=t, reason="x", user=cast["sewing"]),
        lambda: services.transfer_accept(
            slip_code=t.slip_code, quantity_received=60, user=cast["sewing"]
        ),
    ):
        moves = WipMovement.objects.count()
        refuses("invalid_transition", action)
        assert WipMovement.objects.count() == moves


def test_a_held_transfer_cannot_be_cancelled_or_accepted_again(batch, cast):
    t = held(batch, cast)
    refuses(
        "invalid_transition", lambda: services.transfer_cancel(transfer=t, user=cast["cutting"])
    )
    refuses(
        "invalid_transition",
        lambda: services.transfer_accept(
            slip_code=t.slip_code, quantity_received=60, user=cast["sewing"]
        ),
    )


def test_accepted_is_terminal(batch, cast):
    t = prepare(batch, cast)
    services.transfer_accept(slip_code=t.slip_code, quantity_received=60, user=cast["sewing"])
    refuses(
        "invalid_transition", lambda: services.transfer_cancel(transfer=t, user=cast["cutting"])
    )
    refuses(
        "invalid_transition",
        lambda: services.transfer_reject(transfer=t, reason="x", user=cast["sewing"]),
    )


def test_the_state_table_is_data():
    assert services.ALLOWED[S.BLOCKED] == {S.IN_TRANSIT, S.BLOCKED, S.CANCELLED}
    assert services.ALLOWED[S.IN_TRANSIT] == {S.ACCEPTED, S.HELD, S.REJECTED, S.CANCELLED}
    assert services.ALLOWED[S.HELD] == {S.ACCEPTED, S.REJECTED}
    assert all(not services.ALLOWED[s] for s in (S.ACCEPTED, S.REJECTED, S.CANCELLED))


def test_the_signal_carries_old_and_new_state(batch, cast):
    from transfers.signals import transfer_state_changed

    seen = []

    def receiver(sender, transfer, old, new, user, **kwargs):
        seen.append((old, new))

    transfer_state_changed.connect(receiver)
    try:
        t = prepare(batch, cast)
        services.transfer_accept(slip_code=t.slip_code, quantity_received=60, user=cast["sewing"])
    finally:
        transfer_state_changed.disconnect(receiver)
    assert seen == [(None, "IN_TRANSIT"), ("IN_TRANSIT", "ACCEPTED")]


def test_slip_codes_are_unguessable_and_unique(batch, cast):
    codes = {prepare(batch, cast, qty=1).slip_code for _ in range(20)}
    assert len(codes) == 20
    assert all(len(c) == 24 and c.isalnum() and c.isupper() for c in codes)
