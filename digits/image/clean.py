"""Cleaning: grey luminance `(h, w)` → white ink on black, paper and noise suppressed (numpy only).

Light borders (dark ink on paper) are inverted; clean synthetic images are only stretched; noisy
photos lose their uneven paper level and everything within a noise margin of it.
"""

import numpy as np

NOISE_SIGMAS = 4.0  # photos: paper brighter than background + this many noise deviations is ink
NOISE_FLOOR_FRACTION = 0.15  # photos: and at least this fraction of the paper-to-ink contrast
MIN_CONTRAST = 0.1  # photos: a peak less than this above the paper means there is no ink
PAPER_GRID = 8  # photos: the paper's level is estimated on this many × this many blocks


def paper_level(gray: np.ndarray) -> np.ndarray:
    """Estimate the paper's brightness at every pixel, float32 `(h, w)`, for uneven lighting.

    The median of each block of an 8 × 8 grid (a stroke covers well under half a block) is the
    paper there; a bilinear interpolation between the block centres gives a smooth level.
    """
    height, width = gray.shape
    row_edges = np.linspace(0, height, PAPER_GRID + 1).round().astype(int)
    column_edges = np.linspace(0, width, PAPER_GRID + 1).round().astype(int)
    medians = np.array(
        [
            [
                np.median(gray[r0:r1, c0:c1])
                for c0, c1 in zip(column_edges[:-1], column_edges[1:], strict=True)
            ]
            for r0, r1 in zip(row_edges[:-1], row_edges[1:], strict=True)
        ]
    )
    row_centres = (row_edges[:-1] + row_edges[1:] - 1) / 2
    column_centres = (column_edges[:-1] + column_edges[1:] - 1) / 2
    along_rows = np.array([np.interp(np.arange(width), column_centres, line) for line in medians])
    level = np.array([np.interp(np.arange(height), row_centres, line) for line in along_rows.T]).T
    return level.astype(np.float32)


def normalize(gray: np.ndarray) -> np.ndarray:
    """Luminance `(h, w)` → white ink on black, paper noise suppressed, contrast stretched.

    The border (the outer 2 % of rows and columns) is taken to be background: a light border
    (a photo or a scan of dark ink on paper) inverts the image. A clean synthetic image (uniform
    border) is only stretched. A noisy one (a phone photo) has its paper level subtracted (uneven
    lighting) and loses everything within a noise margin of the paper, so grain is not ink.
    """
    height, width = gray.shape
    band = max(1, round(0.02 * min(height, width)))

    def border_of(image: np.ndarray) -> np.ndarray:
        return np.concatenate(
            [image[:band].ravel(), image[-band:].ravel(), image[:, :band].ravel(), image[:, -band:].ravel()]
        )

    border = border_of(gray)
    if np.median(border) > 0.5:
        gray, border = 1.0 - gray, 1.0 - border
    background = float(np.median(border))
    clean = float(np.mean(np.abs(border - background))) < 0.01
    if clean:
        peak = float(gray.max())
        if peak - background < MIN_CONTRAST:
            return np.zeros_like(gray, dtype=np.float32)
        return np.clip((gray - background) / (peak - background), 0.0, 1.0).astype(np.float32)
    if min(height, width) >= 4 * PAPER_GRID:
        gray = gray - paper_level(gray)
        border = border_of(gray)
        background = float(np.median(border))
    spread = 1.4826 * float(np.median(np.abs(border - background)))  # robust standard deviation
    # The ink's level: the 99.99th percentile, so a few hot pixels do not set it, while a thin
    # digit on a 12-megapixel photo (≥ 1200 pixels) still does.
    peak = float(np.percentile(gray, 99.99))
    if peak - background < MIN_CONTRAST:
        return np.zeros_like(gray, dtype=np.float32)
    floor = background + max(NOISE_SIGMAS * spread, NOISE_FLOOR_FRACTION * (peak - background))
    return np.clip((gray - floor) / (peak - floor), 0.0, 1.0).astype(np.float32)
