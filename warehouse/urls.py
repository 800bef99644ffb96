from django.urls import path

from . import views

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
]
