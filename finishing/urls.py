from django.urls import path

from . import views

app_name = "finishing"

urlpatterns = [
    path("", views.station, name="station"),
]
