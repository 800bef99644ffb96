"""QT-09 under concurrency, threads on PostgreSQL (each thread its own connection)."""

import pytest
from django.db import DatabaseError

from erp.common.errors import ApplicationError
from tests.concurrency.helpers import run_concurrently
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

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
S = TransferState


def no_database_errors(errors):
    leaked = [e for e in errors if isinstance(e, DatabaseError)]
    assert leaked == [], leaked  # deadlocks or constraint violations must never reach callers


def test_twenty_simultaneous_scans_of_one_slip_accept_once():
    cast = users()
    (batch,) = released_batches(quantity=100)
    cut(batch, 100)
    t = services.transfer_prepare(
        batch=batch, from_department=dept("CUTTING"), to_department=dept("SEWING"),
        to_line=line("SEW-1"), quantity=100, user=cast["cutting"],
    )  # fmt: skip

    def scan():
        return services.transfer_accept(
            slip_code=t.slip_code, quantity_received=100, user=cast["sewing"]
        )

    results, errors = run_concurrently([scan] * 20)
    no_database_errors(errors)
    assert sum(1 for r in results if r is not None) == 1
    assert all(
        isinstance(e, ApplicationError) and e.code == "already_accepted" for e in errors if e
    )
    assert Transfer.objects.get(pk=t.pk).state == S.ACCEPTED
    assert WipMovement.objects.filter(reason="transfer_accept").count() == 1
    assert balance(batch, "SEWING", "available") == 100
    assert_batch_sums_to_cut(batch)


def test_thirty_simultaneous_prepares_of_ten_from_a_hundred_exactly_ten_succeed():
    cast = users()
    (batch,) = released_batches(quantity=100)
    cut(batch, 100)
    lines = ["SEW-1", "SEW-2", "SEW-3"]

    def prepare(i):
        return lambda: services.transfer_prepare(
            batch=batch, from_department=dept("CUTTING"), to_department=dept("SEWING"),
            to_line=line(lines[i % 3]), quantity=10, user=cast["cutting"],
        )  # fmt: skip

    results, errors = run_concurrently([prepare(i) for i in range(30)])
    no_database_errors(errors)
    assert sum(1 for r in results if r is not None) == 10
    assert all(
        isinstance(e, ApplicationError) and e.code == "insufficient_wip" for e in errors if e
    )
    assert balance(batch, "CUTTING", "locked") == 100
    assert balance(batch, "CUTTING", "ready") == 0
    assert_batch_sums_to_cut(batch)


def test_accept_against_cancel_exactly_one_wins():
    cast = users()
    (batch,) = released_batches(quantity=100)
    cut(batch, 100)
    for _ in range(5):
        t = services.transfer_prepare(
            batch=batch, from_department=dept("CUTTING"), to_department=dept("SEWING"),
            to_line=line("SEW-1"), quantity=10, user=cast["cutting"],
        )  # fmt: skip
        results, errors = run_concurrently(
            [
                lambda t=t: services.transfer_accept(
                    slip_code=t.slip_code, quantity_received=10, user=cast["sewing"]
                ),
                lambda t=t: services.transfer_cancel(transfer=t, user=cast["cutting"]),
            ]
        )
        no_database_errors(errors)
        assert sum(1 for r in results if r is not None) == 1
        loser = next(e for e in errors if e is not None)
        assert isinstance(loser, ApplicationError) and loser.code == "invalid_transition"
        state = Transfer.objects.get(pk=t.pk).state
        assert state in (S.ACCEPTED, S.CANCELLED)
    assert_batch_sums_to_cut(batch)


def test_mixed_concurrent_traffic_on_several_batches_never_deadlocks():
    cast = users()
    batches = released_batches(quantity=400, batch_size=100)
    for b in batches:
        cut(b, 100)
    ready = []
    for i, b in enumerate(batches):
        for _ in range(3):
            ready.append(
                services.transfer_prepare(
                    batch=b,
                    from_department=dept("CUTTING"),
                    to_department=dept("SEWING"),
                    to_line=line(f"SEW-{i + 1}"),
                    quantity=10,
                    user=cast["cutting"],
                )  # fmt: skip
            )
    work = []
    for i, t in enumerate(ready):
        if i % 3 == 0:
            work.append(lambda t=t: services.transfer_cancel(transfer=t, user=cast["cutting"]))
        else:
            work.append(
                lambda t=t: services.transfer_accept(
                    slip_code=t.slip_code, quantity_received=10, user=cast["sewing"]
                )
            )
    for i, b in enumerate(batches):
        work.append(
            lambda b=b, i=i: services.transfer_prepare(
                batch=b,
                from_department=dept("CUTTING"),
                to_department=dept("SEWING"),
                to_line=line(f"SEW-{i + 1}"),
                quantity=5,
                user=cast["cutting"],
            )  # fmt: skip
        )
    results, errors = run_concurrently(work)
    no_database_errors(errors)
    assert not [e for e in errors if e is not None]
    for b in batches:
        assert_batch_sums_to_cut(b)
