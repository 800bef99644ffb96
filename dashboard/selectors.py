from django.db.models import QuerySet

from accounts.selectors import user_departments, user_roles

from .models import Alert


def alerts_visible_to(user) -> QuerySet[Alert]:
    """The alerts of the user's departments; managers and admins see all."""
    qs = Alert.objects.select_related("batch", "line", "acknowledged_by").prefetch_related(
        "departments"
    )
    if user_roles(user) & {"manager", "admin"}:
        return qs
    return qs.filter(departments__code__in=user_departments(user)).distinct()


def alert_may_act(user, alert: Alert) -> bool:
    """Acknowledge/resolve: users of the alert's departments and managers."""
    if "manager" in user_roles(user):
        return True
    codes = set(user_departments(user))
    return any(d.code in codes for d in alert.departments.all())
