"""Five wrong passwords lock that username+IP on the login page, the admin and the token API."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

WRONG = "wrong-password"


def fail_api(api_client, username, times=5, ip="10.0.0.5"):
    return [
        api_client.post(
            "/api/v1/auth/token/",
            {"username": username, "password": WRONG},
            format="json",
            REMOTE_ADDR=ip,
        ).status_code
        for _ in range(times)
    ]


def fail_page(client, url, username, times=5, ip="10.0.0.5"):
    return [
        client.post(url, {"username": username, "password": WRONG}, REMOTE_ADDR=ip)
        for _ in range(times)
    ]


def token(api_client, username, password, ip="10.0.0.5"):
    return api_client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


def test_api_fifth_failure_is_401_then_even_the_right_password_is_429(
    api_client, make_user, password
):
    make_user("siti", roles=["sewing"])
    assert fail_api(api_client, "siti") == [401] * 5
    response = token(api_client, "siti", password)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    assert "30" in response.json()["error"]["message"]


def test_lockout_is_per_username_and_ip_pair(api_client, make_user, password):
    make_user("siti", roles=["sewing"])
    make_user("dewi", roles=["cutting"])
    fail_api(api_client, "siti")
    assert token(api_client, "siti", password, ip="10.0.0.99").status_code == 200
    assert token(api_client, "dewi", password).status_code == 200
    assert token(api_client, "siti", password).status_code == 429


def test_login_page_locks_with_a_message_and_refuses_the_right_password(
    client, make_user, password
):
    make_user("siti", roles=["sewing"])
    responses = fail_page(client, "/accounts/login/", "siti")
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429
    right = client.post(
        "/accounts/login/", {"username": "siti", "password": password}, REMOTE_ADDR="10.0.0.5"
    )
    assert right.status_code == 429
    assert b"locked-out" in right.content
    assert "_auth_user_id" not in client.session


def test_admin_login_locks_too(client, make_user, password):
    make_user("boss", roles=["admin"], is_staff=True)
    fail_page(client, "/admin/login/", "boss")
    right = client.post(
        "/admin/login/?next=/admin/",
        {"username": "boss", "password": password},
        REMOTE_ADDR="10.0.0.5",
    )
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_on_the_login_page_lock_the_api_for_the_same_pair(
    client, api_client, make_user, password
):
    make_user("siti", roles=["sewing"])
    fail_page(client, "/accounts/login/", "siti")
    assert token(api_client, "siti", password).status_code == 429


def test_after_the_cool_off_the_right_password_works_again(api_client, make_user, password):
    make_user("siti", roles=["sewing"])
    fail_api(api_client, "siti")
    assert token(api_client, "siti", password).status_code == 429
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=31)
        attempt.save()
    assert token(api_client, "siti", password).status_code == 200


def test_logins_failures_and_lockouts_are_logged_with_user_and_ip(
    client, api_client, make_user, password, caplog, request
):
    make_user("siti", roles=["sewing"])
    security = logging.getLogger("erp.security")  # does not propagate to the root logger
    security.addHandler(caplog.handler)
    caplog.set_level("INFO", logger="erp.security")
    request.addfinalizer(lambda: security.removeHandler(caplog.handler))
    assert token(api_client, "siti", password).status_code == 200
    fail_api(api_client, "siti")
    events = [
        (r.getMessage(), getattr(r, "user", None), getattr(r, "ip", None))
        for r in caplog.records
        if r.name == "erp.security"
    ]
    assert ("login", "siti", "10.0.0.5") in events
    assert events.count(("login_failed", "siti", "10.0.0.5")) == 5
    assert ("locked_out", "siti", "10.0.0.5") in events
    assert all(hasattr(r, "at") for r in caplog.records if r.name == "erp.security")
