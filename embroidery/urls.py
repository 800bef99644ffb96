from transfers.stations import station_urlpatterns

app_name = "embroidery"

urlpatterns = [
    *station_urlpatterns("embroidery"),
]
