from django.urls import path

from . import views

app_name = "sewing"

urlpatterns = [
    path("", views.station, name="station"),
]
