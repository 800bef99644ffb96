from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts.views import home
from erp.common.views import health

admin.site.site_header = "Soft-toy factory ERP"
admin.site.site_title = "ERP admin"

urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((("erp.api_urls"), "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("dashboard/", include("dashboard.urls")),
    path("ppic/", include("ppic.urls")),
    path("warehouse/", include("warehouse.urls")),
    path("cutting/", include("cutting.urls")),
    path("embroidery/", include("embroidery.urls")),
    path("sewing/", include("sewing.urls")),
    path("finishing/", include("finishing.urls")),
    path("packing/", include("packing.urls")),
    path("quality/", include("quality.urls")),
    path("dossier/", include("quality.dossier_urls")),
    path("analytics/", include("analytics.urls")),
    path("transfers/", include("transfers.urls")),
]

handler404 = "erp.common.views.page_not_found"
handler403 = "erp.common.views.permission_denied"
