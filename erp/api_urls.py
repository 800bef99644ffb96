from django.urls import path

from accounts.api import MeApi, TokenObtainApi, TokenRefreshApi
from transfers.api import DepartmentListApi

urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="token"),
    path("auth/token/refresh/", TokenRefreshApi.as_view(), name="token-refresh"),
    path("auth/me/", MeApi.as_view(), name="me"),
    path("departments/", DepartmentListApi.as_view(), name="department-list"),
]
