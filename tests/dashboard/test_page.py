"""The factory dashboard page: who opens it, what it shows, how it refreshes, and a query
budget that does not grow with the number of batches."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard import summary as summary_module
from tests.dashboard.helpers import accept, hand_over, send, sew
from tests.factories import UserFactory
from tests.transfers.helpers import cut, released_batches, users

pytestmark = [pytest.mark.django_db]

PAGE_BUDGET = 20  # session, user, roles, header alerts + the board's fixed set of queries


def login(client, role):
    client.force_login(UserFactory(username=f"d_{role}", roles=[role]))
    return client


@pytest.mark.smoke
@pytest.mark.parametrize("role", ["manager", "ppic", "admin"])
def test_the_office_roles_open_the_dashboard(client, role):
    page = login(client, role).get("/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="board"' in html and 'data-testid="line-map-department"' in html
    assert login(client, role).get("/dashboard/board/").status_code == 200


@pytest.mark.parametrize("role", ["sewing", "cutting", "finishing", "qc_inspector", "warehouse"])
def test_operators_get_403(client, role):
    login(client, role)
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/board/").status_code == 403


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_board_refreshes_on_a_pulse_and_every_30_seconds(client):
    html = login(client, "manager").get("/dashboard/").content.decode()
    trigger = re.search(r'hx-trigger="([^"]+)"', html.split('<div id="board"')[1]).group(1)
    assert "every 30s" in trigger and "dashboard-changed from:body" in trigger
    assert 'hx-get="/dashboard/board/"' in html
    assert "dashboard/dashboard.js" in html  # turns the stream's pulse into the event
    assert 'ws-connect="/ws/alerts/html/"' in html  # the stream the pulse arrives on
    fast = client.get("/dashboard/?refresh=5").content.decode()
    assert "every 5s" in fast and 'hx-get="/dashboard/board/?refresh=5"' in fast
    assert "every 5s" in client.get("/dashboard/?refresh=1").content.decode()  # clamped
    assert "every 30s" in client.get("/dashboard/?refresh=x").content.decode()


def test_the_board_partial_is_the_board_alone_with_the_header_badge(client):
    cast = users()
    (batch,) = released_batches(quantity=20)
    cut(batch, 20)
    hand_over(batch, "CUTTING", "SEWING", "SEW-1", 10, cast, counted=9)  # held: a P1
    client.force_login(cast["manager"])
    html = client.get("/dashboard/board/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html and 'data-testid="kpi"' in html
    assert re.search(r'id="alert-count"[^>]*hx-swap-oob="true"[^>]*>1<', html)


def test_line_map_shows_each_line_with_its_batch_country_and_units(client):
    cast = users()
    (batch,) = released_batches(quantity=40, destination="US-NY", country="US")
    cut(batch, 40)
    hand_over(batch, "CUTTING", "SEWING", "SEW-3", 40, cast)
    html = login(client, "manager").get("/dashboard/").content.decode()
    tiles = dict(
        re.findall(r'data-testid="line-tile" data-line="([^"]+)" data-units="(\d+)"', html)
    )
    assert set(tiles) >= {"SEW-1", "SEW-2", "SEW-3", "SEW-4", "FIN-1", "FIN-2", "PCK-1", "PCK-2"}
    assert tiles["SEW-3"] == "40" and tiles["SEW-1"] == "0"
    tile = html.split('data-line="SEW-3"')[1].split('data-testid="line-tile"')[0]
    assert batch.number in tile and 'data-testid="line-country"' in tile and ">US<" in tile


def test_detector_status_is_shown_and_an_empty_list_says_so(client, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    real = summary_module.dashboard_summary
    monkeypatch.setattr(summary_module, "dashboard_summary", lambda: {**real(), "detectors": []})
    html = login(client, "manager").get("/dashboard/").content.decode()
    assert 'data-testid="detectors-none"' in html

    now = timezone.now()
    detectors = [
        {"code": "MD-1", "line": "FIN-1", "last_check_at": now - timedelta(minutes=20),
         "last_result": "PASS", "next_due_at": now + timedelta(minutes=40), "overdue": False,
         "verified": True},
        {"code": "MD-2", "line": "FIN-2", "last_check_at": (now - timedelta(hours=2)).isoformat(),
         "last_result": "FAIL", "next_due_at": None, "overdue": True, "verified": False},
        {"code": "MD-3", "line": None, "last_check_at": None, "last_result": None,
         "next_due_at": None, "overdue": True, "verified": False},
    ]  # fmt: skip
    monkeypatch.setattr(
        summary_module, "dashboard_summary", lambda: {**real(), "detectors": detectors}
    )
    html = client.get("/dashboard/").content.decode()
    rows = re.findall(
        r'data-testid="detector" data-code="([^"]+)" data-result="([^"]*)" data-overdue="(\d)"',
        html,
    )
    assert rows == [("MD-1", "PASS", "0"), ("MD-2", "FAIL", "1"), ("MD-3", "", "1")]
    assert 'data-testid="detectors-none"' not in html


def test_english_and_indonesian(client):
    login(client, "manager")
    client.cookies.load({"django_language": "en"})
    english = client.get("/dashboard/").content.decode()
    assert "Factory dashboard" in english and "Line map" in english
    client.cookies.load({"django_language": "id"})
    indonesian = client.get("/dashboard/").content.decode()
    assert 'lang="id"' in indonesian


def _build(n_batches: int, cast):
    """``n_batches`` batches cut; the first ones on the sewing lines (the rest blocked there,
    each with a P1), two sewn and in finishing; an inline inspection per batch at sewing."""
    from quality.services import inspection_record
    from tests.transfers.helpers import dept

    batches = released_batches(quantity=10 * n_batches, batch_size=10)
    for batch in batches:
        cut(batch, 10)
    on_lines = []
    for i, batch in enumerate(batches):
        transfer = send(batch, "CUTTING", "SEWING", f"SEW-{i % 4 + 1}", 10, cast["cutting"])
        if transfer.state == "IN_TRANSIT":
            accept(transfer, cast["sewing"])
            on_lines.append((batch, f"SEW-{i % 4 + 1}"))
            inspection_record(
                batch=batch, department=dept("SEWING"), kind="inline", passed=7,
                user=cast["sewing"],
            )  # fmt: skip
    for batch, line_code in on_lines[:2]:
        sew(batch, 5, line_code)
        hand_over(batch, "SEWING", "FINISHING", "FIN-1", 5, cast, from_line=line_code)
    return batches


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n_batches", [2, 20])
def test_query_budget_is_the_same_for_2_and_20_batches(
    client, n_batches, django_assert_max_num_queries
):
    cast = users()
    _build(n_batches, cast)
    client.force_login(cast["manager"])
    client.get("/dashboard/")  # warm per-process caches (departments, lines)
    with django_assert_max_num_queries(PAGE_BUDGET):
        assert client.get("/dashboard/").status_code == 200
    with django_assert_max_num_queries(PAGE_BUDGET):
        assert client.get("/dashboard/board/").status_code == 200


def test_the_number_of_queries_does_not_depend_on_the_rows(client):
    cast = users()
    client.force_login(cast["manager"])
    _build(2, cast)
    few = _queries(client, "/dashboard/"), _queries(client, "/dashboard/board/")
    _build(12, cast)
    many = _queries(client, "/dashboard/"), _queries(client, "/dashboard/board/")
    assert few == many
