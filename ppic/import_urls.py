"""Master-data import pages (filled by the import work; included from ppic.urls)."""

urlpatterns: list = []
