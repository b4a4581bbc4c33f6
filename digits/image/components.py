"""Connected components (8-connectivity) of `ink > threshold`, by runs (`web/image/components.js`).

Runs are the horizontal stretches of mask pixels, row by row; runs in consecutive rows whose column
ranges touch (diagonals included) are joined by union-find, each root the smallest run index of
its set, so components are numbered in the order of their first run (raster order). Per
component: box [x0, y0, x1, y1) (ends exclusive), area (pixels), mass (Σ ink, summed in raster
order), peak (largest ink), full (pixels at full ink, ≥ FULL_INK).
"""

import dataclasses

import numpy as np

from digits.constants import FULL_INK


@dataclasses.dataclass
class Components:
    """Connected components of an image `(height, width)`; per-component arrays are `(count,)`."""

    labels: np.ndarray  # int32 (height, width), −1 off the mask
    count: int
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray  # exclusive
    y1: np.ndarray  # exclusive
    area: np.ndarray  # pixels
    mass: np.ndarray  # float64 Σ ink
    peak: np.ndarray  # float64 largest ink
    full: np.ndarray  # pixels at full ink (≥ FULL_INK)
    width: int
    height: int


def find_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Find the runs of a bool mask `(height, width)` in raster order: (row, start, end), end exclusive."""
    height, width = mask.shape
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    change = np.diff(padded, axis=1)  # +1 where a run starts, −1 just past its end
    start_rows, starts = np.nonzero(change == 1)
    _, ends = np.nonzero(change == -1)
    return start_rows, starts, ends


def run_roots(row: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Union-find over the runs: each run's root, the smallest run index of its set."""
    count = row.size
    parent = list(range(count))

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    rows, starts, ends = row.tolist(), start.tolist(), end.tolist()
    below = 0  # first run of the next row that may touch run a
    for a in range(count):
        while below < count and (
            rows[below] <= rows[a] or (rows[below] == rows[a] + 1 and ends[below] < starts[a])
        ):
            below += 1
        b = below
        while b < count and rows[b] == rows[a] + 1 and starts[b] <= ends[a]:
            root_a, root_b = find(a), find(b)
            if root_a < root_b:
                parent[root_b] = root_a
            elif root_b < root_a:
                parent[root_a] = root_b
            b += 1
    return np.array([find(index) for index in range(count)], dtype=np.int64)


def label(ink: np.ndarray, threshold: float = 0.0) -> Components:
    """Components of `ink > threshold` for float64 `(height, width)`."""
    height, width = ink.shape
    mask = ink > threshold
    row, start, end = find_runs(mask)
    roots = run_roots(row, start, end)
    is_root = roots == np.arange(roots.size)
    numbers = np.cumsum(is_root) - 1  # components numbered in the order of their first run
    component = numbers[roots]
    count = int(is_root.sum())
    lengths = end - start
    labels = np.full(height * width, -1, dtype=np.int32)
    pixel_component = np.repeat(component, lengths)
    labels[mask.ravel()] = pixel_component  # mask pixels in raster order = runs in order
    values = ink.ravel()[mask.ravel()]
    x0 = np.full(count, width, dtype=np.int64)
    y0 = np.full(count, height, dtype=np.int64)
    x1, y1 = np.zeros(count, dtype=np.int64), np.zeros(count, dtype=np.int64)
    np.minimum.at(x0, component, start)
    np.maximum.at(x1, component, end)
    np.minimum.at(y0, component, row)
    np.maximum.at(y1, component, row + 1)
    peak = np.zeros(count)
    np.maximum.at(peak, pixel_component, values)
    return Components(
        labels=labels.reshape(height, width),
        count=count,
        x0=x0,
        y0=y0,
        x1=x1,
        y1=y1,
        area=np.bincount(component, weights=lengths, minlength=count).astype(np.int64),
        mass=np.bincount(pixel_component, weights=values, minlength=count),
        peak=peak,
        full=np.bincount(pixel_component[values >= FULL_INK], minlength=count).astype(np.int64),
        width=width,
        height=height,
    )
