from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from ppic.services import mo_create, mo_release
from tests.factories import ArticleFactory, DestinationFactory, MaterialFactory, UserFactory
from warehouse.services import stock_receive


def released_mo(*, quantity=100, batch_size=None, article=None, route="DIRECT"):
    """A released MO of ``quantity`` bears (0.25 m plush +4 % → 26 m per 100)."""
    planner = UserFactory(username="planner", roles=["ppic"])
    mo = mo_create(
        article=article or ArticleFactory(code="BEAR-40"),
        quantity=quantity,
        destination=DestinationFactory(code="DE-DORT"),
        due_date=timezone.localdate() + timedelta(days=30),
        route=route,
        batch_size=batch_size,
        user=planner,
    )
    return mo_release(mo=mo, user=planner)


def cutting_spk(mo):
    return mo.work_orders.get(department__code="CUTTING")


def receive(code, lot, quantity, *, dye_lot="", days_ago=0, kind="fabric", points=None):
    material = MaterialFactory(code=code, kind=kind)
    return stock_receive(
        material=material,
        lot_number=lot,
        dye_lot=dye_lot,
        quantity=Decimal(quantity),
        received_at=timezone.now() - timedelta(days=days_ago),
        inspection_points=Decimal(points) if points is not None else None,
        user=UserFactory(username="gudang", roles=["warehouse"]),
    )
