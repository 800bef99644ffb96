import pytest
from rest_framework.test import APIClient


@pytest.fixture
def as_role(make_user):
    """An API client logged in with a role: ``as_role("ppic")``."""

    def make(*roles, supervises=(), username=None):
        client = APIClient()
        client.force_authenticate(
            make_user(username=username or "_".join(roles), roles=roles, supervises=supervises)
        )
        return client

    return make
