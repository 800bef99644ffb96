from django.urls import path

from transfers.stations import station_urlpatterns

from . import bundle_views
from .stations import record_urlpatterns

app_name = "cutting"

urlpatterns = [
    *station_urlpatterns("cutting"),
    *record_urlpatterns(),
    path(
        "bundles/<int:cut_record_id>/tickets/", bundle_views.bundle_tickets, name="bundle_tickets"
    ),
]
