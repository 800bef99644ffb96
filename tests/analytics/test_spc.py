"""The SPC computation (mean, sample σ, ±3σ limits) flags exactly the points outside the limits
of a known data set whose figures are worked out by hand in helpers.py, both as a function and
through the page, its JSON and its CSV/XLSX exports."""

import pytest

from analytics.models import FillWeightPoint
from analytics.spc import histogram, spc
from tests.analytics.helpers import (
    KNOWN,
    KNOWN_LCL,
    KNOWN_MEAN,
    KNOWN_OUTSIDE,
    KNOWN_SIGMA,
    KNOWN_UCL,
    as_user,
    parse_csv,
    parse_xlsx,
    stuffing,
)
from tests.transfers.helpers import users


def test_the_known_data_set_is_what_the_hand_computation_says():
    assert len(KNOWN) == 42 and sum(KNOWN) == 4200
    assert (KNOWN.count(100), KNOWN.count(102), KNOWN.count(98)) == (20, 10, 10)
    assert KNOWN[10] == 112 and KNOWN[30] == 88
    assert round(KNOWN_UCL, 4) == 108.9878
    assert round(KNOWN_LCL, 4) == 91.0122


def test_spc_flags_exactly_the_points_outside_three_sigma_of_a_known_data_set():
    result = spc(KNOWN)
    assert result.n == 42
    assert result.mean == pytest.approx(KNOWN_MEAN)
    assert result.sigma == pytest.approx(KNOWN_SIGMA)
    assert result.ucl == pytest.approx(KNOWN_UCL)
    assert result.lcl == pytest.approx(KNOWN_LCL)
    assert [i + 1 for i, out in enumerate(result.outside) if out] == KNOWN_OUTSIDE
    assert result.outside_count == 2


def test_a_point_exactly_on_a_limit_is_inside_and_tiny_sets_flag_nothing():
    # mean 0, sample σ of [-1, 1] = √2; a third point at exactly 3σ changes σ, so check the rule
    # on the computed limits instead
    result = spc([10, 10, 10, 10])
    assert result.sigma == 0 and result.outside == [False] * 4  # on the limit = inside
    assert spc([]).outside == [] and spc([5]).outside == [False] and spc([5]).ucl is None


def test_histogram_counts_every_point_once_including_the_spec_range():
    bins = histogram(KNOWN, low=95, high=105, bins=12)
    assert sum(c for _a, _b, c in bins) == 42
    assert bins[0][0] == 88 and bins[-1][1] == 112
    assert bins[0][2] == 1 and bins[-1][2] == 1  # the two outliers sit in the end bins


@pytest.mark.django_db
def test_the_page_json_and_exports_flag_the_same_points(client, django_capture_on_commit_callbacks):
    # given stuffing records with the known weights, in order (refreshed on commit)
    with django_capture_on_commit_callbacks(execute=True):
        batch, records = stuffing(KNOWN)
    assert FillWeightPoint.objects.filter(batch=batch).count() == 42
    as_user(client, users()["qc"])
    url = "/analytics/fill-weight/?article=BEAR-40"

    # when the page, the chart's JSON and its exports are fetched
    page = client.get(url)
    data = client.get(url + "&export=json&chart=spc").json()
    csv_rows = parse_csv(client.get(url + "&export=csv&chart=spc"))
    xlsx_rows = parse_xlsx(client.get(url + "&export=xlsx&chart=spc"))

    # then they agree with the hand computation
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="spc-outside"' in html and "2 / 2" in html
    assert data["extra"]["outside"] == KNOWN_OUTSIDE
    assert data["extra"]["mean"] == pytest.approx(KNOWN_MEAN, abs=1e-3)
    assert data["extra"]["sigma"] == pytest.approx(KNOWN_SIGMA, abs=1e-3)
    assert data["extra"]["ucl"] == pytest.approx(KNOWN_UCL, abs=1e-3)
    assert data["extra"]["lcl"] == pytest.approx(KNOWN_LCL, abs=1e-3)
    weights = next(s for s in data["series"] if s["key"] == "weight")
    assert weights["values"] == [float(w) for w in KNOWN]
    assert [i + 1 for i, c in enumerate(weights["point_colors"]) if c != weights["color"]] == (
        KNOWN_OUTSIDE
    )
    for rows in (csv_rows, xlsx_rows):
        header, body = rows[0], rows[1:]
        assert header[4] == "Weight (g)" and header[10] == "Outside ±3σ"
        assert [float(r[4]) for r in body] == [float(w) for w in KNOWN]
        assert [int(r[0]) for r in body if r[10] == "yes"] == KNOWN_OUTSIDE
        assert {round(float(r[6]), 3) for r in body} == {round(KNOWN_UCL, 3)}
        assert {round(float(r[7]), 3) for r in body} == {round(KNOWN_LCL, 3)}
        assert [int(r[0]) for r in body if r[11] == "yes"] == KNOWN_OUTSIDE  # 112, 88 off spec


@pytest.mark.django_db
def test_the_histogram_export_holds_the_charted_counts(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        stuffing(KNOWN)
    as_user(client, users()["manager"])
    url = "/analytics/fill-weight/?article=BEAR-40"
    data = client.get(url + "&export=json&chart=histogram").json()
    rows = parse_csv(client.get(url + "&export=csv&chart=histogram"))[1:]
    assert [int(r[2]) for r in rows] == data["series"][0]["values"]
    assert sum(int(r[2]) for r in rows) == 42
