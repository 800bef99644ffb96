"""Builders for the analytics tests."""

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext

from finishing.models import StuffingRecord
from tests.factories import ArticleFactory
from tests.transfers.helpers import line, released_batches, users

# A known data set for the SPC chart (grams): 40 toys around 100 g (twenty at 100, ten at 102,
# ten at 98) and two outliers, 112 g (point 11) and 88 g (point 31). By hand:
#   n = 42, sum = 4200, mean = 100
#   squared deviations: 10·2² + 10·2² + 12² + 12² = 40 + 40 + 144 + 144 = 368
#   sample σ = √(368 / 41) = √8.97561 = 2.99593
#   UCL = 100 + 3σ = 108.98780, LCL = 100 − 3σ = 91.01220
# so exactly points 11 (112 g) and 31 (88 g) lie outside; 102 and 98 are well inside.
_BASE = [100, 102, 98] * 10  # ten of each
KNOWN = [*_BASE[:10], 112, *_BASE[10:20], *[100] * 9, 88, *_BASE[20:], 100]
KNOWN_MEAN = 100.0
KNOWN_SIGMA = (368 / 41) ** 0.5
KNOWN_UCL = 100 + 3 * KNOWN_SIGMA
KNOWN_LCL = 100 - 3 * KNOWN_SIGMA
KNOWN_OUTSIDE = [11, 31]  # 1-based positions


def as_user(client, user):
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def stuffing(weights, *, per_record=7, article="BEAR-40", line_code="FIN-1"):
    """Stuffing records carrying ``weights`` in order (``per_record`` toys each), written the
    way the finishing service writes them (decimal strings)."""
    ArticleFactory(code=article, fill_weight_g=100, fill_tolerance_g=5)
    batch = released_batches(quantity=len(weights) + 10, article=article)[0]
    user = users()["finishing"]
    records = []
    for i in range(0, len(weights), per_record):
        chunk = weights[i : i + per_record]
        records.append(
            StuffingRecord.objects.create(
                batch=batch,
                line=line(line_code),
                quantity=len(chunk),
                target_g="100.00",
                tolerance_g="5.00",
                sample_weights_g=[f"{w:.2f}" for w in chunk],
                out_of_tolerance=sum(1 for w in chunk if not 95 <= w <= 105),
                user=user,
            )  # fmt: skip
        )
    return batch, records


def parse_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def parse_xlsx(response) -> list[list]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)
