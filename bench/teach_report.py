"""The Markdown of `python -m bench.teach` (reports/teach.md and the README's teaching figures)."""

from bench import writers as simulated


def _odd_table(report: dict) -> list[str]:
    """Odd styles read right, before (k = 0) and after teaching k per style."""
    styles = list(simulated.ODD_STYLES)
    lines = [
        "| taught per style | odd, all writers | odd, held-out writers | worst writer | "
        + " | ".join(styles)
        + " |",
        "|---|---|---|---|" + "---|" * len(styles),
    ]
    for count, figures in [
        ("0 (model alone)", next(iter(report["by_k"].values()))),
        *report["by_k"].items(),
    ]:
        odd, when = figures["odd"], "before" if count.startswith("0") else "after"
        worst = min(value[when] for key, value in odd.items() if key.startswith("writer "))
        cells = [f"{odd['all/all'][when]:.1%}", f"{odd['held-out/all'][when]:.1%}", f"{worst:.0%}"]
        cells += [f"{odd[f'all/{style}'][when]:.0%}" for style in styles]
        lines.append(f"| {count} | " + " | ".join(cells) + " |")
    return lines


def _ordinary_table(report: dict) -> list[str]:
    """Ordinary digits lost, MNIST and the real digits, with each writer's examples in place."""
    lines = [
        "| taught per style | own plain 0–9 lost | someone else's plain 0–9 lost "
        "| MNIST test, min / mean over writers | real digits, min / mean |",
        "|---|---|---|---|---|",
    ]
    for count, figures in report["by_k"].items():
        ordinary, mnist, real = figures["ordinary"], figures["mnist"], figures.get("real_digits")
        cells = [f"{ordinary['same writer']['lost']:.2%}", f"{ordinary['other writer']['lost']:.2%}"]
        cells.append(
            f"{mnist['after_min']:.2%} / {mnist['after_mean']:.2%} (model alone {mnist['before']:.2%})"
        )
        cells.append(
            f"{real['after_min']:.1%} / {real['after_mean']:.1%} (model alone {real['before']:.1%})"
            if real
            else "–"
        )
        lines.append(f"| {count} | " + " | ".join(cells) + " |")
    return lines


def markdown(report: dict) -> str:
    """Render the report as a README-ready Markdown section."""
    cost = report["adapt_cost"]
    lines = [
        f"Variant {report['variant']}; {report['writers']} simulated writers, "
        f"{report['test_renditions']} test renditions per style each; the constants were chosen on "
        f"writers {report['tuning_writers']}, the others are held out.",
        "",
        *_odd_table(report),
        "",
        *_ordinary_table(report),
        "",
        f"Forget gives back the model's own probabilities bit for bit: {report['forget']}. `adapt` in numpy "
        f"with {cost['examples']} examples: {cost['median_ms']:.3f} ms median, {cost['p95_ms']:.3f} ms p95 "
        f"per digit ({report['machine']}).",
    ]
    javascript = report.get("javascript_cost")
    if javascript:
        lines[-1] += (
            f" `web/teach.js` in node with {javascript['examples']} examples: teaching one "
            f"{javascript['add_ms']['median']:.2f} ms, adapting one digit "
            f"{javascript['adapt_ms']['median']:.3f} ms (medians)."
        )
    return "\n".join(lines) + "\n"
