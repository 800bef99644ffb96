from django.urls import path

from . import shipping_views, views

app_name = "warehouse"

urlpatterns = [
    path("", views.home, name="home"),  # stock by material (the navigation's entry)
    path("receipts/", views.receipts, name="receipts"),
    path("issue/", views.issue_list, name="issue_list"),
    path("issue/<str:number>/", views.issue, name="issue"),
    path("shortages/", views.shortages, name="shortages"),
    path("shortages/<int:pk>/decide/", views.shortage_decide, name="shortage_decide"),
    path("ledger/", views.ledger, name="ledger"),
    path("low-stock/", views.low_stock, name="low_stock"),
    path("lots/<int:pk>/", views.lot, name="lot"),
    path("fg-cartons/", shipping_views.fg_cartons, name="fg_cartons"),
    path("shipments/", shipping_views.shipment_list, name="shipments"),
    path("shipments/<int:pk>/", shipping_views.shipment_detail, name="shipment"),
    path(
        "shipments/<int:pk>/document/",
        shipping_views.shipment_document,
        name="shipment_document",
    ),
]
