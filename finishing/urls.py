from transfers.stations import station_urlpatterns

app_name = "finishing"

urlpatterns = [
    *station_urlpatterns("finishing"),
]
