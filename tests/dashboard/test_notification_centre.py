"""The notification centre (/dashboard/alerts/): the user's alerts (their departments, all for
managers), filters, acknowledge and resolve with a note over htmx, refusals, the header badge."""

import re

import pytest

from dashboard.models import Alert
from dashboard.services import alert_acknowledge, alert_raise, alert_resolve
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def alerts():
    sewing = UserFactory(username="n_sewing", roles=["sewing"])
    made = {
        "blocked": alert_raise(kind="LINE_BLOCKED", priority="P1", message="SEW-1 blocked",
                               departments=["CUTTING", "SEWING"]),
        "qc": alert_raise(kind="QC_RED", priority="P1", message="QC red SEW-2",
                          departments=["SEWING"]),
        "shortage": alert_raise(kind="SHORTAGE", priority="P2", message="thread short",
                                departments=["SEWING", "WAREHOUSE"]),
        "metal": alert_raise(kind="METAL_ALARM", priority="P1", message="metal FIN-1",
                             departments=["FINISHING"]),
        "old": alert_raise(kind="QTY_DISCREPANCY", priority="P3", message="count 58 of 60",
                           departments=["SEWING"]),
    }  # fmt: skip
    alert_acknowledge(alert=made["qc"], user=sewing)
    alert_resolve(alert=made["old"], user=sewing, note="recounted")
    return made


def ids(html) -> set[int]:
    return {int(i) for i in re.findall(r'data-testid="alert-row" data-id="(\d+)"', html)}


def page(client, user, query=""):
    client.force_login(user)
    response = client.get(f"/dashboard/alerts/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_each_user_sees_the_alerts_of_their_departments_and_managers_all(client, alerts):
    sewing = UserFactory(username="n_sewing", roles=["sewing"])
    finishing = UserFactory(username="n_finishing", roles=["finishing"])
    manager = UserFactory(username="n_manager", roles=["manager"])
    a = {k: v.pk for k, v in alerts.items()}
    assert ids(page(client, sewing)) == {a["blocked"], a["qc"], a["shortage"], a["old"]}
    assert ids(page(client, finishing)) == {a["metal"]}
    assert ids(page(client, manager)) == set(a.values())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?priority=P1", {"blocked", "qc", "metal"}),
        ("?priority=P2", {"shortage"}),
        ("?kind=METAL_ALARM", {"metal"}),
        ("?state=open", {"blocked", "qc", "shortage", "metal"}),
        ("?state=unacknowledged", {"blocked", "shortage", "metal"}),
        ("?state=resolved", {"old"}),
        ("?priority=P1&state=unacknowledged", {"blocked", "metal"}),
        ("?priority=P9&kind=NOPE&state=whatever", {"blocked", "qc", "shortage", "metal", "old"}),
    ],
)
def test_filters(client, alerts, query, expected):
    manager = UserFactory(username="n_manager", roles=["manager"])
    assert ids(page(client, manager, query)) == {alerts[k].pk for k in expected}


def test_acknowledge_and_resolve_with_a_note_over_htmx(client, alerts):
    sewing = UserFactory(username="n_sewing", roles=["sewing"])
    client.force_login(sewing)
    pk = alerts["blocked"].pk
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": f"alert-row-{pk}"}
    response = client.post(f"/dashboard/alerts/{pk}/ack/", **htmx)
    assert response.status_code == 200
    row = response.content.decode()
    assert f'id="alert-row-{pk}"' in row and 'data-state="acknowledged"' in row
    assert "<html" not in row
    alert = Alert.objects.get(pk=pk)
    assert alert.acknowledged_by == sewing and alert.resolved_at is None

    response = client.post(f"/dashboard/alerts/{pk}/resolve/", {"note": "line cleared"}, **htmx)
    assert response.status_code == 200 and 'data-state="resolved"' in response.content.decode()
    alert.refresh_from_db()
    assert alert.resolved_by == sewing and alert.resolution_note == "line cleared"


def test_resolve_without_a_note_is_400_and_changes_nothing(client, alerts):
    sewing = UserFactory(username="n_sewing", roles=["sewing"])
    client.force_login(sewing)
    pk = alerts["blocked"].pk
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": f"alert-row-{pk}"}
    response = client.post(f"/dashboard/alerts/{pk}/resolve/", {"note": "   "}, **htmx)
    assert response.status_code == 400
    assert 'data-testid="row-result" data-level="danger"' in response.content.decode()
    plain = client.post(f"/dashboard/alerts/{pk}/resolve/", {})
    assert plain.status_code == 400 and 'data-testid="result"' in plain.content.decode()
    alert = Alert.objects.get(pk=pk)
    assert alert.resolved_at is None and alert.acknowledged_at is None
    assert alert.resolution_note == ""


def test_another_department_may_not_acknowledge_or_resolve(client, alerts):
    finishing = UserFactory(username="n_finishing", roles=["finishing"])
    client.force_login(finishing)
    pk = alerts["blocked"].pk  # CUTTING and SEWING's
    assert client.post(f"/dashboard/alerts/{pk}/ack/").status_code == 403
    assert client.post(f"/dashboard/alerts/{pk}/resolve/", {"note": "x"}).status_code == 403
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": f"alert-row-{pk}"}
    assert client.post(f"/dashboard/alerts/{pk}/ack/", **htmx).status_code == 403
    alert = Alert.objects.get(pk=pk)
    assert alert.acknowledged_at is None and alert.resolved_at is None
    assert client.post("/dashboard/alerts/999999/ack/").status_code == 404
    assert client.get(f"/dashboard/alerts/{pk}/ack/").status_code == 405


def test_a_manager_may_act_on_any_alert(client, alerts):
    manager = UserFactory(username="n_manager", roles=["manager"])
    client.force_login(manager)
    pk = alerts["metal"].pk
    response = client.post(
        f"/dashboard/alerts/{pk}/resolve/", {"note": "wand test passed", "next": "/dashboard/"}
    )
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert Alert.objects.get(pk=pk).resolved_by == manager


def test_the_banner_acknowledge_still_removes_the_banner_entry(client, alerts):
    client.force_login(UserFactory(username="n_sewing", roles=["sewing"]))
    pk = alerts["blocked"].pk
    response = client.post(
        f"/dashboard/alerts/{pk}/ack/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET=f"alert-{pk}"
    )
    assert response.status_code == 200 and response.content == b""


def test_the_header_badge_counts_the_users_open_alerts(client, alerts):
    sewing = UserFactory(username="n_sewing", roles=["sewing"])
    finishing = UserFactory(username="n_finishing", roles=["finishing"])
    badge = re.compile(r'id="alert-count"[^>]*>(\d+)<')
    assert badge.search(page(client, sewing)).group(1) == "3"  # blocked, qc, shortage
    assert badge.search(page(client, finishing)).group(1) == "1"


def test_query_budget_does_not_grow_with_the_alerts(client, alerts, django_assert_max_num_queries):
    manager = UserFactory(username="n_manager", roles=["manager"])
    client.force_login(manager)
    for i in range(40):
        alert_raise(kind="SHORTAGE", priority="P2", message=f"m{i}", departments=["SEWING"])
    with django_assert_max_num_queries(9):
        assert client.get("/dashboard/alerts/").status_code == 200


def test_buttons_only_where_the_user_may_act(client, alerts):
    admin = UserFactory(username="n_admin", roles=["admin"])  # sees all, acts for none
    html = page(client, admin)
    assert ids(html) == {a.pk for a in alerts.values()}
    assert 'data-testid="ack"' not in html  # neither in the rows nor on the banner
    assert 'data-testid="resolve"' not in html
    manager = UserFactory(username="n_manager", roles=["manager"])
    assert page(client, manager).count('data-testid="resolve"') == 4  # every open alert
