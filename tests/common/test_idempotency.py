import threading

import pytest
from django.db import connections
from rest_framework.test import APIClient

from erp.common.models import IdempotencyRecord
from transfers.models import Line

URL = "/api/v1/test-lines/"
pytestmark = [pytest.mark.urls("tests.common.idempotency_urls"), pytest.mark.smoke]


@pytest.fixture
def operator_client(make_user):
    client = APIClient()
    client.force_authenticate(make_user("siti", roles=["sewing"]))
    return client


def post(client, body, key):
    return client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_the_same_key_twice_records_once_and_answers_the_same(operator_client):
    first = post(operator_client, {"code": "T-1"}, "k-1")
    second = post(operator_client, {"code": "T-1"}, "k-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Line.objects.filter(code="T-1").count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_409(operator_client):
    post(operator_client, {"code": "T-1"}, "k-1")
    response = post(operator_client, {"code": "T-2"}, "k-1")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert not Line.objects.filter(code="T-2").exists()


@pytest.mark.django_db
def test_a_4xx_answer_is_replayed_too(operator_client):
    post(operator_client, {"code": "T-1"}, "k-1")
    refused = post(operator_client, {"code": "T-1"}, "k-2")
    assert refused.status_code == 409
    Line.objects.filter(code="T-1").delete()
    again = post(operator_client, {"code": "T-1"}, "k-2")
    assert again.status_code == 409 and again.json() == refused.json()
    assert not Line.objects.filter(code="T-1").exists()
    invalid = post(operator_client, {}, "k-3")
    assert invalid.status_code == 400
    assert post(operator_client, {}, "k-3").json() == invalid.json()


@pytest.mark.django_db
def test_keys_belong_to_one_user(operator_client, make_user):
    post(operator_client, {"code": "T-1"}, "k-1")
    other = APIClient()
    other.force_authenticate(make_user("dewi", roles=["sewing"]))
    response = post(other, {"code": "T-1"}, "k-1")
    assert response.status_code == 409 and response.json()["error"]["code"] == "duplicate"


@pytest.mark.django_db
def test_without_a_key_every_post_runs(operator_client):
    assert operator_client.post(URL, {"code": "T-1"}, format="json").status_code == 201
    assert operator_client.post(URL, {"code": "T-1"}, format="json").status_code == 409
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.django_db
def test_an_overlong_key_is_400(operator_client):
    response = post(operator_client, {"code": "T-1"}, "k" * 101)
    assert response.status_code == 400
    assert not Line.objects.filter(code="T-1").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_record_once_and_get_the_same_answer(make_user):
    user = make_user("siti", roles=["sewing"])
    barrier = threading.Barrier(4)
    answers = []

    def worker():
        client = APIClient()
        client.force_authenticate(user)
        barrier.wait()
        try:
            response = post(client, {"code": "T-9"}, "same-key")
            answers.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(answers) == 4
    assert {status for status, _ in answers} == {201}
    assert len({body["id"] for _, body in answers}) == 1
    assert Line.objects.filter(code="T-9").count() == 1


def test_purge_forgets_old_answers(db, operator_client):
    from datetime import timedelta

    from django.utils import timezone

    from erp.common.tasks import idempotency_purge

    post(operator_client, {"code": "T-1"}, "k-1")
    post(operator_client, {"code": "T-2"}, "k-2")
    IdempotencyRecord.objects.filter(key="k-1").update(
        created_at=timezone.now() - timedelta(hours=49)
    )
    assert idempotency_purge.delay().get() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k-2"]
