"""Bundle tickets: a cut record split into bundles of the article's size, printed 50 × 80 mm."""

import pytest
from rest_framework.test import APIClient

from cutting.bundles import bundles_for_cut
from cutting.models import Bundle
from cutting.services import cut_output_record
from tests.transfers.helpers import released_batches, users
from tests.warehouse.helpers import receive
from warehouse.services import stock_issue

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def cast():
    return users()


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def cut_record(cast, quantity, *, batch_quantity=100, lots=None, batch=None):
    batch = batch or released_batches(quantity=batch_quantity)[0]
    return cut_output_record(batch=batch, quantity=quantity, user=cast["cutting"], lots=lots)


def test_100_cut_with_bundle_size_20_makes_5_bundles_of_20(cast):
    record = cut_record(cast, 100)
    bundles = bundles_for_cut(cut_record=record, user=cast["cutting"])
    assert [(b.number, b.total, b.quantity) for b in bundles] == [(n, 5, 20) for n in range(1, 6)]
    assert all(b.batch_id == record.batch_id and b.dye_lot == "" for b in bundles)
    assert len({b.code for b in bundles}) == 5 and all(len(b.code) >= 20 for b in bundles)


def test_45_cut_makes_20_20_5_and_the_article_size_counts(cast):
    record = cut_record(cast, 45)
    assert [b.quantity for b in bundles_for_cut(cut_record=record, user=cast["cutting"])] == [
        20, 20, 5,
    ]  # fmt: skip
    (batch,) = released_batches(quantity=30, article="BEAR-12")
    batch.mo.article.bundle_size = 12
    batch.mo.article.save()
    other = cut_output_record(batch=batch, quantity=30, user=cast["cutting"])
    assert [b.quantity for b in bundles_for_cut(cut_record=other, user=cast["cutting"])] == [
        12, 12, 6,
    ]  # fmt: skip


def test_bundles_for_cut_twice_creates_nothing_new(cast):
    record = cut_record(cast, 45)
    first = bundles_for_cut(cut_record=record, user=cast["cutting"])
    again = bundles_for_cut(cut_record=record, user=cast["cutting_lead"])
    assert [b.pk for b in again] == [b.pk for b in first]
    assert Bundle.objects.count() == 3


def test_bundles_carry_the_dye_lot_of_the_cut_lots(cast):
    (batch,) = released_batches(quantity=100)
    lot = receive("PLUSH-BRN", "R-1", "100", dye_lot="DL-77", days_ago=2)
    stock_issue(
        work_order=batch.mo.work_orders.get(department__code="CUTTING"), user=cast["manager"]
    )
    record = cut_record(cast, 30, batch=batch, lots=[lot])
    assert {b.dye_lot for b in bundles_for_cut(cut_record=record, user=cast["cutting"])} == {
        "DL-77"
    }


def test_only_cutting_makes_bundles(cast):
    from erp.common.errors import ApplicationError

    record = cut_record(cast, 20)
    with pytest.raises(ApplicationError) as refused:
        bundles_for_cut(cut_record=record, user=cast["sewing"])
    assert refused.value.status == 403
    assert not Bundle.objects.exists()


def test_tickets_page_shows_one_ticket_per_bundle_with_a_qr(cast, client):
    record = cut_record(cast, 45)
    client.force_login(cast["cutting"])
    response = client.get(f"/cutting/bundles/{record.pk}/tickets/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="bundle-ticket"') == 3
    assert html.count("<svg") == 3
    for label in ("1/3", "2/3", "3/3"):
        assert label in html
    assert "@page { size: 50mm 80mm" in html
    assert record.batch.number in html and record.batch.mo.destination.country in html
    assert record.batch.mo.article.code in html
    # opening again prints the same bundles
    again = client.get(f"/cutting/bundles/{record.pk}/tickets/").content.decode()
    assert Bundle.objects.count() == 3
    for bundle in Bundle.objects.all():
        assert bundle.code in html and bundle.code in again


def test_tickets_page_is_403_for_sewing_and_404_for_an_unknown_cut(cast, client):
    record = cut_record(cast, 20)
    client.force_login(cast["sewing"])
    assert client.get(f"/cutting/bundles/{record.pk}/tickets/").status_code == 403
    assert not Bundle.objects.exists()
    client.force_login(cast["manager"])
    assert client.get("/cutting/bundles/999999/tickets/").status_code == 404


def test_bundles_api_creates_once_and_answers_the_list(cast):
    record = cut_record(cast, 45)
    cutter = client_for(cast["cutting"])
    url = f"/api/v1/cutting/outputs/{record.pk}/bundles/"
    first = cutter.post(url, {}, format="json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["count"] == 3 and body["batch"] == record.batch.number
    assert [(b["number"], b["total"], b["quantity"]) for b in body["bundles"]] == [
        (1, 3, 20), (2, 3, 20), (3, 3, 5),
    ]  # fmt: skip
    second = cutter.post(url, {}, format="json")
    assert second.status_code == 201
    assert [b["code"] for b in second.json()["bundles"]] == [b["code"] for b in body["bundles"]]
    assert Bundle.objects.count() == 3
    assert client_for(cast["sewing"]).post(url, {}, format="json").status_code == 403
    assert cutter.post("/api/v1/cutting/outputs/999999/bundles/", {}).status_code == 404


def test_a_scanner_looks_a_bundle_up_by_its_code(cast):
    record = cut_record(cast, 45)
    bundle = bundles_for_cut(cut_record=record, user=cast["cutting"])[2]
    response = client_for(cast["sewing"]).get(f"/api/v1/bundles/{bundle.code}/")
    assert response.status_code == 200
    assert response.json() | {} == {
        "code": bundle.code,
        "batch": record.batch.number,
        "article": record.batch.mo.article.code,
        "cut_record": record.pk,
        "number": 3,
        "total": 3,
        "label": "3/3",
        "quantity": 5,
        "dye_lot": "",
    }
    assert client_for(cast["sewing"]).get("/api/v1/bundles/NOPE/").status_code == 404
    assert APIClient().get(f"/api/v1/bundles/{bundle.code}/").status_code in (401, 403)
