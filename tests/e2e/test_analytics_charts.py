"""The analytics charts in a real browser (Chart.js from static files, no CDN): the SPC chart
draws the known data set with its two outside points in red, and the quality chart draws the
stacked rates, without a JavaScript error. (With the other browser tests in tests/e2e: the
session's Playwright loop starts after the tests that need the main thread free.)"""

import pytest

from tests.analytics.helpers import KNOWN, KNOWN_OUTSIDE, stuffing
from tests.analytics.test_pages import fill_summaries
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_spc_and_quality_charts_draw_in_the_browser(page, live_server, screenshot):
    # given a committed data set (the summaries refresh on commit) and a QC inspector
    stuffing(KNOWN)
    fill_summaries(14)
    UserFactory(username="b_qc", roles=["qc_inspector"])
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server.url, "b_qc", TEST_PASSWORD)

    # when the SPC page opens
    page.goto(f"{live_server.url}/analytics/fill-weight/?article=BEAR-40")
    page.wait_for_function(
        "window.Chart && !!Chart.getChart(document.querySelector('canvas[data-chart-key=spc]'))"
    )

    # then Chart.js drew 42 points, the outside ones in red triangles
    drawn = page.evaluate(
        """() => {
          const chart = Chart.getChart(document.querySelector('canvas[data-chart-key=spc]'));
          const weights = chart.data.datasets[0];
          return {n: weights.data.length, styles: weights.pointStyle,
                  lines: chart.data.datasets.map(d => d.label)};
        }"""
    )
    assert drawn["n"] == 42
    assert [i + 1 for i, s in enumerate(drawn["styles"]) if s == "triangle"] == KNOWN_OUTSIDE
    assert len(drawn["lines"]) == 6
    assert page.evaluate(
        "!!Chart.getChart(document.querySelector('canvas[data-chart-key=histogram]'))"
    )
    screenshot(page, "analytics-fill-weight-spc")

    page.goto(f"{live_server.url}/analytics/quality/?group=line")
    page.wait_for_function(
        "window.Chart && "
        "!!Chart.getChart(document.querySelector('canvas[data-chart-key=quality-line]'))"
    )
    stacked = page.evaluate(
        "Chart.getChart(document.querySelector('canvas[data-chart-key=quality-line]'))"
        ".data.datasets.map(d => d.stack)"
    )
    assert stacked == ["rate", "rate", "rate"]
    screenshot(page, "analytics-quality-by-line")
    assert errors == []
