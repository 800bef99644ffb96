from accounts.selectors import user_primary_role, user_roles

from .permissions import visible_areas


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_areas": [], "user_roles": set(), "primary_role": None}
    return {
        "nav_areas": visible_areas(user),
        "user_roles": user_roles(user),
        "primary_role": user_primary_role(user),
    }
