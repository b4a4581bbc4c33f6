"""Segmentation: clean ink `(h, w)` → its digits, left to right, each as a 28×28 model input (numpy only).

Works on the cleaned image (`load_image`'s output, or a drawing's canvas): white ink on black.

1. Pieces: 8-connected components of `ink > INK_THRESHOLD`, found by runs (row stretches joined by
   union-find), numbered in raster order.
2. Specks dropped: a piece whose longer side is under `SPECK_FRACTION` of the tallest piece's height,
   or whose strongest ink is under `FAINT_PEAK`.
3. Pieces whose column ranges overlap by at least `MERGE_OVERLAP` of the narrower one are one digit
   (the two strokes of a 4, the flag of a 5, a crossed 7, a 1's foot); a group under
   `MIN_DIGIT_HEIGHT` of the tallest is a fragment: it joins the nearest tall group within
   `ATTACH_GAP` × its height, or goes.
4. A wide group may hold touching digits. Cuts are the cheapest top-to-bottom paths through its
   ink (one column per row, a column sideways at most per row): digits touch at one place, so a
   cut crosses at most `MAX_CUT_INK` × the height and `MAX_CUT_STROKES` stroke widths of ink, and
   leaves two tall parts, each mostly one piece. Without a model a group wider than `SPLIT_ASPECT`
   × its height is cut along the cheapest; with one (`classify`), along the path whose parts it
   reads most surely when a rule of `SPLIT_RULES` holds (`ALONE_RULES` for a group alone in its
   image), or the group is wider than `FORCE_ASPECT` × its height. Parts are split again. Beside
   groups shaped like one digit (no wider than tall), a group narrower than `CONTEXT_WIDE` × their
   median width is one digit: a wide 0 in a number is not two digits.
5. Each digit's own ink (its pieces, its side of the cuts) is cropped to its box and goes through
   `preprocess_array` (the MNIST recipe). A single digit is the one-group case of all this.

`web/image/segment.js` implements it operation for operation; `tests/golden/segment.json` holds
the two equal.
"""

import dataclasses
import math

import numpy as np

from digits.constants import IMAGE_SIZE, INK_THRESHOLD
from digits.image.decode import ImageError, decode_reduced
from digits.image.ink import clean_ink
from digits.image.recipe import preprocess_array

SPECK_FRACTION = 0.12  # a piece whose longer side is under this × the tallest piece's height is a speck …
FAINT_PEAK = 0.5  # … and so is a piece whose strongest ink is under this (antialiasing, shading)
MERGE_OVERLAP = 0.3  # pieces whose column ranges overlap by this share of the narrower one: one digit
MIN_DIGIT_HEIGHT = 0.5  # a group under this × the tallest group's height is a fragment, no digit …
ATTACH_GAP = 0.2  # … it joins the nearest tall group within this × that group's height, else it goes
SPLIT_ASPECT = 1.5  # no model: a group wider than this × its height holds touching digits
# With a model: (aspect, whole, parts): a group wider than `aspect` × its height is split at the cut
# whose parts the model reads most surely if it reads the whole less surely than `whole` and both
# parts at least as surely as `parts` (the wider, the readier). A pair squeezed into one 28×28 input
# often still reads surely as some digit, so a wide group needs only sure parts.
SPLIT_RULES = ((0.5, 0.999, 0.9), (1.0, 1.01, 0.95))
# The rules for a group alone in its image: most often one digit (the pad, a photo of a digit), so
# only a group wider than any digit is cut.
ALONE_RULES = ((1.0, 0.999, 0.99), (1.4, 1.01, 0.99))
FORCE_ASPECT = 1.8  # with a model: a group wider than this × its height is split at its best cut
CONTEXT_WIDE = (
    1.5  # beside groups shaped like one digit, a group narrower than this × their median width is one
)
MIN_PART_WIDTH = 0.2  # a cut leaves at least this × the group's height (and 1 px) on each side
MIN_PART_HEIGHT = 0.7  # … and parts at least this × the group's height tall (a cut-off bar is no digit)
MIN_PART_WHOLE = 0.9  # … and a part's largest piece holds this share of its ink (a 7 cut at its corner: two)
MAX_CUT_INK = 0.3  # a cut crosses at most this × the group's height of ink (a touch, not a stroke)
MAX_CUT_STROKES = 1.5  # … and at most this many stroke widths of it (a 0 cut in two crosses two strokes)
MAX_CANDIDATES = 5  # cuts scored by the model per group: the columns with least ink, this far apart


@dataclasses.dataclass(frozen=True)
class Digit:
    """One digit: its 28×28 model input and where it was found in the source image."""

    image: np.ndarray  # float32 (28, 28) in [0, 1], white ink on black
    box: tuple[int, int, int, int]  # (x0, y0, x1, y1) source pixels, x1/y1 exclusive


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the horizontal runs of a bool `(h, w)` mask, raster order: rows, starts, ends (exclusive)."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    steps = np.diff(padded, axis=1)
    rows, starts = np.nonzero(steps == 1)
    _, ends = np.nonzero(steps == -1)
    return rows, starts, ends


def label_pieces(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """8-connected pieces of a bool `(h, w)` mask.

    Returns `labels` int32 `(h, w)` (−1 off the mask, pieces numbered in the order of their first
    run) and `boxes` int64 `(n, 4)`: (x0, y0, x1, y1) of each piece, ends exclusive.
    """
    rows, starts, ends = (values.tolist() for values in _runs(mask))
    parent = list(range(len(rows)))

    def root(run: int) -> int:
        while parent[run] != run:
            parent[run] = parent[parent[run]]
            run = parent[run]
        return run

    above_start, above_end, row_start = 0, 0, 0  # runs [above_start, above_end) are in the row above
    for run in range(len(rows)):
        if run > 0 and rows[run] != rows[run - 1]:
            joined = rows[run] == rows[run - 1] + 1
            above_start, above_end, row_start = (row_start, run, run) if joined else (run, run, run)
        for other in range(above_start, above_end):  # touching, diagonals included
            if starts[other] <= ends[run] and starts[run] <= ends[other]:
                low, high = sorted((root(other), root(run)))
                parent[high] = low
    roots = np.array([root(run) for run in range(len(rows))], dtype=np.int64)
    _, ids = np.unique(roots, return_inverse=True)  # roots are first runs: raster order
    count = int(ids.max()) + 1 if len(ids) else 0
    labels = np.full(mask.shape, -1, dtype=np.int32)
    for run, piece in enumerate(ids.tolist()):
        labels[rows[run], starts[run] : ends[run]] = piece
    rows, starts, ends = np.array(rows), np.array(starts), np.array(ends)
    boxes = np.empty((count, 4), dtype=np.int64)
    boxes[:, :2] = np.iinfo(np.int64).max
    boxes[:, 2:] = -1
    np.minimum.at(boxes[:, 0], ids, starts)
    np.minimum.at(boxes[:, 1], ids, rows)
    np.maximum.at(boxes[:, 2], ids, ends)
    np.maximum.at(boxes[:, 3], ids, rows + 1)
    return labels, boxes


def _union(parent: dict, first: int, second: int) -> None:
    """Join two groups of `parent` (piece → group), the smaller number naming the result."""
    low, high = sorted((parent[first], parent[second]))
    for piece, group in parent.items():
        if group == high:
            parent[piece] = low


def _groups_of(parent: dict) -> list[list[int]]:
    groups: dict[int, list[int]] = {}
    for piece in sorted(parent):
        groups.setdefault(parent[piece], []).append(piece)
    return [groups[key] for key in sorted(groups)]


def _span(boxes: np.ndarray, group: list[int]) -> tuple[int, int, int, int]:
    """Return the box (x0, y0, x1, y1) around a group's pieces."""
    chosen = boxes[group]
    return int(chosen[:, 0].min()), int(chosen[:, 1].min()), int(chosen[:, 2].max()), int(chosen[:, 3].max())


def _attach_fragments(boxes: np.ndarray, parent: dict) -> None:
    """Join fragments to the nearest tall group, or drop them from `parent`.

    A fragment is a group under `MIN_DIGIT_HEIGHT` × the tallest one's height; it joins the tall
    group with the fewest columns between them if those are at most `ATTACH_GAP` × its height.
    """
    groups = _groups_of(parent)
    spans = [_span(boxes, group) for group in groups]
    tallest = max(span[3] - span[1] for span in spans)
    tall = [k for k, span in enumerate(spans) if span[3] - span[1] >= MIN_DIGIT_HEIGHT * tallest]
    for index, group in enumerate(groups):
        if index in tall:
            continue
        x0, _, x1, _ = spans[index]
        gaps = [(max(spans[k][0] - x1, x0 - spans[k][2], 0), k) for k in tall]
        gap, nearest = min(gaps)
        if gap <= ATTACH_GAP * (spans[nearest][3] - spans[nearest][1]):
            _union(parent, group[0], groups[nearest][0])
        else:
            for piece in group:
                del parent[piece]


def group_pieces(boxes: np.ndarray, peaks: np.ndarray) -> list[list[int]]:
    """Pieces' boxes int `(n, 4)` and strongest ink `(n,)` → the piece numbers of each digit-to-be.

    Specks dropped, pieces overlapping horizontally merged, fragments attached (see the module docstring).
    """
    if len(boxes) == 0:
        return []
    widths, heights = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    kept = [
        p
        for p in range(len(boxes))
        if max(widths[p], heights[p]) >= SPECK_FRACTION * heights.max() and peaks[p] >= FAINT_PEAK
    ]
    if not kept:
        return []
    parent = {piece: piece for piece in kept}
    for index, first in enumerate(kept):
        for second in kept[index + 1 :]:
            overlap = min(boxes[first, 2], boxes[second, 2]) - max(boxes[first, 0], boxes[second, 0])
            if overlap >= MERGE_OVERLAP * min(widths[first], widths[second]):
                _union(parent, first, second)
    _attach_fragments(boxes, parent)
    return _groups_of(parent)


def _box_of(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """Return the tight box (x0, y0, x1, y1) of a bool mask, ends exclusive; None when it is empty."""
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return None
    return int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1


def _cheapest_paths(mask: np.ndarray, margin: int) -> tuple[np.ndarray, np.ndarray]:
    """Cheapest top-to-bottom cut paths through a bool `(h, w)` mask, one per end column.

    A path holds one column per row, within [margin, w − margin], moving at most one column a row;
    it costs 2 per ink pixel it crosses and 1 per sideways step; ties go straight, then left.
    Returns the costs int `(k,)` by end column margin + i, and the moves int8 `(h, k)` (−1, 0, +1:
    where each row's step came from) for backtracking.
    """
    height, width = mask.shape
    cost = 2 * mask[:, margin : width - margin + 1].astype(np.int64)
    count = cost.shape[1]
    moves = np.zeros((height, count), dtype=np.int8)
    total = cost[0].copy()
    for row in range(1, height):
        from_left = np.concatenate([[np.iinfo(np.int64).max // 2], total[:-1]]) + 1
        from_right = np.concatenate([total[1:], [np.iinfo(np.int64).max // 2]]) + 1
        best = total.copy()
        moves[row] = 0
        left_better = from_left < best
        best = np.where(left_better, from_left, best)
        moves[row][left_better] = -1
        right_better = from_right < best
        best = np.where(right_better, from_right, best)
        moves[row][right_better] = 1
        total = best + cost[row]
    return total, moves


def _path_to(moves: np.ndarray, end: int) -> np.ndarray:
    """Backtrack the path ending at index `end`: int `(h,)` indices (add the margin for columns)."""
    path = np.empty(len(moves), dtype=np.int64)
    path[-1] = end
    for row in range(len(moves) - 1, 0, -1):
        path[row - 1] = path[row] + moves[row, path[row]]
    return path


def stroke_width(mask: np.ndarray) -> int:
    """Return the typical stroke width of a bool `(h, w)` mask, in pixels.

    The lower median, over its ink, of the shorter of the horizontal and vertical runs through
    each pixel.
    """
    lengths = []
    for grid in (mask, mask.T):
        rows, starts, ends = _runs(grid)
        run_length = np.zeros(grid.shape, dtype=np.int64)
        for row, start, end in zip(rows.tolist(), starts.tolist(), ends.tolist(), strict=True):
            run_length[row, start:end] = end - start
        lengths.append(run_length)
    shorter = np.minimum(lengths[0], lengths[1].T)[mask]
    return int(np.sort(shorter)[(len(shorter) - 1) // 2]) if len(shorter) else 0


def cut_paths(mask: np.ndarray, *, count: int) -> list[np.ndarray]:
    """Paths to cut a group's bool `(h, w)` mask (cropped to its box) along, best first.

    Each is int `(h,)`: the first column of the right part in every row. Digits touch at one place,
    so a cut crosses little ink: at most `MAX_CUT_INK` × h and `MAX_CUT_STROKES` stroke widths of
    pixels (sideways steps count half). The cheapest path to each end column, cheapest first
    (ties: nearer the middle, then left), ends at least `MIN_PART_WIDTH` × h apart; both parts at
    least `MIN_PART_HEIGHT` × h tall.
    """
    height, width = mask.shape
    margin = max(1, math.ceil(MIN_PART_WIDTH * height))
    if width - 2 * margin < 0:
        return []
    totals, moves = _cheapest_paths(mask, margin)
    limit = 2 * min(MAX_CUT_INK * height, MAX_CUT_STROKES * stroke_width(mask))
    ends = [k for k in range(len(totals)) if totals[k] <= limit]
    ends.sort(key=lambda k: (int(totals[k]), abs(2 * (k + margin) - width), k))
    columns = np.arange(width)[np.newaxis, :]
    chosen: list[int] = []
    paths: list[np.ndarray] = []
    for end in ends:
        if len(paths) == count:
            break
        if any(abs(end - other) < margin for other in chosen):
            continue
        path = _path_to(moves, end) + margin
        left = mask & (columns < path[:, np.newaxis])
        if all(_digit_like(part, height) for part in (left, mask & ~left)):
            chosen.append(end)
            paths.append(path)
    return paths


def _digit_like(part: np.ndarray, height: int) -> bool:
    """Tell whether a cut's part could be a digit.

    It is `MIN_PART_HEIGHT` × `height` tall, and (a digit is one stroke, give or take) its largest
    piece holds `MIN_PART_WHOLE` of its ink.
    """
    rows = np.flatnonzero(part.any(axis=1))
    if len(rows) == 0 or rows[-1] - rows[0] + 1 < MIN_PART_HEIGHT * height:
        return False
    labels, _ = label_pieces(part)
    areas = np.bincount(labels[labels >= 0])
    return bool(areas.max() >= MIN_PART_WHOLE * areas.sum())


def _part_masks(mask: np.ndarray, box: tuple[int, int, int, int], path: np.ndarray) -> list[np.ndarray]:
    """Cut a group's whole-image mask along `path` (its box's rows): left and right bool masks."""
    columns = np.arange(mask.shape[1])[np.newaxis, :]
    boundary = np.full(mask.shape[0], mask.shape[1], dtype=np.int64)
    boundary[box[1] : box[3]] = box[0] + path
    left = mask & (columns < boundary[:, np.newaxis])
    return [left, mask & ~left]


def _inputs(ink: np.ndarray, masks: list[np.ndarray]) -> list[np.ndarray | None]:
    """Each mask's own ink, cropped to its box, through the MNIST recipe: float32 `(28, 28)` or None."""
    images = []
    for mask in masks:
        box = _box_of(mask)
        if box is None:
            images.append(None)
            continue
        x0, y0, x1, y1 = box
        own = np.where(mask[y0:y1, x0:x1], ink[y0:y1, x0:x1], 0.0).astype(np.float32)
        images.append(preprocess_array(own))
    return images


def _best_cut(ink: np.ndarray, mask: np.ndarray, classify, rules: tuple) -> list[np.ndarray] | None:
    """Return the two parts of a wide group (bool masks), or None to keep it whole (module docstring, 4)."""
    box = _box_of(mask)
    height, width = box[3] - box[1], box[2] - box[0]
    if width <= (SPLIT_ASPECT if classify is None else min(rule[0] for rule in rules)) * height:
        return None
    local = mask[box[1] : box[3], box[0] : box[2]]
    paths = cut_paths(local, count=1 if classify is None else MAX_CANDIDATES)
    cuts = [_part_masks(mask, box, path) for path in paths]
    if classify is None or not cuts:
        return cuts[0] if cuts else None
    images = _inputs(ink, [mask] + [part for parts in cuts for part in parts])
    blank = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    probabilities = np.asarray(classify(np.stack([blank if image is None else image for image in images])))
    surest = probabilities.max(axis=1)
    surest[[index for index, image in enumerate(images) if image is None]] = 0.0
    scores = [min(surest[1 + 2 * k], surest[2 + 2 * k]) for k in range(len(cuts))]
    best = int(np.argmax(scores))
    holds = (
        width > aspect * height and surest[0] < whole and scores[best] >= parts
        for aspect, whole, parts in rules
    )
    return cuts[best] if width > FORCE_ASPECT * height or any(holds) else None


def _split(ink: np.ndarray, mask: np.ndarray, classify, rules: tuple = SPLIT_RULES) -> list[np.ndarray]:
    """Split a group's bool mask into the masks of its digits (itself, or its parts split again)."""
    parts = _best_cut(ink, mask, classify, rules)
    if parts is None:
        return [mask]
    return [digit for part in parts for digit in _split(ink, part, classify, rules)]


def segment(ink: np.ndarray, *, classify=None) -> list[Digit]:
    """Clean white-on-black ink float `(h, w)` in [0, 1] → its `Digit`s left to right (`[]`: none).

    `classify`: optional float32 `(n, 28, 28)` → probabilities `(n, 10)`, for scoring cuts.
    """
    ink = np.asarray(ink)
    if ink.ndim != 2 or ink.shape[0] == 0 or ink.shape[1] == 0:
        raise ValueError(f"expected a 2-D (height, width) ink image, got shape {ink.shape}")
    labels, boxes = label_pieces(ink > INK_THRESHOLD)
    peaks = np.zeros(len(boxes))
    np.maximum.at(peaks, labels[labels >= 0], ink[labels >= 0])
    groups = group_pieces(boxes, peaks)
    spans = [_span(boxes, group) for group in groups]
    single = sorted(x1 - x0 for x0, y0, x1, y1 in spans if x1 - x0 <= y1 - y0)  # groups shaped like one digit
    typical = single[(len(single) - 1) // 2] if len(groups) > 1 and single else 0  # their lower median width
    masks = []
    for group, span in zip(groups, spans, strict=True):
        mask = np.isin(labels, group)
        wide = span[2] - span[0] >= CONTEXT_WIDE * typical
        rules = SPLIT_RULES if len(groups) > 1 else ALONE_RULES
        masks.extend(_split(ink, mask, classify, rules) if wide else [mask])
    found = [
        Digit(image=image, box=_box_of(mask))
        for mask, image in zip(masks, _inputs(ink, masks), strict=True)
        if image is not None
    ]
    return sorted(found, key=lambda digit: (digit.box[0] + digit.box[2], digit.box[1]))


def _ink_of(gray_or_rgba: np.ndarray) -> np.ndarray:
    """White-on-black float `(h, w)` in [0, 1], uint8 `(h, w)`, or uint8 RGB(A) `(h, w, 3|4)` → float32 ink.

    RGBA is a canvas: white ink on black or on transparency (luma × alpha), so no polarity guess.
    """
    pixels = np.asarray(gray_or_rgba)
    if pixels.ndim == 3 and pixels.shape[2] in (3, 4) and pixels.dtype == np.uint8:
        luma = pixels[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114])
        alpha = pixels[..., 3] / 255.0 if pixels.shape[2] == 4 else 1.0
        return (luma / 255.0 * alpha).astype(np.float32)
    if pixels.ndim != 2:
        raise ImageError(f"expected (h, w) ink or (h, w, 3|4) uint8, got {pixels.dtype} {pixels.shape}")
    if pixels.dtype == np.uint8:
        return pixels.astype(np.float32) / 255.0
    return np.clip(np.nan_to_num(pixels.astype(np.float32)), 0.0, 1.0)


def digits_from_array(gray_or_rgba: np.ndarray, *, classify=None) -> list[Digit]:
    """Clean white-on-black pixels (a canvas, or `load_image`'s output) → their `Digit`s, left to right.

    `gray_or_rgba`: float `(h, w)` in [0, 1], uint8 `(h, w)`, or uint8 RGBA `(h, w, 4)` (see `_ink_of`).
    `classify`: optional float32 `(n, 28, 28)` → probabilities `(n, 10)` that scores candidate cuts.
    Returns `[]` when there is no digit; raises `ImageError` for an array that is no image.
    """
    ink = _ink_of(gray_or_rgba)
    if ink.size == 0:
        raise ImageError(f"image has no pixels: shape {ink.shape}")
    return segment(ink, classify=classify)


def read_digits(source, *, classify=None, max_pixels: int | None = None) -> list[Digit]:
    """Decode and clean an image file (path, bytes or binary file-like), then `digits_from_array`.

    Boxes are in the source image's pixels (`load_image` works on a reduced copy of a large image).
    Raises `ImageError` (one line) for unusable input.
    """
    options = {} if max_pixels is None else {"max_pixels": max_pixels}
    luma, coverage, factor = decode_reduced(source, **options)  # `load_image`, keeping the factor
    ink = clean_ink(luma, coverage, factor=factor).pixels.astype(np.float32)
    found = digits_from_array(ink, classify=classify)
    if factor == 1:
        return found
    return [dataclasses.replace(d, box=tuple(value * factor for value in d.box)) for d in found]
