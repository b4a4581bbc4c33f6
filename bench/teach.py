"""Simulated writers through the teach feature: `python -m bench.teach` → reports/teach.{md,json}.

Each simulated writer (`bench.writers`) draws every odd style (flagged 1, European 1, closed 4,
crossed 7, open 9, slanted 6) and every ordinary digit; renditions are painted like the page's pad
and read through the image path and the release's ONNX model (probabilities + embedding). Then:

- odd digits: the writer's 20 test renditions of each style, before and after teaching the first
  k = 1, 3, 5 of 5 separate teaching renditions of every odd style;
- ordinary digits: the same writer's plain 0–9 and the next writer's (someone else's) plain 0–9,
  before and after, with the first writer's examples in place;
- MNIST: the 10,000 test digits through the adapted classifier with each writer's examples;
- real digits: `../shared/realdigits` (drawn and photographed) with each writer's examples;
- the cost of `adapt` per digit in numpy (the page's figure is measured by the page benchmark).

The method's constants were chosen on writers 0–11; writers 12–23 were held out, and the report
gives both groups. Nothing here is a test: it measures.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench import writers as simulated
from bench.anchors import anchors_path, release_anchors
from bench.teach_report import markdown
from digits.anchors import Anchors, read_anchors, write_anchors
from digits.examples import Examples, adapt, empty_examples, make_examples, write_examples
from digits.files import write_atomically
from digits.manifest import DEFAULT_MODELS_DIR, find_entry, read_manifest
from digits.stats import summarize

WRITER_COUNT = 24  # writers 0…23
TUNING_WRITERS = range(12)  # the constants were chosen on these; 12…23 are held out
TEACH_COUNTS = (1, 3, 5)  # examples taught per odd style
TEACH_RENDITIONS = max(TEACH_COUNTS)  # drawn separately from the test renditions
TEST_RENDITIONS = 20  # per writer and style
REAL_DIGITS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "realdigits"
REPORTS_DIR = Path(__file__).resolve().parents[1] / "reports"


def draw_writers(classifier, writer_count: int) -> dict:
    """(writer, style, "teach" | "test") → (pixels (n, 28, 28), probabilities (n, 10), embedding (n, d))."""
    outputs = {}
    for seed in range(writer_count):
        writer = simulated.make_writer(seed)
        for style in [*simulated.ODD_STYLES, *range(10)]:
            for kind, count, rendition_seed in (("teach", TEACH_RENDITIONS, 1), ("test", TEST_RENDITIONS, 2)):
                images = simulated.renditions(writer, style, count, seed=rendition_seed)
                result = classifier.predict_with_embedding(images)
                outputs[(seed, style, kind)] = (images, result["probabilities"], result["embedding"])
    return outputs


@dataclass(frozen=True)
class Study:
    """The drawn writers and what teaching is measured with."""

    outputs: dict  # draw_writers()
    writers: list  # writer seeds, in order
    anchors: Anchors
    model: str  # the manifest's model name, e.g. "cnn"

    def taught(self, writer: int, count: int) -> Examples:
        """Return the examples a writer teaches: the first `count` teaching renditions of every odd style."""
        keys = [(writer, style, "teach") for style in simulated.ODD_STYLES]
        digits = np.repeat([truth for truth, _ in simulated.ODD_STYLES.values()], count)
        pixels = np.concatenate([self.outputs[key][0][:count] for key in keys])
        return make_examples(
            self.model, digits, pixels, np.concatenate([self.outputs[key][2][:count] for key in keys])
        )

    def read(self, probabilities, embeddings, writer: int, count: int) -> np.ndarray:
        """Return the digits read with `writer`'s `count` examples per style in place: int `(n,)`."""
        examples = self.taught(writer, count)
        return adapt(probabilities, embeddings, examples, self.anchors).probabilities.argmax(axis=1)


def odd_figures(study: Study, count: int) -> dict:
    """Odd styles read right before/after teaching `count` per style: per group, style and writer."""
    tally = {}  # (group, style) → [renditions, right before, right after]
    for writer in study.writers:
        group = "tuning" if writer in TUNING_WRITERS else "held-out"
        for style, (truth, _) in simulated.ODD_STYLES.items():
            _, probabilities, embeddings = study.outputs[(writer, style, "test")]
            after = study.read(probabilities, embeddings, writer, count)
            result = (len(after), (probabilities.argmax(axis=1) == truth).sum(), (after == truth).sum())
            for key in (
                (group, style),
                (group, "all"),
                ("all", style),
                ("all", "all"),
                (f"writer {writer}", "all"),
            ):
                tally[key] = [int(a + b) for a, b in zip(tally.get(key, [0, 0, 0]), result, strict=True)]
    return {
        f"{group}/{style}": {"n": n, "before": b / n, "after": a / n}
        for (group, style), (n, b, a) in tally.items()
    }


def ordinary_figures(study: Study, count: int) -> dict:
    """Plain 0–9 of the same writer and of the next writer: share lost with the first's examples."""
    figures = {}
    for who, offset in (("same writer", 0), ("other writer", 1)):
        total = lost = 0
        for index, writer in enumerate(study.writers):
            drawer = study.writers[(index + offset) % len(study.writers)]
            for digit in range(10):
                _, probabilities, embeddings = study.outputs[(drawer, digit, "test")]
                after = study.read(probabilities, embeddings, writer, count)
                total += len(after)
                lost += int(((probabilities.argmax(axis=1) == digit) & (after != digit)).sum())
        figures[who] = {"n": total, "lost": lost / total}
    return figures


def dataset_figures(study: Study, count: int, probabilities, embeddings, labels) -> dict:
    """Accuracy of a labelled set alone, and with each writer's examples (min / mean / max)."""
    accuracies = [
        float((study.read(probabilities, embeddings, w, count) == labels).mean()) for w in study.writers
    ]
    before = float((probabilities.argmax(axis=1) == labels).mean())
    mean = float(np.mean(accuracies))
    return {"n": len(labels), "before": before, "after_min": min(accuracies), "after_mean": mean}


def real_digits(classifier):
    """Read the shared real photos and drawings (`NNN_<digit>.png`) through the image path, or None."""
    from digits.image import ImageError, preprocess_image

    images, labels = [], []
    for path in sorted(REAL_DIGITS_DIR.glob("*_[0-9].png")):
        try:
            image = preprocess_image(path)
        except ImageError:
            continue
        if image is not None:
            images.append(image)
            labels.append(int(path.stem.split("_")[-1]))
    if not images:
        return None
    result = classifier.predict_with_embedding(np.stack(images))
    return result["probabilities"], result["embedding"], np.asarray(labels)


def adapt_cost_ms(study: Study) -> dict:
    """Milliseconds per digit for `adapt` on one digit at a time, with 30 examples (numpy)."""
    examples, anchors = study.taught(study.writers[0], TEACH_RENDITIONS), study.anchors
    _, probabilities, embeddings = study.outputs[(study.writers[0], 7, "test")]
    samples = []
    for run in range(200):
        row = run % len(probabilities)
        start = time.perf_counter()
        adapt(probabilities[row : row + 1], embeddings[row : row + 1], examples, anchors)
        samples.append((time.perf_counter() - start) * 1000)
    summary = summarize(samples)
    return {"examples": len(examples), "median_ms": summary.median, "p95_ms": summary.p95}


def javascript_cost_ms(study: Study, count: int = 30) -> dict | None:
    """`web/teach.js` in node (bench/teach_timing.js): ms to teach one example and to adapt one digit."""
    node = shutil.which("node")
    if node is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        write_anchors(Path(folder) / "anchors.json", study.anchors)
        write_examples(Path(folder) / "examples.json", study.taught(study.writers[0], TEACH_RENDITIONS))
        command = [
            node,
            str(Path(__file__).with_name("teach_timing.js")),
            *(str(Path(folder) / name) for name in ("anchors.json", "examples.json")),
            str(count),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(result.stdout)


def _anchors(arguments, model: str, data) -> tuple[Anchors, str]:
    """Return the shipped anchors (or `--anchors`), else those built as `python -m bench.anchors` does."""
    anchors_file = arguments.anchors or anchors_path(arguments.models_dir, model)
    shown = os.path.relpath(anchors_file, REPORTS_DIR.parent)
    if Path(anchors_file).is_file():
        return read_anchors(anchors_file), shown
    anchors = release_anchors(arguments.models_dir, model, data.train_images, data.train_labels)
    return anchors, f"built as python -m bench.anchors does ({shown} absent)"


def measure(arguments) -> dict:
    """Run every measurement of the module docstring; returns the report as plain JSON values."""
    from digits.model import OnnxClassifier
    from train.data import load_mnist

    entry = find_entry(read_manifest(Path(arguments.models_dir)), arguments.variant)
    classifier = OnnxClassifier(Path(arguments.models_dir) / entry["files"][0], entry=entry, threads=2)
    data = load_mnist(arguments.data_dir)
    anchors, anchors_source = _anchors(arguments, entry["model"], data)
    writers = list(range(arguments.writers))
    study = Study(draw_writers(classifier, arguments.writers), writers, anchors, entry["model"])
    mnist = classifier.predict_with_embedding(data.test_images.astype(np.float32) / 255.0)
    mnist_rows = (mnist["probabilities"], mnist["embedding"], data.test_labels.astype(np.int64))
    real = real_digits(classifier)
    report = {
        "variant": arguments.variant,
        "anchors": anchors_source,
        "writers": arguments.writers,
        "tuning_writers": f"0-{max(TUNING_WRITERS)}",
        "test_renditions": TEST_RENDITIONS,
        "by_k": {},
    }
    for count in TEACH_COUNTS:
        figures = {"odd": odd_figures(study, count), "ordinary": ordinary_figures(study, count)}
        figures["mnist"] = dataset_figures(study, count, *mnist_rows)
        if real is not None:
            figures["real_digits"] = dataset_figures(study, count, *real)
        report["by_k"][str(count)] = figures
    report["forget"] = _forget_check(mnist, anchors, entry["model"])
    report["adapt_cost"] = adapt_cost_ms(study)
    report["javascript_cost"] = javascript_cost_ms(study)
    report["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} (shared)"
    )
    return report


def _forget_check(mnist: dict, anchors, model: str) -> bool:
    """With no examples (after forget) the adapted probabilities equal the model's, bit for bit."""
    adapted = adapt(
        mnist["probabilities"], mnist["embedding"], empty_examples(model, anchors.embedding_size), anchors
    )
    return bool(np.array_equal(adapted.probabilities, mnist["probabilities"]) and not adapted.changed.any())


def main(argv=None) -> int:
    """Measure, write reports/teach.json and reports/teach.md, print the Markdown."""
    parser = argparse.ArgumentParser(prog="python -m bench.teach", description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="cnn-onnx-fp32", help="an ONNX variant of the manifest")
    parser.add_argument("--models-dir", type=Path, default=DEFAULT_MODELS_DIR, help="release dir")
    parser.add_argument(
        "--anchors", type=Path, default=None, help="default: <models-dir>/<model>/anchors.json"
    )
    parser.add_argument(
        "--writers", type=int, default=WRITER_COUNT, help=f"how many (default {WRITER_COUNT})"
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="MNIST dir (default: $MNIST_DATA_DIR)")
    parser.add_argument("--out", type=Path, default=REPORTS_DIR, help="folder for teach.json / teach.md")
    arguments = parser.parse_args(argv)
    if arguments.writers < 2:
        parser.error(
            f"--writers must be at least 2 (ordinary digits use the next writer), got {arguments.writers}"
        )
    report = measure(arguments)
    text = markdown(report)
    write_atomically(arguments.out / "teach.json", json.dumps(report, indent=1) + "\n")
    write_atomically(arguments.out / "teach.md", text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
