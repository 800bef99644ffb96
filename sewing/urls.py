from django.urls import path

from transfers.stations import station_urlpatterns

from . import needle_views
from .stations import record_urlpatterns

app_name = "sewing"

urlpatterns = [
    *station_urlpatterns("sewing"),
    *record_urlpatterns(),
    path("needles/", needle_views.needles, name="needles"),
    path("needles/<int:pk>/search/", needle_views.needle_search, name="needle_search"),
]
