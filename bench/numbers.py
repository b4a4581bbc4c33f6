"""Numbers read whole by the edge CLI: MNIST test digits composed into numbers, written as image files.

    python -m bench.numbers [--model web/models/cnn/onnx-fp32/model.onnx] [--per-cell 40] [--seed 9]

Numbers of 2-6 digits are composed from MNIST TEST digits (each cropped to its ink, the next one
`gap` MNIST pixels to the right of the previous one's ink: 6, 4, 2, 1, 0), on black (a PNG, as a
screenshot) and on paper (3× larger, dark ink on uneven light paper with sensor noise, as a phone
photo gives). Pairs are also pushed together until their ink touches ("touching"), and 1 px further
("overlapping"). Each file is read by `digits.predict.classify`, the CLI's own code path; a number
is right only when every digit is. Single digits (MNIST test and /work/shared/realdigits) are read
both ways: the whole image as one digit (the path before segmentation) and segmented.
Writes reports/numbers.json and reports/numbers.md.
"""

import argparse
import json
import pathlib
import random
import tempfile
import time

import numpy as np
from PIL import Image

from digits.constants import INK_THRESHOLD
from digits.files import write_atomically
from digits.image import preprocess_array as preprocess_image_array
from digits.image import preprocess_image
from digits.image.segment import label_pieces
from digits.model import OnnxClassifier
from digits.predict import classify

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_MODEL = REPOSITORY / "web" / "models" / "cnn" / "onnx-fp32" / "model.onnx"
REAL_DIGITS = pathlib.Path("/work/shared/realdigits")
GAPS = (6, 4, 2, 1, 0)  # MNIST pixels between one digit's ink and the next (a digit is ~20 px tall)
LENGTHS = (2, 3, 4, 5, 6)  # digits per number
BACKGROUNDS = ("black", "paper")
PAPER_SCALE = 3  # paper numbers are this many times larger (a photo, not a 28-px screenshot)
MARGIN = 6  # MNIST pixels of background around the number
INK_LEVEL = round(INK_THRESHOLD * 255)  # a digit's ink, for its crop and for "touching"


def digit_ink(image: np.ndarray) -> np.ndarray:
    """Crop an MNIST digit uint8 `(28, 28)` to its ink (pixels above the image path's threshold)."""
    rows = np.flatnonzero((image > INK_LEVEL).any(axis=1))
    columns = np.flatnonzero((image > INK_LEVEL).any(axis=0))
    return image[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]


def compose(inks: list[np.ndarray], gaps: list[int], *, shifts: list[int] | None = None) -> np.ndarray:
    """Digits' inks uint8 side by side, `gaps[k]` px between ink k and k + 1 (negative: overlap).

    Each digit is centred on the line, moved down by `shifts[k]` px (jitter; default 0); ink is
    combined by maximum. Returns uint8 `(h, w)` white on black with `MARGIN` px around.
    """
    shifts = shifts or [0] * len(inks)
    height = max(ink.shape[0] for ink in inks) + 2 * MARGIN + 2
    lefts = [MARGIN]
    for ink, gap in zip(inks[:-1], gaps, strict=True):
        lefts.append(lefts[-1] + ink.shape[1] + gap)
    canvas = np.zeros((height, lefts[-1] + inks[-1].shape[1] + MARGIN), dtype=np.uint8)
    for ink, left, shift in zip(inks, lefts, shifts, strict=True):
        top = (height - ink.shape[0]) // 2 + shift
        region = canvas[top : top + ink.shape[0], left : left + ink.shape[1]]
        np.maximum(region, ink, out=region)
    return canvas


def digit_spans(inks: list[np.ndarray], gaps: list[int], *, scale: int = 1) -> list[tuple[int, int]]:
    """Each digit's columns [x0, x1) in `compose`'s image (times `scale` for a paper number)."""
    spans, left = [], MARGIN
    for ink, gap in zip(inks, [*gaps, 0], strict=True):
        spans.append((left * scale, (left + ink.shape[1]) * scale))
        left += ink.shape[1] + gap
    return spans


def split_right(case: dict) -> bool:
    """Whether the digits found are the digits composed: as many, each box's centre in its digit's columns."""
    boxes, spans = case["boxes"], case["spans"]
    return len(boxes) == len(spans) and all(
        x0 <= (box[0] + box[2]) / 2 < x1 for box, (x0, x1) in zip(boxes, spans, strict=True)
    )


def touching_gap(first: np.ndarray, second: np.ndarray, *, shifts: list[int]) -> int:
    """Return the largest gap (≤ 1) at which the two inks touch (8-connected above the ink threshold)."""
    for gap in range(1, -min(first.shape[1], second.shape[1]), -1):
        labels, _ = label_pieces(compose([first, second], [gap], shifts=shifts) > INK_LEVEL)
        alone_first = compose([first, second * 0], [gap], shifts=shifts) > INK_LEVEL
        alone_second = compose([first * 0, second], [gap], shifts=shifts) > INK_LEVEL
        if set(labels[alone_first].tolist()) & set(labels[alone_second].tolist()):
            return gap
    return -min(first.shape[1], second.shape[1])


def on_paper(number: np.ndarray, *, seed: int) -> np.ndarray:
    """White-on-black uint8 → dark ink on light paper, `PAPER_SCALE`× larger (bilinear), uint8.

    Paper 0.93 → 0.85 white (a light gradient across it), ink 0.12, sensor noise σ = 1.5 %.
    """
    height, width = number.shape
    size = (width * PAPER_SCALE, height * PAPER_SCALE)
    ink = np.asarray(Image.fromarray(number).resize(size, Image.BILINEAR), dtype=np.float64) / 255
    rows, columns = np.mgrid[0 : size[1], 0 : size[0]]
    paper = 0.93 - 0.08 * (rows / size[1] + columns / size[0]) / 2
    image = paper * (1 - ink) + 0.12 * ink + np.random.default_rng(seed).normal(0, 0.015, ink.shape)
    return (np.clip(image, 0, 1) * 255).round().astype(np.uint8)


def number_cases(images, labels, *, count: int, seed: int) -> list[dict]:
    """Return seeded cases {text, gap, background, length, pixels, spans}.

    `count` per length, gap and background, plus `count` × 5 touching and overlapping pairs per
    background (MNIST test digits drawn at random).
    """
    rng = random.Random(seed)
    cases = []

    def pick(length: int):
        indices = [rng.randrange(len(images)) for _ in range(length)]
        return [digit_ink(images[i]) for i in indices], "".join(str(int(labels[i])) for i in indices)

    for background in BACKGROUNDS:
        for length in LENGTHS:
            for gap in GAPS:
                for _ in range(count):
                    inks, text = pick(length)
                    shifts = [rng.randint(-1, 1) for _ in inks]
                    cases.append(
                        {
                            "text": text,
                            "gap": str(gap),
                            "background": background,
                            "length": length,
                            "pixels": compose(inks, [gap] * (length - 1), shifts=shifts),
                            "spans": digit_spans(inks, [gap] * (length - 1)),
                        }
                    )
        for kind, extra in (("touching", 0), ("overlapping", -1)):
            for _ in range(count * len(LENGTHS)):
                inks, text = pick(2)
                shifts = [rng.randint(-1, 1) for _ in inks]
                gap = touching_gap(*inks, shifts=shifts) + extra
                cases.append(
                    {
                        "text": text,
                        "gap": kind,
                        "background": background,
                        "length": 2,
                        "pixels": compose(inks, [gap], shifts=shifts),
                        "spans": digit_spans(inks, [gap]),
                    }
                )
    for index, case in enumerate(cases):
        if case["background"] == "paper":
            case["pixels"] = on_paper(case["pixels"], seed=seed + index)
            case["spans"] = [(x0 * PAPER_SCALE, x1 * PAPER_SCALE) for x0, x1 in case["spans"]]
    return cases


def read_cases(classifier: OnnxClassifier, cases: list[dict], folder: pathlib.Path) -> list[dict]:
    """Write each case as a PNG, read it through the CLI's code path; adds `read` and `ms`."""
    for index, case in enumerate(cases):
        path = folder / f"{index:05d}_{case['text']}.png"
        Image.fromarray(case["pixels"]).save(path)
        start = time.perf_counter()
        prediction = classify(classifier, str(path))
        case["ms"] = (time.perf_counter() - start) * 1000
        case["read"] = prediction.number if prediction.error is None else f"error: {prediction.error}"
        case["boxes"] = [reading.box for reading in prediction.digits]
    return cases


def rates(cases: list[dict], key) -> dict:
    """Per `key(case)`: {"total", "right" (read whole), "rate", "split" (segmented right), "split_rate"}."""
    table: dict = {}
    for case in cases:
        cell = table.setdefault(key(case), {"right": 0, "split": 0, "total": 0})
        cell["right"] += case["read"] == case["text"]
        cell["split"] += split_right(case)
        cell["total"] += 1
    for cell in table.values():
        cell["rate"], cell["split_rate"] = cell["right"] / cell["total"], cell["split"] / cell["total"]
    return table


def single_digits(classifier: OnnxClassifier, files: list[tuple[pathlib.Path, int]]) -> dict:
    """Single-digit files read as one whole-image digit (before segmentation) and segmented."""
    whole = segmented = split = 0
    for path, label in files:
        image = preprocess_image(path)
        whole += image is not None and int(np.argmax(classifier.predict(image[None])[0])) == label
        number = classify(classifier, str(path)).number
        segmented += number == str(label)
        split += number is not None and len(number) > 1
    total = len(files)
    return {
        "total": total,
        "whole_image": whole / total,
        "segmented": segmented / total,
        "read_as_several": split,
    }


def measure(model: pathlib.Path, *, count: int, seed: int, mnist_dir: str | None = None) -> dict:
    """All the figures of the report, as a JSON-ready dict (see the module docstring)."""
    from train.data import load_mnist

    data = load_mnist(mnist_dir)
    classifier = OnnxClassifier(model)
    with tempfile.TemporaryDirectory() as temporary:
        folder = pathlib.Path(temporary)
        cases = read_cases(
            classifier, number_cases(data.test_images, data.test_labels, count=count, seed=seed), folder
        )
        mnist_files = []
        for index in random.Random(seed).sample(range(len(data.test_images)), 1000):
            path = folder / f"single_{index}.png"
            Image.fromarray(data.test_images[index]).save(path)
            mnist_files.append((path, int(data.test_labels[index])))
        singles = {"mnist_test_1000": single_digits(classifier, mnist_files)}
    if REAL_DIGITS.is_dir():
        real = sorted(p for p in REAL_DIGITS.iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg"))
        singles["realdigits"] = single_digits(classifier, [(p, int(p.stem.split("_")[1])) for p in real])
    gapped = [c for c in cases if c["gap"] in ("6", "4", "2")]
    sample = random.Random(seed).sample(range(len(data.test_images)), 3000)
    inputs = np.stack([preprocess_image_array(data.test_images[i]) for i in sample])
    per_digit = float(np.mean(classifier.predict(inputs).argmax(axis=1) == data.test_labels[sample]))
    return {
        "model": str(model.relative_to(REPOSITORY) if model.is_relative_to(REPOSITORY) else model),
        "seed": seed,
        "per_cell": count,
        "by_gap": rates(cases, lambda c: f"{c['background']}/{c['gap']}"),
        "by_length": rates(cases, lambda c: f"{c['background']}/{c['length']} digits"),
        "gap_2_or_more": rates(gapped, lambda c: "all")["all"],
        "touching_pairs": rates([c for c in cases if c["gap"] == "touching"], lambda c: "all")["all"],
        "ms_median": float(np.median([c["ms"] for c in cases])),
        "model_per_digit": per_digit,
        "wrong_examples": [
            f"{c['background']}/{c['gap']}: {c['text']}→{c['read']}" for c in cases if c["read"] != c["text"]
        ][:40],
        "single_digits": singles,
    }


def markdown(report: dict) -> str:
    """Return the report as Markdown (reports/numbers.md)."""
    lines = [
        "# Numbers read whole by the edge CLI",
        "",
        f"Model `{report['model']}`, seed {report['seed']}, {report['per_cell']} numbers per cell "
        "(MNIST test digits; `python -m bench.numbers`). A number counts only when every digit is right.",
        "",
        "Read whole: every digit right (segmentation, cleaning and the model); segmented right: as many "
        "digits as composed, each box on its digit (segmentation and cleaning alone).",
        "",
        f"- gaps ≥ 2 px: **{report['gap_2_or_more']['rate']:.1%}** read whole, "
        f"{report['gap_2_or_more']['split_rate']:.1%} segmented right, of {report['gap_2_or_more']['total']}",
        f"- touching pairs: **{report['touching_pairs']['rate']:.1%}** read whole, "
        f"{report['touching_pairs']['split_rate']:.1%} segmented right, "
        f"of {report['touching_pairs']['total']}",
        f"- the model alone, per digit (3000 MNIST test digits through the recipe): "
        f"{report['model_per_digit']:.2%} per digit",
        f"- median time per image file (decode, clean, segment, model): {report['ms_median']:.1f} ms",
        "",
        "Read whole (segmented right, numbers):",
        "",
        "| gap (MNIST px) | " + " | ".join(BACKGROUNDS) + " |",
        "|---|" + "---|" * len(BACKGROUNDS),
    ]
    for gap in (*map(str, GAPS), "touching", "overlapping"):
        cells = [report["by_gap"].get(f"{b}/{gap}") for b in BACKGROUNDS]
        lines.append(
            f"| {gap} | "
            + " | ".join(f"{c['rate']:.1%} ({c['split_rate']:.1%}, {c['total']})" for c in cells)
            + " |"
        )
    lines += ["", "| digits | " + " | ".join(BACKGROUNDS) + " |", "|---|" + "---|" * len(BACKGROUNDS)]
    for length in LENGTHS:
        cells = [report["by_length"][f"{b}/{length} digits"] for b in BACKGROUNDS]
        lines.append(f"| {length} | " + " | ".join(f"{c['rate']:.1%}" for c in cells) + " |")
    lines += [
        "",
        "Single digits, the whole image as one digit (before) and segmented (after):",
        "",
        "| set | files | whole image | segmented | read as several digits |",
        "|---|---|---|---|---|",
    ]
    for name, figures in report["single_digits"].items():
        lines.append(
            f"| {name} | {figures['total']} | {figures['whole_image']:.1%} | "
            f"{figures['segmented']:.1%} | {figures['read_as_several']} |"
        )
    lines += ["", "Some misreadings: " + ", ".join(report["wrong_examples"][:20]), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Measure and write reports/numbers.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=pathlib.Path, default=DEFAULT_MODEL)
    parser.add_argument("--per-cell", type=int, default=40, help="numbers per length × gap × background")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--data-dir", default=None)
    arguments = parser.parse_args(argv)
    report = measure(
        arguments.model.resolve(), count=arguments.per_cell, seed=arguments.seed, mnist_dir=arguments.data_dir
    )
    write_atomically(REPOSITORY / "reports" / "numbers.json", json.dumps(report, indent=1) + "\n")
    write_atomically(REPOSITORY / "reports" / "numbers.md", markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
