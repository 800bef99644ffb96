import pytest
from rest_framework.throttling import UserRateThrottle

from tests.conftest import jwt_for

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def preflight(client, origin):
    return client.options(
        "/api/v1/auth/me/",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )


def test_cors_is_closed_by_default(client):
    response = preflight(client, "https://mes.example.com")
    assert "access-control-allow-origin" not in response.headers


def test_cors_opens_only_for_configured_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://mes.example.com"]
    allowed = preflight(client, "https://mes.example.com")
    assert allowed.headers["access-control-allow-origin"] == "https://mes.example.com"
    other = preflight(client, "https://evil.example.com")
    assert "access-control-allow-origin" not in other.headers


def test_the_api_throttles_each_user(api_client, make_user, password, monkeypatch):
    make_user("siti", roles=["sewing"])
    make_user("dewi", roles=["cutting"])
    siti = jwt_for(api_client, "siti", password)
    dewi = jwt_for(api_client, "dewi", password)
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": None})
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {siti}")
    codes = [api_client.get("/api/v1/auth/me/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert api_client.get("/api/v1/auth/me/").json()["error"]["code"] == "throttled"
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {dewi}")
    assert api_client.get("/api/v1/auth/me/").status_code == 200


def test_the_api_throttles_anonymous_ips(api_client, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": None})
    codes = [api_client.get("/api/schema/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
