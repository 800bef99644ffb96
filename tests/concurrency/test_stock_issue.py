"""Twenty concurrent issues against stock for ten (threads on PostgreSQL)."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from erp.common.errors import ApplicationError
from tests.concurrency.helpers import run_concurrently
from tests.factories import ArticleFactory, UserFactory
from tests.warehouse.helpers import cutting_spk, receive, released_mo
from warehouse.models import StockLot
from warehouse.services import stock_issue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_concurrent_issues_against_stock_for_ten_exactly_ten_succeed():
    article = ArticleFactory(code="BEAR-40")
    spks = [cutting_spk(released_mo(quantity=100, article=article)) for _ in range(20)]
    # 26 m each; one dye lot of 260 m in four rolls
    for i, metres in enumerate(["80", "70", "60", "50"]):
        receive("PLUSH-BRN", f"R-{i}", metres, dye_lot="D1", days_ago=10 - i)
    clerk = UserFactory(username="gudang2", roles=["warehouse"])

    def issue_for(spk):
        return lambda: stock_issue(work_order=spk, user=clerk)

    results, errors = run_concurrently([issue_for(spk) for spk in spks])

    succeeded = [r for r in results if r is not None]
    refused = [e for e in errors if e is not None]
    assert len(succeeded) == 10
    assert len(refused) == 10
    assert all(isinstance(e, ApplicationError) and e.code == "insufficient_stock" for e in refused)
    lots = StockLot.objects.all()
    assert all(lot.quantity_on_hand >= 0 for lot in lots)
    assert sum(lot.quantity_on_hand for lot in lots) == Decimal("0")
    for lot in lots:
        assert lot.moves.aggregate(s=Sum("quantity"))["s"] == lot.quantity_on_hand
