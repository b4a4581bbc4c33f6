"""Marks that are not digits (`web/image/marks.js`).

Shading left over, blobs, paper edges, lines across the frame, specks: judged per connected
component of ink, before pieces are grouped into digits.

- Weak components (mean ink under WEAK_SHARE × the strongest) that touch the frame or are fat
  (stroke width over FAT_RATIO × their longer side) are shading: dropped. So are fat components
  at least MIN_SHADED_SIDE long that are soft (under SOFT_CORE of their pixels at full ink): a
  shadow's edge fades over many pixels, a stroke's over one or two; and components never at full
  ink (noise, shading: a digit's strokes reach it, the ramp's end being well under the ink's level).
  So are components riddled with holes (over MAX_HOLES): a shadow's contrast rises so slowly that
  noise crosses the ramp all over it, a stroke's within a pixel or two (a digit has a few holes:
  its loops, where strokes cross).
  Then the shading's fringe: soft components no stronger (mean ink) than the strongest shading
  dropped are shading too (a digit's ink stands above the shading around it).
  These only for `saturated` ink (photos): a clean image's ramp ends at the ink's level itself.
- When every judged component is junk, nothing is kept (blank paper's noise is not a digit).
- Solid blobs (SOLID_RATIO), paper edges (along EDGE_CONTACT of an image side) and lines from side
  to side (LINE_ASPECT) are suspects: dropped when an ordinary component has EDGE_INSIDE_MASS of
  their mass (so a tight crop whose digit touches the frame keeps it).
- Components touching the frame much weaker than the best one inside (FRAME_WEAK_SHARE): dropped.
- Specks: small (SPECK_SIDE × the digits' height) and away from every bigger component, or dots
  (DOT_SIDE) anywhere. Pieces of one digit (a 4, 5 or 7 drawn in two strokes) are all big or
  beside a big one, so they stay.
"""

import numpy as np

from digits.constants import (
    DOT_SIDE,
    EDGE_CONTACT,
    EDGE_GAP,
    EDGE_INSIDE_MASS,
    FAT_RATIO,
    FRAME_SIDE,
    FRAME_WEAK_SHARE,
    JUDGED_SIDE,
    LINE_ASPECT,
    MAX_HOLES,
    MIN_SHADED_SIDE,
    SOFT_CORE,
    SOLID_RATIO,
    SPECK_SIDE,
    WEAK_SHARE,
)
from digits.image.components import Components
from digits.image.masks import pool_any, stroke_width
from digits.image.numeric import round_half_up


def _box_width(parts: Components, k: int) -> int:
    return int(parts.x1[k] - parts.x0[k])


def _box_height(parts: Components, k: int) -> int:
    return int(parts.y1[k] - parts.y0[k])


def _longer_side(parts: Components, k: int) -> int:
    return max(_box_width(parts, k), _box_height(parts, k))


def component_mask(parts: Components, k: int) -> np.ndarray:
    """Component k's bool mask in its box `(y1 − y0, x1 − x0)`."""
    return parts.labels[parts.y0[k] : parts.y1[k], parts.x0[k] : parts.x1[k]] == k


def component_shape(parts: Components, k: int) -> tuple[float, float]:
    """(stroke width / longer side in the recipe's frame, border contact share) of component k."""
    height, width = _box_height(parts, k), _box_width(parts, k)
    mask = component_mask(parts, k)
    longer = max(height, width)
    frame_height = max(1, round_half_up(height * FRAME_SIDE / longer))
    frame_width = max(1, round_half_up(width * FRAME_SIDE / longer))
    ratio = stroke_width(pool_any(mask, frame_height, frame_width)) / FRAME_SIDE
    sides = (
        (parts.y0[k] == 0, mask[0], parts.width),
        (parts.y1[k] == parts.height, mask[height - 1], parts.width),
        (parts.x0[k] == 0, mask[:, 0], parts.height),
        (parts.x1[k] == parts.width, mask[:, width - 1], parts.height),
    )
    contact = 0.0
    for on_edge, line, side in sides:
        if on_edge:
            contact = max(contact, int(line.sum()) / side)
    return ratio, contact


def hole_count(parts: Components, k: int) -> int:
    """Holes in component k (8-connected ink, 4-connected paper): 1 − its Euler number.

    The Euler number by bit quads (Gray 1971): over every 2 × 2 window of the padded mask,
    (windows with one pixel set − with three − 2 × diagonal pairs) / 4.
    """
    mask = np.pad(component_mask(parts, k), 1).astype(np.int64)
    top_left, top_right = mask[:-1, :-1], mask[:-1, 1:]
    bottom_left, bottom_right = mask[1:, :-1], mask[1:, 1:]
    count = top_left + top_right + bottom_left + bottom_right
    diagonal = (count == 2) & (top_left == bottom_right)
    euler = (int((count == 1).sum()) - int((count == 3).sum()) - 2 * int(diagonal.sum())) // 4
    return 1 - euler


def spans_frame(parts: Components, k: int) -> bool:
    """Whether component k is a thin line from one side of the frame to the opposite one."""
    thin_across = _box_height(parts, k) * LINE_ASPECT <= parts.width
    thin_down = _box_width(parts, k) * LINE_ASPECT <= parts.height
    across = parts.x0[k] == 0 and parts.x1[k] == parts.width and thin_across
    down = parts.y0[k] == 0 and parts.y1[k] == parts.height and thin_down
    return bool(across or down)


def touches_frame(parts: Components, k: int) -> bool:
    """Whether component k reaches the image's outer ring."""
    on_left_or_top = parts.x0[k] == 0 or parts.y0[k] == 0
    return bool(on_left_or_top or parts.x1[k] == parts.width or parts.y1[k] == parts.height)


def near(parts: Components, a: int, b: int, reach: float) -> bool:
    """Whether the boxes of components a and b are less than `reach` apart both ways."""
    across = parts.x0[a] < parts.x1[b] + reach and parts.x0[b] - reach < parts.x1[a]
    down = parts.y0[a] < parts.y1[b] + reach and parts.y0[b] - reach < parts.y1[a]
    return bool(across and down)


def _detached_suspects(parts: Components, suspect: set[int], ordinary: list[int]) -> list[int]:
    """Return the suspects to drop, in order.

    A suspect goes when the heaviest ordinary component has EDGE_INSIDE_MASS of its mass and none
    lies within EDGE_GAP × that one's height (a 5's or 7's bar along a tight crop's edge stays with
    the rest of the digit).
    """
    main = -1
    for k in ordinary:  # the first of the heaviest
        if main < 0 or parts.mass[k] > parts.mass[main]:
            main = k
    if main < 0:
        return []
    gap = max(2.0, EDGE_GAP * _box_height(parts, main))
    heavy_enough = [k for k in sorted(suspect) if parts.mass[main] >= EDGE_INSIDE_MASS * parts.mass[k]]
    return [k for k in heavy_enough if not any(near(parts, k, b, gap) for b in ordinary)]


def junk_components(parts: Components, min_side: int, *, saturated: bool = False) -> set[int]:
    """Return the component numbers that are not ink of a digit (see the module's doc)."""
    judged = [k for k in range(parts.count) if _longer_side(parts, k) >= min_side]
    junk: set[int] = set()
    if not judged:
        return junk
    mean = {k: float(parts.mass[k]) / float(parts.area[k]) for k in judged}
    strongest = max(mean.values())
    shapes = {k: component_shape(parts, k) for k in judged}
    soft_core = {k: bool(parts.full[k] < SOFT_CORE * parts.area[k]) for k in judged}
    for k in judged:
        ratio, _ = shapes[k]
        weak = mean[k] < WEAK_SHARE * strongest and (touches_frame(parts, k) or ratio > FAT_RATIO)
        broad = ratio > FAT_RATIO and _longer_side(parts, k) >= MIN_SHADED_SIDE
        soft = saturated and (
            (broad and soft_core[k]) or parts.full[k] == 0 or hole_count(parts, k) > MAX_HOLES
        )
        if weak or soft:
            junk.add(k)
    if saturated and junk:
        shading = max(mean[k] for k in junk)  # the fringe: soft and no stronger than the shading
        junk.update(k for k in judged if soft_core[k] and mean[k] <= shading)
    suspect: set[int] = set()
    for k in judged:
        ratio, contact = shapes[k]
        if k not in junk and (ratio > SOLID_RATIO or contact >= EDGE_CONTACT or spans_frame(parts, k)):
            suspect.add(k)
    ordinary = [k for k in judged if k not in junk and k not in suspect]
    junk.update(_detached_suspects(parts, suspect, ordinary))
    inside = [mean[k] for k in ordinary if not touches_frame(parts, k)]
    if inside:
        best = max(inside)
        junk.update(k for k in judged if touches_frame(parts, k) and mean[k] < FRAME_WEAK_SHARE * best)
    return junk


def drop_specks(parts: Components, components: list[int]) -> list[int]:
    """Return the components that are not specks, in order.

    A speck is under SPECK_SIDE × the digits' height both ways and away from every bigger
    component, or under DOT_SIDE × it anywhere.
    """
    if not components:
        return components
    heaviest = max(float(parts.mass[k]) for k in components)
    reference = max(_box_height(parts, k) for k in components if float(parts.mass[k]) >= 0.25 * heaviest)
    reach = SPECK_SIDE * reference
    small = {k for k in components if _longer_side(parts, k) < reach}
    big = [k for k in components if k not in small]

    dot = DOT_SIDE * reference
    return [
        k
        for k in components
        if k not in small or (_longer_side(parts, k) >= dot and any(near(parts, k, b, reach) for b in big))
    ]


def marks_removed(parts: Components, *, saturated: bool = False) -> list[int]:
    """Return the component numbers kept as possible digit ink, in order.

    When every judged component is junk, what is left is too small to be a digit: nothing is kept.
    """
    min_side = max(8, round_half_up(JUDGED_SIDE * min(parts.width, parts.height)))
    junk = junk_components(parts, min_side, saturated=saturated)
    judged = [k for k in range(parts.count) if _longer_side(parts, k) >= min_side]
    if judged and all(k in junk for k in judged):
        return []
    return drop_specks(parts, [k for k in range(parts.count) if k not in junk])
