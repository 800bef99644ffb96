import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_health_is_200_with_database_and_cache_ok(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_health_is_503_naming_the_cache_when_it_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5},
        }
    }
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("error")
    assert body["failing"] == ["cache"]


def test_health_is_503_naming_the_database_when_it_fails(client, monkeypatch):
    from django.db import OperationalError

    from erp.common import views

    def broken():
        raise OperationalError("connection refused")

    class BrokenConnection:
        def cursor(self):
            broken()

    monkeypatch.setattr(views, "connection", BrokenConnection())
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("error")
    assert response.json()["failing"] == ["database"]


def test_health_needs_no_login_and_refuses_post(client):
    assert client.post("/health/").status_code == 405
