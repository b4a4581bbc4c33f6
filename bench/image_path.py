"""Measure the image path (`digits.image`): how well real and rendered digit images are read.

    .venv/bin/python -m bench.image_path [--model web/models/cnn/onnx-fp32/model.onnx]
        [--realdigits ../shared/realdigits] [--mnist-count 10000] [--data-dir …]

Writes `reports/image_path.{json,md}`:
- real digit images (`SOURCES.tsv`: file, digit, kind): accuracy by kind (photo, drawn), each
  file through `preprocess_image` then the model, and through the edge CLI
  (`python -m digits.predict MODEL FILES --json`, its number compared with the file's digit);
- MNIST test digits written to files in each rendering (`tests/golden/renderings.py`: PNG, JPEG,
  inverted, tight crop, thinned, thickened, paper photo) and read back through the whole path;
- blank paper photos (shadows 0 to 0.45 deep) read as `no digit`;
- the time to clean a 12-megapixel photo (`load_image`, best of 3).
"""

import argparse
import csv
import importlib.util
import json
import pathlib
import subprocess
import sys
import time

import numpy as np

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))

from digits.files import write_atomically  # noqa: E402
from digits.image import load_image, preprocess_image  # noqa: E402
from digits.model import OnnxClassifier  # noqa: E402

DEFAULT_MODEL = REPOSITORY / "web" / "models" / "cnn" / "onnx-fp32" / "model.onnx"
DEFAULT_REAL = REPOSITORY.parent / "shared" / "realdigits"
REPORT_DIR = REPOSITORY / "reports"
PHOTO_SIZE = (3000, 4000)  # 12 megapixels, (height, width)
RENDERING_NOTES = {  # what each rendering of tests/golden/renderings.py is, for the report
    "png": "the 28×28 digit as a PNG",
    "jpeg": "the same as JPEG, quality 75",
    "inverted": "dark on white PNG",
    "tight": "dark on white, cropped to the ink's box (the ink touches every side)",
    "thinned": "drawn 4× larger with a solid pen, thinned to its 3-px skeleton (under 1 px at 28)",
    "thickened": "drawn 4× larger with a solid pen, a 7×7 max filter (strokes 4–5 px at 28)",
    "paper_photo": "120 px tall, dark on 200×160 paper with a gradient, a shadow and noise, JPEG 85",
}


def load_renderings():
    """`tests/golden/renderings.py` as a module (the tests' and this bench's one copy)."""
    path = REPOSITORY / "tests" / "golden" / "renderings.py"
    spec = importlib.util.spec_from_file_location("renderings", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read(classifier: OnnxClassifier, sources: list) -> list:
    """Each source (path or bytes) through the image path and the model: digit, or None for blank."""
    images = [preprocess_image(source) for source in sources]
    found = [index for index, image in enumerate(images) if image is not None]
    predicted = [None] * len(sources)
    if found:
        probabilities = classifier.predict(np.stack([images[index] for index in found]))
        for index, digit in zip(found, probabilities.argmax(axis=1), strict=True):
            predicted[index] = int(digit)
    return predicted


def real_digits(classifier: OnnxClassifier, folder: pathlib.Path) -> dict:
    """Accuracy on the real images by kind, and the files read wrong."""
    with open(folder / "SOURCES.tsv", newline="") as file:
        rows = list(csv.DictReader(file, delimiter="\t"))
    predicted = read(classifier, [folder / row["file"] for row in rows])
    by_kind, wrong = {}, []
    for row, digit in zip(rows, predicted, strict=True):
        right = digit == int(row["digit"])
        counts = by_kind.setdefault(row["kind"], [0, 0])
        counts[0] += right
        counts[1] += 1
        if not right:
            wrong.append(
                {"file": row["file"], "kind": row["kind"], "digit": int(row["digit"]), "read": digit}
            )
    total = [sum(counts[0] for counts in by_kind.values()), len(rows)]
    kinds = {kind: {"right": r, "total": n, "accuracy": r / n} for kind, (r, n) in sorted(by_kind.items())}
    return {
        "kinds": kinds,
        "right": total[0],
        "total": total[1],
        "accuracy": total[0] / total[1],
        "wrong": wrong,
    }


def real_digits_cli(model: pathlib.Path, folder: pathlib.Path) -> dict:
    """Accuracy on the real images by kind through the edge CLI (`python -m digits.predict --json`).

    A file is read right when the number read is its one digit.
    """
    with open(folder / "SOURCES.tsv", newline="") as file:
        rows = list(csv.DictReader(file, delimiter="\t"))
    files = [str(folder / row["file"]) for row in rows]
    command = [sys.executable, "-m", "digits.predict", str(model), *files, "--json"]
    completed = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True, timeout=1800)
    records = {pathlib.Path(record["image"]).name: record for record in json.loads(completed.stdout)}
    by_kind, wrong = {}, []
    for row in rows:
        read_as = records.get(row["file"], {}).get("number")
        counts = by_kind.setdefault(row["kind"], [0, 0])
        counts[0] += read_as == row["digit"]
        counts[1] += 1
        if read_as != row["digit"]:
            wrong.append(
                {"file": row["file"], "kind": row["kind"], "digit": int(row["digit"]), "read": read_as}
            )
    right = sum(counts[0] for counts in by_kind.values())
    kinds = {kind: {"right": r, "total": n, "accuracy": r / n} for kind, (r, n) in sorted(by_kind.items())}
    return {"kinds": kinds, "right": right, "total": len(rows), "accuracy": right / len(rows), "wrong": wrong}


def mnist_renderings(classifier: OnnxClassifier, data_dir, count: int) -> dict:
    """Accuracy of MNIST test digits written to files in each rendering and read back."""
    from train.data import load_mnist

    data = load_mnist(data_dir)
    images, labels = data.test_images[:count], data.test_labels[:count].astype(int)
    renderings = load_renderings().RENDERINGS
    results = {}
    for name, render in renderings.items():
        start = time.perf_counter()
        predicted = read(classifier, [render(digit, seed) for seed, digit in enumerate(images)])
        right = sum(digit == label for digit, label in zip(predicted, labels, strict=True))
        blank = sum(digit is None for digit in predicted)
        results[name] = {
            "right": int(right),
            "total": len(labels),
            "accuracy": right / len(labels),
            "blank": blank,
            "seconds": round(time.perf_counter() - start, 1),
        }
        print(f"{name}: {right}/{len(labels)} ({right / len(labels):.2%}), {blank} blank", flush=True)
    return results


def blank_pages(count: int = 20) -> dict:
    """Share of blank paper photos (no digit, a shadow `depth` deep) read as `no digit`, by depth."""
    renderings = load_renderings()
    results = {}
    for depth in (0.0, 0.1, 0.2, 0.3, 0.45):
        blank = 0
        for seed in range(count):
            scene = renderings.paper_scene(np.zeros((10, 10)), size=(150, 180), seed=seed, shadow=depth)
            blank += preprocess_image(renderings.encode(scene, "JPEG", quality=85)) is None
        results[str(depth)] = {"blank": blank, "total": count}
    return results


def photo_time(repeats: int = 3) -> dict:
    """Seconds to clean a 12-MP JPEG phone photo of a digit (best of `repeats`)."""
    renderings = load_renderings()
    digit = np.zeros((28, 28), dtype=np.uint8)
    digit[4:24, 12:16] = 255  # a "1"
    height, width = PHOTO_SIZE
    scene = renderings.paper_scene(renderings.upscale(digit, 1600), size=(height, width), seed=0)
    data = renderings.encode(scene, "JPEG", quality=90)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        load_image(data)
        times.append(time.perf_counter() - start)
    return {"size": f"{width}×{height}", "format": "JPEG", "seconds": round(min(times), 3)}


def real_table(real: dict, title: str) -> list[str]:
    """Markdown lines: accuracy on the real images by kind, and the files read wrong."""
    lines = [f"## Real digit images through {title}", "", "| kind | right | accuracy |", "|---|---|---|"]
    for kind, counts in real["kinds"].items():
        lines.append(f"| {kind} | {counts['right']}/{counts['total']} | {counts['accuracy']:.1%} |")
    lines += [f"| all | {real['right']}/{real['total']} | {real['accuracy']:.1%} |", ""]
    wrong = ", ".join(f"{w['file']} → {w['read']}" for w in real["wrong"]) or "none"
    return [*lines, f"Read wrong: {wrong}", ""]


def markdown(report: dict) -> str:
    """Render the report as a short Markdown page."""
    lines = [
        "# The image path, measured",
        "",
        f"Model: `{report['model']}`. Command: `{report['command']}`.",
        "",
    ]
    for key, title in (("real", "`preprocess_image` (one digit per file)"), ("real_cli", "the edge CLI")):
        if report.get(key):
            lines += real_table(report[key], title)
    if report.get("mnist"):
        lines += [
            "## MNIST test digits written to files and read back",
            "",
            "| rendering | right | accuracy | blank |",
            "|---|---|---|---|",
        ]
        for name, row in report["mnist"].items():
            lines.append(
                f"| {name} | {row['right']}/{row['total']} | {row['accuracy']:.2%} | {row['blank']} |"
            )
        notes = [f"- {name}: {note}" for name, note in RENDERING_NOTES.items() if name in report["mnist"]]
        lines += ["", *notes, ""]
    if report.get("blank"):
        cells = " | ".join(f"{row['blank']}/{row['total']}" for row in report["blank"].values())
        lines += [
            "## Blank paper photos read as `no digit`, by the depth of a shadow on them",
            "",
            "| " + " | ".join(report["blank"]) + " |",
            "|" + "---|" * len(report["blank"]),
            f"| {cells} |",
            "",
        ]
    if report.get("photo"):
        photo = report["photo"]
        lines += [
            f"Cleaning a {photo['size']} {photo['format']} photo (`load_image`): {photo['seconds']} s.",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure, print and write `reports/image_path.{json,md}`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=pathlib.Path, default=DEFAULT_MODEL)
    parser.add_argument("--realdigits", type=pathlib.Path, default=DEFAULT_REAL)
    parser.add_argument(
        "--mnist-count", type=int, default=10_000, help="MNIST test digits per rendering (0: skip)"
    )
    parser.add_argument(
        "--data-dir", default=None, help="MNIST files (default: MNIST_DATA_DIR, cache, download)"
    )
    parser.add_argument("--no-photo", action="store_true", help="skip timing the 12-MP photo")
    arguments = parser.parse_args(argv)
    classifier = OnnxClassifier(arguments.model)
    report = {
        "model": str(arguments.model.relative_to(REPOSITORY))
        if arguments.model.is_relative_to(REPOSITORY)
        else str(arguments.model),
        "command": " ".join(["python -m bench.image_path", *(argv or sys.argv[1:])]),
    }
    if (arguments.realdigits / "SOURCES.tsv").is_file():
        report["real"] = real_digits(classifier, arguments.realdigits)
        print(
            f"real: {report['real']['right']}/{report['real']['total']}", report["real"]["kinds"], flush=True
        )
        report["real_cli"] = real_digits_cli(arguments.model, arguments.realdigits)
        print(f"real (CLI): {report['real_cli']['right']}/{report['real_cli']['total']}", flush=True)
    if arguments.mnist_count > 0:
        report["mnist"] = mnist_renderings(classifier, arguments.data_dir, arguments.mnist_count)
    report["blank"] = blank_pages()
    print("blank pages:", report["blank"], flush=True)
    if not arguments.no_photo:
        report["photo"] = photo_time()
        print(f"12-MP photo: {report['photo']['seconds']} s")
    write_atomically(REPORT_DIR / "image_path.json", json.dumps(report, indent=1) + "\n")
    write_atomically(REPORT_DIR / "image_path.md", markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
