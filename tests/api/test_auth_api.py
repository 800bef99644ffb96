"""API.md: token, refresh, me, departments, and the error format."""

import pytest

from tests.conftest import jwt_for

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_token_returns_access_and_refresh(api_client, make_user, password):
    make_user("siti", roles=["sewing"])
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "siti", "password": password}, format="json"
    )
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_token_wrong_password_is_401_in_error_format(api_client, make_user):
    make_user("siti", roles=["sewing"])
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "siti", "password": "nope-nope"}, format="json"
    )
    assert_error(response, 401)


@pytest.mark.parametrize(
    "body",
    [{}, {"username": "siti"}, {"password": "x"}, {"username": ["a"], "password": {"b": 1}}],
)
def test_token_malformed_input_is_400_with_fields(api_client, body):
    error = assert_error(
        api_client.post("/api/v1/auth/token/", body, format="json"), 400, "invalid"
    )
    assert error["fields"]


def test_token_garbage_json_is_400(api_client):
    response = api_client.post(
        "/api/v1/auth/token/", data="{not json", content_type="application/json"
    )
    assert_error(response, 400, "malformed_request")


def test_refresh_gives_a_new_access_token(api_client, make_user, password):
    make_user("siti", roles=["sewing"])
    tokens = api_client.post(
        "/api/v1/auth/token/", {"username": "siti", "password": password}, format="json"
    ).json()
    response = api_client.post(
        "/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )
    assert response.status_code == 200
    assert "access" in response.json()


def test_refresh_with_a_bad_token_is_401_and_missing_is_400(api_client):
    assert_error(
        api_client.post("/api/v1/auth/token/refresh/", {"refresh": "abc"}, format="json"), 401
    )
    assert_error(api_client.post("/api/v1/auth/token/refresh/", {}, format="json"), 400)


def test_me_answers_roles_departments_supervises(api_client, make_user, password):
    make_user("lead", roles=["sewing"], supervises=["SEWING"], first_name="Siti", last_name="R")
    token = jwt_for(api_client, "lead", password)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api_client.get("/api/v1/auth/me/")
    assert response.status_code == 200
    assert response.json() == {
        "username": "lead",
        "full_name": "Siti R",
        "roles": ["sewing"],
        "departments": ["SEWING"],
        "supervises": ["SEWING"],
    }


def test_me_for_warehouse_lists_both_warehouses(api_client, make_user, password):
    make_user("agus", roles=["warehouse"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(api_client, 'agus', password)}")
    assert api_client.get("/api/v1/auth/me/").json()["departments"] == [
        "WAREHOUSE",
        "FG_WAREHOUSE",
    ]


def test_me_without_token_is_401_and_with_a_bad_token_is_401(api_client):
    assert_error(api_client.get("/api/v1/auth/me/"), 401, "not_authenticated")
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert_error(api_client.get("/api/v1/auth/me/"), 401)


def test_session_auth_also_works_for_the_api(client, make_user, password):
    client.force_login(make_user("siti", roles=["sewing"]))
    assert client.get("/api/v1/auth/me/").json()["username"] == "siti"


def test_departments_lists_codes_and_lines_in_the_paginated_envelope(
    api_client, make_user, password
):
    make_user("siti", roles=["sewing"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(api_client, 'siti', password)}")
    response = api_client.get("/api/v1/departments/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 9
    sewing = next(d for d in body["results"] if d["code"] == "SEWING")
    assert sewing["lines"] == [
        {"code": "SEW-1", "name": "Sewing line 1"},
        {"code": "SEW-2", "name": "Sewing line 2"},
        {"code": "SEW-3", "name": "Sewing line 3"},
        {"code": "SEW-4", "name": "Sewing line 4"},
    ]
    assert next(d for d in body["results"] if d["code"] == "SUBCON")["lines"] == []


def test_departments_page_size_bounds(api_client, make_user, password):
    make_user("siti", roles=["sewing"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(api_client, 'siti', password)}")
    page = api_client.get("/api/v1/departments/?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]
    assert_error(api_client.get("/api/v1/departments/?page_size=500"), 400)
    assert_error(api_client.get("/api/v1/departments/?page_size=abc"), 400)
    assert_error(api_client.get("/api/v1/departments/?page=99"), 404)


def test_departments_query_budget(api_client, make_user, password, django_assert_max_num_queries):
    make_user("siti", roles=["sewing"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(api_client, 'siti', password)}")
    with django_assert_max_num_queries(4):
        assert api_client.get("/api/v1/departments/").status_code == 200


def test_unknown_api_path_is_404_json(api_client):
    assert_error(api_client.get("/api/v1/no-such-thing/"), 404, "not_found")


def test_wrong_method_is_405_in_error_format(api_client):
    assert_error(api_client.get("/api/v1/auth/token/"), 405, "method_not_allowed")


def test_token_endpoint_is_throttled_per_ip(api_client, monkeypatch):
    from accounts.api import AuthRateThrottle

    monkeypatch.setattr(AuthRateThrottle, "THROTTLE_RATES", {"auth": "3/minute"})
    codes = [
        api_client.post(
            "/api/v1/auth/token/", {"username": f"u{i}", "password": "x"}, format="json"
        ).status_code
        for i in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]
    response = api_client.post("/api/v1/auth/token/", {"username": "u", "password": "x"})
    assert_error(response, 429, "throttled")
    assert response.json()["error"]["fields"]["retry_after_seconds"] > 0
