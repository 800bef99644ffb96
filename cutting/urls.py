from django.urls import path

from . import views

app_name = "cutting"

urlpatterns = [
    path("", views.station, name="station"),
]
