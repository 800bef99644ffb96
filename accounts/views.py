from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.selectors import user_primary_role
from erp.common.permissions import AREAS, LANDING_AREA


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = "/accounts/password/done/"


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


def home(request):
    """Send each role to its own landing page (operators to their station)."""
    if not request.user.is_authenticated:
        return redirect(reverse("accounts:login"))
    role = user_primary_role(request.user)
    if role is None:
        return render(request, "accounts/no_role.html", status=403)
    return redirect(reverse(AREAS[LANDING_AREA[role]].url_name))
