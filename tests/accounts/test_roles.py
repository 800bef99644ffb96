import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.roles import ROLES
from accounts.selectors import user_departments, user_roles, user_supervises
from transfers.models import Department, Line

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_the_eleven_roles_exist_as_groups_with_permissions():
    names = set(Group.objects.values_list("name", flat=True))
    assert set(ROLES) <= names
    admin = Group.objects.get(name="admin")
    codenames = set(admin.permissions.values_list("codename", flat=True))
    assert {"add_user", "change_user", "change_department", "add_line"} <= codenames
    sewing = Group.objects.get(name="sewing")
    assert "view_department" in set(sewing.permissions.values_list("codename", flat=True))
    assert "change_user" not in set(sewing.permissions.values_list("codename", flat=True))


def test_departments_and_lines_are_seeded_with_api_codes():
    assert list(Department.objects.values_list("code", flat=True)) == [
        "WAREHOUSE",
        "CUTTING",
        "EMBROIDERY",
        "SEWING",
        "FINISHING",
        "PACKING",
        "FG_WAREHOUSE",
        "SUBCON",
        "QUALITY",
    ]
    lines = {
        code: list(Line.objects.filter(department__code=code).values_list("code", flat=True))
        for code in ["CUTTING", "EMBROIDERY", "SEWING", "FINISHING", "PACKING"]
    }
    assert lines == {
        "CUTTING": ["CUT-1", "CUT-2"],
        "EMBROIDERY": ["EMB-1"],
        "SEWING": ["SEW-1", "SEW-2", "SEW-3", "SEW-4"],
        "FINISHING": ["FIN-1", "FIN-2"],
        "PACKING": ["PCK-1", "PCK-2"],
    }


def test_seed_demo_is_idempotent_and_creates_one_user_per_role_and_leads(settings):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    User = get_user_model()
    for role in ROLES:
        user = User.objects.get(username=role)
        assert user_roles(user) == {role}
        assert user.has_demo_password
    lead = User.objects.get(username="sewing_lead")
    assert user_roles(lead) == {"sewing"}
    assert user_supervises(lead) == ["SEWING"]
    assert user_supervises(User.objects.get(username="sewing")) == []
    assert user_supervises(User.objects.get(username="qc_lead")) == ["QUALITY"]
    assert User.objects.filter(username__endswith="_lead").count() == 7
    assert User.objects.count() == 18
    assert User.objects.get(username="admin").is_staff
    assert not User.objects.get(username="admin").is_superuser


def test_seed_demo_keeps_a_changed_password(settings):
    call_command("seed_demo", verbosity=0)
    user = get_user_model().objects.get(username="packing")
    user.set_password("A-new-secret-99")
    user.save()
    call_command("seed_demo", verbosity=0)
    user.refresh_from_db()
    assert user.check_password("A-new-secret-99")
    assert not user.has_demo_password


@pytest.mark.parametrize(
    "role, departments",
    [
        ("cutting", ["CUTTING"]),
        ("warehouse", ["WAREHOUSE", "FG_WAREHOUSE"]),
        ("ppic", ["SUBCON"]),
        ("qc_inspector", ["QUALITY"]),
        ("qc_lab", ["QUALITY"]),
        ("admin", []),
    ],
)
def test_roles_act_for_their_departments(make_user, role, departments):
    assert user_departments(make_user(roles=[role])) == departments


def test_manager_acts_for_and_supervises_every_department(make_user):
    manager = make_user(roles=["manager"])
    assert len(user_departments(manager)) == 9
    assert user_supervises(manager) == user_departments(manager)
