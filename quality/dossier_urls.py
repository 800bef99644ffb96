from django.urls import path

from . import dossier

app_name = "dossier"

urlpatterns = [
    path("batches/<str:number>.pdf", dossier.batch_dossier, name="batch"),
    path("pos/<str:number>.pdf", dossier.po_dossier, name="po"),
]
