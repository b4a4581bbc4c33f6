/**
 * Ruled and squared paper (`digits/image/lines.py`): straight lines across the whole image cleared.
 *
 * A horizontal line is a band of consecutive rows (at most MAX_LINE_THICKNESS × the height thick,
 * at least 1 row) each with ink in LINE_COVERAGE of its columns, alone (no ink within
 * LINE_CLEARANCE × the height above or below it) in at least LINE_ALONE of the columns. The band
 * is cleared except where a stroke crosses it (ink right above and right below the band). Vertical
 * lines: the same on the transposed image. The mask is the ink before anything is cleared.
 *
 * Classic script, no DOM; `MnistImage.lines` (+ module.exports under node).
 */
(function (root) {
  'use strict';

  const image = root.MnistImage || (root.MnistImage = {});
  const constants = image.constants || require('./constants.js');
  const numeric = image.numeric || require('./numeric.js');
  const { LINE_COVERAGE, LINE_ALONE, MAX_LINE_THICKNESS, LINE_CLEARANCE } = constants;

  /** @param {Float64Array} pixels [height, width] @returns {Float64Array} [width, height] */
  function transpose(pixels, width, height) {
    const result = new Float64Array(pixels.length);
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) result[column * height + row] = pixels[row * width + column];
    }
    return result;
  }

  /** Whether some row in [from, to) has ink in this column. */
  function anyInk(mask, width, column, from, to) {
    for (let row = from; row < to; row++) if (mask[row * width + column]) return true;
    return false;
  }

  /** Clear one band [top, bottom) if it is a line (see the file's comment); `result` is changed. */
  function clearBand(result, mask, width, height, top, bottom) {
    const clearance = Math.max(1, numeric.roundHalfUp(LINE_CLEARANCE * height));
    let alone = 0;
    for (let column = 0; column < width; column++) {
      const above = anyInk(mask, width, column, Math.max(0, top - clearance), top);
      const below = anyInk(mask, width, column, bottom, Math.min(height, bottom + clearance));
      if (!above && !below) alone += 1;
    }
    if (alone / width < LINE_ALONE) return;
    for (let column = 0; column < width; column++) {
      const crossed = top > 0 && bottom < height && mask[(top - 1) * width + column] && mask[bottom * width + column];
      if (crossed) continue;
      for (let row = top; row < bottom; row++) result[row * width + column] = 0;
    }
  }

  /**
   * Horizontal ruled lines cleared.
   * @param {Float64Array} ink [height, width]
   * @returns {Float64Array} [height, width], a copy
   */
  function clearRows(ink, width, height) {
    const mask = new Uint8Array(ink.length);
    const covered = new Uint8Array(height);
    for (let row = 0; row < height; row++) {
      let count = 0;
      for (let column = 0; column < width; column++) {
        if (ink[row * width + column] > 0) {
          mask[row * width + column] = 1;
          count += 1;
        }
      }
      covered[row] = count >= LINE_COVERAGE * width ? 1 : 0;
    }
    const thickest = Math.max(1, numeric.roundHalfUp(MAX_LINE_THICKNESS * height));
    const result = Float64Array.from(ink);
    for (let top = 0; top < height; ) {
      if (!covered[top]) {
        top++;
        continue;
      }
      let bottom = top;
      while (bottom < height && covered[bottom]) bottom++;
      if (bottom - top <= thickest) clearBand(result, mask, width, height, top, bottom);
      top = bottom;
    }
    return result;
  }

  /**
   * Horizontal, then vertical ruled lines cleared.
   * @param {Float64Array} ink [height, width]
   * @returns {Float64Array} [height, width], a copy
   */
  function clearLines(ink, width, height) {
    const rowsCleared = clearRows(ink, width, height);
    return transpose(clearRows(transpose(rowsCleared, width, height), height, width), height, width);
  }

  image.lines = { transpose, clearRows, clearLines };
  if (typeof module !== 'undefined' && module.exports) module.exports = image.lines;
})(typeof globalThis !== 'undefined' ? globalThis : this);
