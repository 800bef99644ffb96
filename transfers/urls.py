from django.urls import path

from . import views

app_name = "transfers"

urlpatterns = [
    path("<int:pk>/slip/", views.slip, name="slip"),
]
