"""Master-data import pages, included from ppic.urls under ``import/`` (namespace "ppic")."""

from django.urls import path

from . import import_views

urlpatterns = [
    path("", import_views.import_upload, name="import"),
    path("confirm/", import_views.import_confirm, name="import-confirm"),
]
