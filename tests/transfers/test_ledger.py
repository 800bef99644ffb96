import pytest
from django.core.management import CommandError, call_command

from erp.common.errors import ApplicationError
from tests.transfers.helpers import cut, dept, line, released_batches, users
from transfers.ledger import Bucket, wip_move
from transfers.models import WipBalance, WipMovement

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_cutting_more_than_the_batch_is_refused():
    (batch,) = released_batches(quantity=50)
    cut(batch, 30)
    with pytest.raises(ApplicationError) as info:
        cut(batch, 21)
    assert info.value.code == "exceeds_batch"
    cut(batch, 20)
    assert sum(WipBalance.objects.filter(batch=batch).values_list("quantity", flat=True)) == 50


def test_no_bucket_goes_negative():
    (batch,) = released_batches(quantity=50)
    cut(batch, 10)
    with pytest.raises(ApplicationError) as info:
        wip_move(
            batch=batch,
            source=Bucket(dept("CUTTING"), "ready", line("CUT-1")),
            target=Bucket(dept("CUTTING"), "scrap"),
            quantity=11,
            reason="scrap",
            user=users()["manager"],
        )
    assert info.value.code == "insufficient_wip"


def test_movements_are_append_only():
    (batch,) = released_batches(quantity=5)
    cut(batch, 5)
    movement = WipMovement.objects.get()
    with pytest.raises(RuntimeError):
        movement.save()
    with pytest.raises(RuntimeError):
        movement.delete()


def test_wip_reconcile_reports_nothing_then_a_tampered_balance(capsys):
    (batch,) = released_batches(quantity=5)
    cut(batch, 5)
    call_command("wip_reconcile")
    assert "agree" in capsys.readouterr().out
    WipBalance.objects.filter(batch=batch).update(quantity=4)
    with pytest.raises(CommandError):
        call_command("wip_reconcile")
    assert "ledger=5 balance=4" in capsys.readouterr().out


@pytest.mark.postgres
def test_the_database_refuses_to_edit_the_wip_ledger():
    from django.db import DatabaseError, transaction

    (batch,) = released_batches(quantity=5)
    cut(batch, 5)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        WipMovement.objects.update(quantity=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        WipMovement.objects.all()._raw_delete(WipMovement.objects.db)
