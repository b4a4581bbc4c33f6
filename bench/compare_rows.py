"""One row of the comparison per runtime: sizes, accuracy against Keras, latency and throughput.

Shared by `bench.compare` (every variant) and the app's Compare tab. Latency figures are the
median and p95 of `digits.stats` over raw samples, like every other latency in the project.
"""

import gzip
import time
from pathlib import Path

import numpy as np

from digits.stats import TimingPlan, summarize


def gzip_bytes(paths: list[Path]) -> int:
    """Total size of the files gzip-compressed (level 9): what a web server would send."""
    return sum(len(gzip.compress(Path(path).read_bytes(), compresslevel=9)) for path in paths)


def summarize_timings(latency_ms: list[float], batch_seconds: list[float], *, batch: int) -> dict:
    """Raw samples → the report's latency median and p95 (ms) and images/s (median batch call)."""
    latency = summarize(latency_ms)
    return {
        "latency_ms_median": latency.median,
        "latency_ms_p95": latency.p95,
        "throughput_images_per_s": batch / summarize(batch_seconds).median,
    }


def time_calls(call, model_input: np.ndarray, *, plan: TimingPlan) -> dict:
    """Time `call` on the first image `plan.runs` times after a warm-up, then on a batch; summarised."""
    one_input, batch_input = model_input[:1], model_input[: plan.throughput_batch]
    for _ in range(plan.warm_up_runs):
        call(one_input)
    latencies = []
    for _ in range(plan.runs):
        started = time.perf_counter()
        call(one_input)
        latencies.append((time.perf_counter() - started) * 1000)
    call(batch_input)
    batch_seconds = []
    for _ in range(plan.throughput_runs):
        started = time.perf_counter()
        call(batch_input)
        batch_seconds.append(time.perf_counter() - started)
    return summarize_timings(latencies, batch_seconds, batch=len(batch_input))


def run_in_batches(call, model_input: np.ndarray, *, batch_size: int = 1000) -> np.ndarray:
    """`call` over `model_input` in batches, concatenated: `(n, 10)`."""
    return np.concatenate(
        [call(model_input[start : start + batch_size]) for start in range(0, len(model_input), batch_size)]
    )


def report_row(name: str, model: str, *, paths, labels, reference, runtime, probabilities, timings) -> dict:
    """One report row (agreement / max |Δp| are None without a Keras reference)."""
    row = {
        "variant": name,
        "model": model,
        "runtime": runtime,
        "bytes": sum(Path(path).stat().st_size for path in paths),
        "gzip_bytes": gzip_bytes(paths),
        "test_accuracy": float(np.mean(probabilities.argmax(1) == labels)),
        "agreement_with_keras": None,
        "max_abs_diff": None,
    }
    if reference is not None:
        row["agreement_with_keras"] = float(np.mean(probabilities.argmax(1) == reference.argmax(1)))
        row["max_abs_diff"] = float(np.max(np.abs(probabilities - reference)))
    row.update(
        {key: float(value) for key, value in timings.items() if key.startswith(("latency", "throughput_i"))}
    )
    return row
