"""Benchmarks: the variants side by side, the static page in Chromium, and the browser helpers.

`python -m bench.compare` measures every exported variant in its own runtime; `python -m
bench.bench_web` times the page in Chromium; `bench.browser` drives the page (the browser tests
use it too). Code here may import `digits`, `export` and `train`, never `tests`.
"""
