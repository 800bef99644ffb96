"""The pages added for finishing, quality, packing, shipping, the dashboard and analytics, in
English at tablet size (768 × 1024), each as the role that uses it, on the demo floor: they answer,
speak English (the Indonesian walk-throughs are in the other browser tests) and never scroll
sideways."""

import pytest
from django.core.management import call_command

from ppic.models import Batch
from tests.e2e.conftest import station

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "finishing": ["/finishing/?tab=record", "/finishing/?line=FIN-2"],
    "packing": ["/packing/?tab=record", "/packing/?line=PCK-2"],
    "qc_inspector": ["/quality/", "/quality/final/", "/quality/final/history/",
                     "/quality/quarantines/"],
    "qc_lab": ["/quality/lab/"],
    "warehouse": ["/warehouse/fg-cartons/", "/warehouse/shipments/"],
    "manager": ["/dashboard/", "/dashboard/alerts/", "/analytics/", "/analytics/quality/",
                "/analytics/fill-weight/", "/analytics/output/", "/analytics/lead-time/"],
}  # fmt: skip


def test_the_new_pages_in_english_at_tablet_size(live_server, browser):
    call_command("seed_demo", verbosity=0)
    call_command("seed_factory", verbosity=0)
    carton = Batch.objects.filter(cartons__status="SHIPPED").first().cartons.first()
    pages = {who: list(paths) for who, paths in PAGES.items()}
    pages["warehouse"].append(f"/warehouse/shipments/{carton.shipment_id}/")
    pages["packing"].append(f"/packing/cartons/{carton.sscc}/label/")
    for username, paths in pages.items():
        context, page = station(browser, live_server.url, username, locale="en-US")
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, (username, path)
            assert page.get_attribute("html", "lang") == "en", (username, path)
            if "/label/" not in path:  # the printable label has no header
                assert page.get_by_test_id("logout").inner_text().strip() == "Logout", path
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 768, (username, path, width)
        context.close()
