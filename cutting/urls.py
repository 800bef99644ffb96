from transfers.stations import station_urlpatterns

app_name = "cutting"

urlpatterns = [
    *station_urlpatterns("cutting"),
]
