"""Summarise and render `python -m bench.load`: one row per level, the memory probe, the machine."""

import statistics

from digits.stats import summarize

WARM_UP_FRACTION = 1 / 3  # memory before this share of a level's time counts as warm-up
TIMELINE_STEP_S = 5.0  # the JSON keeps one memory sample every 5 s


def _median(values) -> float | None:
    return statistics.median(values) if values else None


def memory_over_time(samples: list) -> dict:
    """Server RSS (MB): at start, after warm-up, at the end, at most; and a 5-s timeline."""
    if not samples:
        return {}
    end_time = samples[-1][0]
    warm = [rss for elapsed, rss in samples if elapsed >= WARM_UP_FRACTION * end_time]
    timeline, next_time = [], 0.0
    for elapsed, rss in samples:
        if elapsed >= next_time:
            timeline.append([round(elapsed, 1), round(rss, 1)])
            next_time = elapsed + TIMELINE_STEP_S
    return {
        "start": round(samples[0][1], 1),
        "after_warm_up": round(warm[0], 1),
        "end": round(samples[-1][1], 1),
        "max": round(max(rss for _, rss in samples), 1),
        "timeline": timeline,
    }


def level_summary(record) -> dict:
    """Summarise one level (a `bench.load.Record`): latency, uploads, errors, memory, CPU, load."""
    drawing = summarize(record.drawing_ms) if record.drawing_ms else None
    steady = summarize(record.steady_drawing_ms) if record.steady_drawing_ms else None
    cpu, actions = record.steady.get("server_cpu_s", 0.0), record.steady.get("actions", 0)
    load = [value for _, value in record.load_average]
    return {
        "sessions": record.sessions,
        "drawings": len(record.drawing_ms),
        "drawing_ms_median": drawing.median if drawing else None,
        "drawing_ms_p95": drawing.p95 if drawing else None,
        "drawing_ms_max": max(record.drawing_ms) if record.drawing_ms else None,
        "steady_drawings": len(record.steady_drawing_ms),
        "steady_drawing_ms_median": steady.median if steady else None,
        "steady_drawing_ms_p95": steady.p95 if steady else None,
        "uploads_read": len(record.upload_s),
        "upload_s_median": _median(record.upload_s),
        "lost_uploads": record.lost_uploads,
        "compare_s_median": _median(record.compare_s),
        "page_load_s_median": _median(record.page_load_s),
        "errors": record.errors,
        "memory_mb": memory_over_time(record.memory),
        "steady_seconds": round(record.steady.get("seconds", 0.0), 1),
        "steady_server_cpu_s": round(cpu, 1),
        "steady_browsers_cpu_s": round(record.steady.get("browsers_cpu_s", 0.0), 1),
        "server_cpu_ms_per_action": round(1000 * cpu / actions, 1) if actions else None,
        "load_average_median": round(statistics.median(load), 2) if load else None,
        "load_average_max": round(max(load), 2) if load else None,
    }


def memory_summary(count: int, samples: list, outcomes: list, *, png_bytes: int) -> dict:
    """Server RSS (MB) around `count` simultaneous big uploads: before, at peak, 10 s after."""
    before = [rss for elapsed, rss in samples if elapsed <= 1.0] or [samples[0][1]]
    after = [rss for elapsed, rss in samples if elapsed >= samples[-1][0] - 2.0]
    baseline, peak = statistics.median(before), max(rss for _, rss in samples)
    return {
        "uploads": count,
        "png_bytes": png_bytes,
        "read": sum(outcome is not None for outcome in outcomes),
        "seconds_to_read": [round(outcome, 2) for outcome in outcomes if outcome is not None],
        "rss_before_mb": round(baseline, 1),
        "rss_peak_mb": round(peak, 1),
        "rise_mb": round(peak - baseline, 1),
        "rss_after_mb": round(statistics.median(after), 1),
        "kept_mb": round(statistics.median(after) - baseline, 1),
    }


def _figure(value, pattern: str) -> str:
    return "—" if value is None else pattern.format(value)


def level_rows(levels: list[dict]) -> list[str]:
    """Markdown table: one row per level."""
    lines = [
        "| sessions | drawings (all pages loaded) | mouse-up → Prediction median / p95 | all drawings"
        " median / p95 / max | uploads read / lost | upload median | Compare median | page load median |"
        " errors | server RSS start → warm → end (max) | server CPU per action |"
        " CPU used: server / browsers | load average median / max |",
        "|---:|---:|---|---|---|---:|---:|---:|---:|---|---:|---|---|",
    ]
    for level in levels:
        memory = level["memory_mb"]
        latency = " / ".join(
            _figure(level[key], "{:.0f}") for key in ("drawing_ms_median", "drawing_ms_p95", "drawing_ms_max")
        )
        steady = " / ".join(
            _figure(level[key], "{:.0f}") for key in ("steady_drawing_ms_median", "steady_drawing_ms_p95")
        )
        cells = [
            level["sessions"],
            f"{level['drawings']} ({level['steady_drawings']})",
            f"**{steady} ms**",
            f"{latency} ms",
            f"{level['uploads_read']} / {len(level['lost_uploads'])}",
            _figure(level["upload_s_median"], "{:.2f} s"),
            _figure(level["compare_s_median"], "{:.2f} s"),
            _figure(level["page_load_s_median"], "{:.2f} s"),
            len(level["errors"]),
            " → ".join(str(memory.get(key)) for key in ("start", "after_warm_up", "end"))
            + f" ({memory.get('max')}) MB",
            _figure(level["server_cpu_ms_per_action"], "{:.0f} ms"),
            f"{level['steady_server_cpu_s']} s / {level['steady_browsers_cpu_s']} s"
            f" in {level['steady_seconds']} s",
            f"{level['load_average_median']} / {level['load_average_max']}",
        ]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    return lines


def probe_rows(probe: list[dict]) -> list[str]:
    """Markdown table: the 6000×6000 PNG memory probe."""
    lines = [
        "| 6000×6000 PNGs at once | read | server RSS before | peak | rise | 10 s after | kept |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in probe:
        lines.append(
            f"| {row['uploads']} ({row['png_bytes'] / 1e3:.0f} KB each) | {row['read']} / {row['uploads']} | "
            f"{row['rss_before_mb']} MB | {row['rss_peak_mb']} MB | **{row['rise_mb']} MB** | "
            f"{row['rss_after_mb']} MB | {row['kept_mb']} MB |"
        )
    return lines


def to_markdown(report: dict) -> str:
    """Render the report as markdown: how it was measured, the machine, the tables, the errors."""
    machine = report["machine"]
    lines = [
        "# Streamlit app under load (`make load`)",
        "",
        f"Measured {report['measured']} by `python -m bench.load`: each level starts `streamlit run`"
        f" on loopback and drives that many Chromium sessions for {report['duration_s']:.0f} s on the"
        " same machine (server and browsers share the cores). A session draws a digit and waits for it"
        " in the Prediction metric (timed in the page from the last `pointerup`), clears the pad;"
        " every 4th action uploads a new photo right after clicking the Upload tab; every 6th opens"
        " the Compare tab.",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, Python"
        f" {machine['python']}; load average (1, 5, 15 min) {machine['load_average_at_start']} at the start,"
        f" {machine.get('load_average_at_end')} at the end (a shared machine: other jobs were running).",
        "",
        *level_rows(report["levels"]),
        "",
    ]
    if report.get("memory_probe"):
        lines += ["Memory probe (server RSS sampled at 20 Hz):", "", *probe_rows(report["memory_probe"]), ""]
    errors = [error for level in report["levels"] for error in level["errors"]]
    if errors:
        lines += ["Errors (first 10):", "", *(f"- {error}" for error in errors[:10]), ""]
    return "\n".join(lines)
