/**
 * Boolean masks of the recipe (`digits/image/recipe.py`): pooling by "any" (a 1-px line survives
 * any reduction), the stroke width from cross-erosion depths, dilation by a disk.
 *
 * Masks are Uint8Array 0/1, row-major [height, width]. Classic script, no DOM;
 * `MnistImage.masks` (+ module.exports under node).
 */
(function (root) {
  'use strict';

  const image = root.MnistImage || (root.MnistImage = {});

  /**
   * [height, width] → [targetHeight, targetWidth]: set where any pixel of the source interval is.
   * Target pixel i covers source indices floor(i·s/t) … ceil((i+1)·s/t) − 1, rows then columns.
   * @param {Uint8Array} mask
   * @returns {Uint8Array}
   */
  function poolAny(mask, width, height, targetHeight, targetWidth) {
    const rows = new Uint8Array(targetHeight * width);
    for (let target = 0; target < targetHeight; target++) {
      const first = Math.floor((target * height) / targetHeight);
      const last = Math.ceil(((target + 1) * height) / targetHeight);
      for (let source = first; source < last; source++) {
        for (let column = 0; column < width; column++) rows[target * width + column] |= mask[source * width + column];
      }
    }
    const result = new Uint8Array(targetHeight * targetWidth);
    for (let target = 0; target < targetWidth; target++) {
      const first = Math.floor((target * width) / targetWidth);
      const last = Math.ceil(((target + 1) * width) / targetWidth);
      for (let row = 0; row < targetHeight; row++) {
        let any = 0;
        for (let source = first; source < last; source++) any |= rows[row * width + source];
        result[row * targetWidth + target] = any;
      }
    }
    return result;
  }

  /** One erosion by the 4-neighbour cross (outside counts as background) into `target`; its count. */
  function erodeCross(mask, width, height, target) {
    let count = 0;
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) {
        const at = row * width + column;
        const kept = mask[at] && row > 0 && row < height - 1 && column > 0 && column < width - 1 &&
          mask[at - width] && mask[at + width] && mask[at - 1] && mask[at + 1];
        target[at] = kept ? 1 : 0;
        if (kept) count += 1;
      }
    }
    return count;
  }

  /**
   * Mean stroke width (pixels) from erosion depths: D = Σ surviving counts / area,
   * width = 2·(D + sqrt(max(D² − D, 0))) − 1 (exact for a straight stroke of odd width); 0 when empty.
   * @param {Uint8Array} mask [height, width]
   */
  function strokeWidth(mask, width, height) {
    let area = 0;
    for (let index = 0; index < mask.length; index++) area += mask[index];
    if (area === 0) return 0;
    let current = Uint8Array.from(mask);
    let next = new Uint8Array(mask.length);
    let total = 0;
    let count = area;
    while (count > 0) {
      total += count;
      count = erodeCross(current, width, height, next);
      [current, next] = [next, current];
    }
    const depth = total / area;
    return 2 * (depth + Math.sqrt(Math.max(depth * depth - depth, 0))) - 1;
  }

  /**
   * Dilate a mask by the disk dy² + dx² ≤ radius² (outside counts as empty).
   * @param {Uint8Array} mask [height, width]
   * @returns {Uint8Array} [height, width]
   */
  function disk(mask, width, height, radius) {
    const result = Uint8Array.from(mask);
    const offsets = [];
    for (let dy = -radius; dy <= radius; dy++) {
      let reach = 0;
      while ((reach + 1) * (reach + 1) + dy * dy <= radius * radius) reach++;
      offsets.push([dy, reach]);
    }
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) {
        if (!mask[row * width + column]) continue;
        for (const [dy, reach] of offsets) {
          const y = row + dy;
          if (y < 0 || y >= height) continue;
          const from = Math.max(0, column - reach);
          const to = Math.min(width - 1, column + reach);
          result.fill(1, y * width + from, y * width + to + 1);
        }
      }
    }
    return result;
  }

  image.masks = { poolAny, erodeCross, strokeWidth, disk };
  if (typeof module !== 'undefined' && module.exports) module.exports = image.masks;
})(typeof globalThis !== 'undefined' ? globalThis : this);
