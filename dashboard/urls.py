from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("board/", views.board, name="board"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:pk>/ack/", views.alert_ack, name="alert-ack"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve_view, name="alert-resolve"),
]
