from transfers.stations import station_urlpatterns

from .stations import record_urlpatterns

app_name = "finishing"

urlpatterns = [
    *station_urlpatterns("finishing"),
    *record_urlpatterns(),
]
