"""Statistical process control for fill weights: an individuals chart.

Centre line: the mean of the charted weights. Limits: mean ± 3σ, where σ is the *sample
standard deviation* of the charted weights (n − 1 in the denominator), i.e. the mean and σ of
the data set on the chart, outliers included. A point is flagged when it lies strictly outside
[LCL, UCL]; a point exactly on a limit is inside. With fewer than two points there is no σ and
nothing is flagged.

(The textbook alternative, σ̂ = mean moving range / 1.128, is less affected by a single outlier;
the factory asked for limits a supervisor can recompute from the export with a spreadsheet's
AVERAGE and STDEV, so the sample σ it is.)
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

SIGMAS = 3


@dataclass(frozen=True)
class Spc:
    n: int
    mean: float | None
    sigma: float | None
    ucl: float | None
    lcl: float | None
    outside: list[bool] = field(default_factory=list)

    @property
    def outside_count(self) -> int:
        return sum(self.outside)


def spc(values: list[float]) -> Spc:
    """Mean, sample σ, the ±3σ limits and, per value, whether it lies outside them."""
    values = [float(v) for v in values]
    n = len(values)
    if n == 0:
        return Spc(0, None, None, None, None, [])
    mean = statistics.fmean(values)
    if n < 2:
        return Spc(n, mean, None, None, None, [False])
    sigma = statistics.stdev(values)
    ucl, lcl = mean + SIGMAS * sigma, mean - SIGMAS * sigma
    return Spc(n, mean, sigma, ucl, lcl, [v > ucl or v < lcl for v in values])


def histogram(values: list[float], *, low: float | None = None, high: float | None = None,
              bins: int = 12) -> list[tuple[float, float, int]]:  # fmt: skip
    """Equal-width bins over [min(values, low), max(values, high)]: (from, to, count); the last
    bin includes its upper edge."""
    values = [float(v) for v in values]
    if not values:
        return []
    lo = min([*values, *([low] if low is not None else [])])
    hi = max([*values, *([high] if high is not None else [])])
    if math.isclose(lo, hi):
        return [(lo, hi, len(values))]
    width = (hi - lo) / bins
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - lo) / width))] += 1
    return [(lo + i * width, lo + (i + 1) * width, counts[i]) for i in range(bins)]
