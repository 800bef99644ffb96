from django.urls import path

from . import views

app_name = "embroidery"

urlpatterns = [
    path("", views.station, name="station"),
]
