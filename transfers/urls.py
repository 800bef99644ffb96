from django.urls import path

from . import views

app_name = "transfers"

urlpatterns = [
    path("<int:pk>/slip/", views.slip, name="slip"),
    path("<int:pk>/delivery-note/", views.delivery_note, name="delivery_note"),
    path("subcon/", views.subcon_board, name="subcon"),
]
