from django.urls import path

from . import views

app_name = "ppic"

urlpatterns = [
    path("", views.home, name="home"),
]
