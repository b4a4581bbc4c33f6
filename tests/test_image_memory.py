"""Memory of the image path (issue 12): a 6000 × 6000 PNG (43 kB on disk can be 144 MB decoded)
must add at most 100 MB to the process while `load_image` reads it, and give it back afterwards;
the same for the edge CLI (warmed on a small image first, so its model and imports are counted
before). Each measurement runs in a fresh Python process (its peak RSS from `resource.getrusage`,
its current RSS from /proc/self/statm), against the larger of the two just before.
"""

import json
import pathlib
import subprocess
import sys

import pytest
from PIL import Image

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
MODEL = REPOSITORY / "web" / "models" / "cnn" / "onnx-fp32" / "model.onnx"
SIDE = 6000  # 36 megapixels: under MAX_PIXELS (40 MP), 144 MB as Pillow's decoded RGB
MAX_GROWTH_MB = 100  # the bound the issue sets on what reading one such image may add
MAX_RETAINED_MB = 30  # what may stay allocated afterwards (caches, allocator slack)

WRITE_PNG = """
import sys
from PIL import Image, ImageDraw
mode, path, side = sys.argv[1], sys.argv[2], int(sys.argv[3])
image = Image.new("L", (side, side), 235)  # paper
ImageDraw.Draw(image).line([(side // 3, side // 4), (2 * side // 3, side // 4), (side // 2, 3 * side // 4)],
                           fill=20, width=side // 30)  # a "7"
if mode == "RGB":
    image = Image.merge("RGB", [image, image.point(lambda v: v * 0.97), image.point(lambda v: v * 0.9)])
image.save(path, compress_level=1)
"""

MEASURE = """
import gc, json, resource, sys
def rss_mb():
    with open("/proc/self/statm") as file:
        return int(file.read().split()[1]) * 4096 / 1e6
def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
what, path = sys.argv[1], sys.argv[2]
if what == "load_image":
    from digits.image import load_image, preprocess_array
    run = lambda: preprocess_array(load_image(path)) is not None
else:  # the CLI once on a small image first: the model loaded and every module imported
    from digits import predict
    predict.main([sys.argv[3], sys.argv[4], "--json"])
    run = lambda: predict.main([sys.argv[3], path, "--json"]) == 0
gc.collect()
before = max(rss_mb(), peak_mb())
found = run()
peak = peak_mb()
gc.collect()
print(json.dumps({"growth_mb": peak - before, "retained_mb": rss_mb() - before, "found": found}))
"""


@pytest.fixture(scope="module", params=["RGB", "L"])
def large_png(request, tmp_path_factory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("large") / f"{request.param}.png"
    subprocess.run(
        [sys.executable, "-c", WRITE_PNG, request.param, str(path), str(SIDE)], check=True, timeout=300
    )
    return path


def measure(what: str, path: pathlib.Path, *extra: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", MEASURE, what, str(path), *extra],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_load_image_of_a_6000_px_png_adds_at_most_100_mb(large_png):
    result = measure("load_image", large_png)
    assert result["found"], "the 7 on the page was not found"
    assert result["growth_mb"] <= MAX_GROWTH_MB, result
    assert result["retained_mb"] <= MAX_RETAINED_MB, result


def test_edge_cli_on_a_6000_px_png_adds_at_most_100_mb(large_png):
    small = large_png.with_name("small.png")
    Image.new("L", (200, 200), 235).save(small)
    result = measure("cli", large_png, str(MODEL), str(small))
    assert result["growth_mb"] <= MAX_GROWTH_MB, result
