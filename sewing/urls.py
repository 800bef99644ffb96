from transfers.stations import station_urlpatterns

app_name = "sewing"

urlpatterns = [
    *station_urlpatterns("sewing"),
]
