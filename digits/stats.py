"""The one definition of every latency figure: median and 95th percentile of raw samples.

Timing loops (compare in Python, the TF.js runner in node, the page benchmark in Chromium) return
their raw samples; they are summarised here, so figures from different tools are comparable.
"""

import math
import statistics
from dataclasses import dataclass

P95 = 0.95


@dataclass(frozen=True)
class TimingPlan:
    """How one runtime is timed: the same plan in Python (compare) and in node (the TF.js runner)."""

    runs: int  # timed one-image calls, after the warm-up
    warm_up_runs: int = 20  # untimed one-image calls first (kernels compile, caches fill)
    throughput_batch: int = 256  # images per call when measuring throughput
    throughput_runs: int = 20  # timed batch calls; throughput uses their median


@dataclass(frozen=True)
class Summary:
    """Median, 95th percentile (nearest rank) and mean of samples, in the samples' unit."""

    median: float
    p95: float
    mean: float
    count: int


def percentile(samples, fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least `fraction` of them at or below it.

    Raises `ValueError` for no samples or a fraction outside (0, 1].
    """
    ordered = sorted(float(sample) for sample in samples)
    if not ordered:
        raise ValueError("no samples to summarise")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summarize(samples) -> Summary:
    """Median, p95 and mean of a non-empty sequence of numbers (`ValueError` when empty)."""
    values = [float(sample) for sample in samples]
    if not values:
        raise ValueError("no samples to summarise")
    return Summary(
        median=statistics.median(values),
        p95=percentile(values, P95),
        mean=statistics.fmean(values),
        count=len(values),
    )
