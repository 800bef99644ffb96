from transfers.stations import station_urlpatterns

app_name = "packing"

urlpatterns = [
    *station_urlpatterns("packing"),
]
