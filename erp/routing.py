from django.urls import path

from dashboard.consumers import AlertConsumer, AlertHtmlConsumer

websocket_urlpatterns = [
    path("ws/alerts/", AlertConsumer.as_asgi()),
    path("ws/alerts/html/", AlertHtmlConsumer.as_asgi()),
]
