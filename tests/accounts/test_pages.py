"""Every role lands on its own page, sees only its navigation, and is refused elsewhere (403)."""

import re

import pytest

from erp.common.permissions import AREAS

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

# What each role's navigation shows (area keys), in order.
EXPECTED_NAV = {
    "admin": ["dashboard", "ppic", "analytics", "admin"],
    "manager": [
        "dashboard",
        "ppic",
        "warehouse",
        "cutting",
        "embroidery",
        "sewing",
        "finishing",
        "packing",
        "subcon",
        "quality",
        "analytics",
    ],
    "ppic": ["dashboard", "ppic", "warehouse", "subcon", "analytics"],
    "warehouse": ["warehouse"],
    "cutting": ["cutting"],
    "embroidery": ["embroidery"],
    "sewing": ["sewing"],
    "finishing": ["finishing"],
    "packing": ["packing"],
    "qc_inspector": ["quality", "analytics"],
    "qc_lab": ["quality"],
}
LANDING = {
    "admin": "/dashboard/",
    "manager": "/dashboard/",
    "ppic": "/dashboard/",
    "warehouse": "/warehouse/",
    "cutting": "/cutting/",
    "embroidery": "/embroidery/",
    "sewing": "/sewing/",
    "finishing": "/finishing/",
    "packing": "/packing/",
    "qc_inspector": "/quality/",
    "qc_lab": "/quality/",
}
AREA_URLS = {
    "dashboard": "/dashboard/",
    "ppic": "/ppic/",
    "warehouse": "/warehouse/",
    "cutting": "/cutting/",
    "embroidery": "/embroidery/",
    "sewing": "/sewing/",
    "finishing": "/finishing/",
    "packing": "/packing/",
    "subcon": "/transfers/subcon/",
    "quality": "/quality/",
}


def nav_of(response) -> list[str]:
    return re.findall(r'data-area="([a-z_]+)"', response.content.decode())


def test_login_page_renders_for_anonymous_users(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_anonymous_users_are_sent_to_login(client):
    for url in ["/", *AREA_URLS.values()]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", list(EXPECTED_NAV))
def test_each_role_lands_on_its_page_and_sees_only_its_navigation(client, make_user, role):
    client.force_login(make_user(roles=[role]))
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"] == LANDING[role]
    page = client.get(LANDING[role])
    assert page.status_code == 200
    assert nav_of(page) == EXPECTED_NAV[role]


@pytest.mark.parametrize("role", list(EXPECTED_NAV))
def test_every_area_the_navigation_hides_answers_403(client, make_user, role):
    client.force_login(make_user(roles=[role]))
    for key, url in AREA_URLS.items():
        status = client.get(url).status_code
        if key in EXPECTED_NAV[role]:
            assert status == 200, (role, url)
        else:
            assert status == 403, (role, url)


def test_an_operator_opening_another_department_gets_403_with_a_message(client, make_user):
    client.force_login(make_user(roles=["sewing"]))
    response = client.get("/cutting/")
    assert response.status_code == 403
    assert b'data-testid="forbidden"' in response.content


def test_only_admin_role_users_open_the_django_admin(client, make_user):
    client.force_login(make_user(roles=["manager"]))
    assert client.get("/admin/").status_code == 302  # to the admin login: not staff
    client.force_login(make_user(roles=["admin"], is_staff=True))
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/transfers/department/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_a_user_without_a_role_is_told_so(client, make_user):
    client.force_login(make_user())
    response = client.get("/")
    assert response.status_code == 403
    assert nav_of(response) == []


def test_station_shows_lines_and_marks_supervisors(client, make_user):
    client.force_login(make_user(roles=["sewing"], supervises=["SEWING"]))
    response = client.get("/sewing/?line=SEW-3")
    html = response.content.decode()
    assert "SEW-3" in html and "SEW-4" in html
    assert 'data-testid="scan"' in html and "autofocus" in html
    assert "Supervisor" in html


def test_station_query_budget(client, make_user, django_assert_max_num_queries):
    client.force_login(make_user(roles=["sewing"]))
    with django_assert_max_num_queries(22):  # same budget as tests/transfers/test_stations.py
        assert client.get("/sewing/").status_code == 200


def test_office_page_query_budget(client, make_user, django_assert_max_num_queries):
    client.force_login(make_user(roles=["manager"]))
    with django_assert_max_num_queries(10):
        assert client.get("/ppic/").status_code == 200
    # The factory dashboard reads more tiles (budget with rows: tests/dashboard/test_page.py).
    with django_assert_max_num_queries(20):
        assert client.get("/dashboard/").status_code == 200


def test_area_registry_names_resolve():
    from django.urls import reverse

    for area in AREAS.values():
        assert reverse(area.url_name)


def test_logout_is_a_post_and_ends_the_session(client, make_user):
    client.force_login(make_user(roles=["sewing"]))
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/sewing/").status_code == 302


def test_password_change_enforces_the_validators_and_clears_the_demo_flag(
    client, make_user, password
):
    user = make_user(roles=["sewing"])
    user.has_demo_password = True
    user.save()
    client.force_login(user)
    short = client.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": "aB3$", "new_password2": "aB3$"},
    )
    assert short.status_code == 200
    assert b"is-invalid" in short.content
    ok = client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "Kain-Merah-2026",
            "new_password2": "Kain-Merah-2026",
        },
    )
    assert ok.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Kain-Merah-2026")
    assert not user.has_demo_password
