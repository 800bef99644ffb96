from transfers.stations import station_urlpatterns

from .stations import record_urlpatterns

app_name = "embroidery"

urlpatterns = [
    *station_urlpatterns("embroidery"),
    *record_urlpatterns(),
]
