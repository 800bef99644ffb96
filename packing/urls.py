from django.urls import path

from transfers.stations import station_urlpatterns

from . import views
from .stations import record_urlpatterns

app_name = "packing"

urlpatterns = [
    *station_urlpatterns("packing"),
    *record_urlpatterns(),
    path("cartons/<str:sscc>/label/", views.carton_label, name="carton_label"),
    path("packing-list/po/<path:po_number>/", views.packing_list_po, name="packing_list_po"),
    path("packing-list/batch/<str:number>/", views.packing_list_batch, name="packing_list_batch"),
]
