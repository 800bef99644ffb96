from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.home, name="home"),
    path("quality/", views.quality, name="quality"),
    path("fill-weight/", views.fill_weight, name="fill_weight"),
    path("output/", views.output, name="output"),
    path("lead-time/", views.lead_time, name="lead_time"),
    path("refresh/", views.refresh, name="refresh"),
]
