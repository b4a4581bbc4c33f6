/**
 * Reduced luma → the digits' clean ink (`digits/image/ink.py`): cleaning, the polarity settled,
 * ruled lines cleared, marks that are not digits dropped.
 *
 * When `clean` is not certain of the polarity it returns both; each is cleared of lines and marks,
 * and the first guess stands unless its kept ink is unlike a digit: nothing strong (at or above
 * MASK_LEVEL) kept, or more than MAX_DIGIT_PIECES pieces (components with strong ink) while the
 * other polarity keeps fewer. A digit is one or two strokes, while the paper seen as ink is cut into
 * pieces by the strokes (the loops of 0, 6, 8, 9, the sides of a tight crop). Both languages share
 * this rule.
 *
 * Classic script, no DOM; `MnistImage.ink` (+ module.exports under node).
 */
(function (root) {
  'use strict';

  const image = root.MnistImage || (root.MnistImage = {});
  const constants = image.constants || require('./constants.js');
  const decode = image.decode || require('./decode.js');
  const clean = image.clean || require('./clean.js');
  const lines = image.lines || require('./lines.js');
  const components = image.components || require('./components.js');
  const marks = image.marks || require('./marks.js');
  const { MASK_LEVEL, MAX_DIGIT_PIECES } = constants;

  /**
   * @typedef {Object} CleanInk
   * @property {Float64Array} pixels [height, width] in [0, 1], white ink on black
   * @property {number} width working width
   * @property {number} height working height
   * @property {number} factor original pixels per working pixel along each axis
   * @property {boolean} darkInk the ink was darker than the paper
   */

  /**
   * Ink with ruled lines and marks that are not digits removed, and how many of its kept
   * components have strong ink (≥ MASK_LEVEL).
   * @param {Float64Array} pixels [height, width]
   * @param {boolean} [saturated] the ink's ramp ends below its level (a photo; see marks.js)
   * @returns {{pixels: Float64Array, pieces: number}} pixels [height, width], a new array
   */
  function keptInk(pixels, width, height, saturated = false) {
    const cleared = lines.clearLines(pixels, width, height);
    const parts = components.label(cleared, width, height);
    const kept = marks.marksRemoved(parts, { saturated });
    const keep = new Uint8Array(parts.count);
    for (const k of kept) keep[k] = 1;
    for (let index = 0; index < cleared.length; index++) {
      const k = parts.labels[index];
      if (k < 0 || !keep[k]) cleared[index] = 0;
    }
    return { pixels: cleared, pieces: kept.filter((k) => parts.peak[k] >= MASK_LEVEL).length };
  }

  /**
   * Reduced pixels → `CleanInk`.
   * @param {import('./decode.js').Reduced} reduced
   * @returns {CleanInk}
   */
  function fromReduced(reduced) {
    const { width, height, factor } = reduced;
    const ink = clean.clean(reduced);
    const first = keptInk(ink.pixels, width, height, ink.saturated);
    if (ink.other !== null) {
      const other = keptInk(ink.other.pixels, width, height, ink.other.saturated);
      const unlikeADigit = first.pieces === 0 || (first.pieces > MAX_DIGIT_PIECES && other.pieces < first.pieces);
      if (other.pieces > 0 && unlikeADigit) {
        return { pixels: other.pixels, width, height, factor, darkInk: ink.other.darkInk };
      }
    }
    return { pixels: first.pixels, width, height, factor, darkInk: ink.darkInk };
  }

  /**
   * RGBA pixels as the browser decoded them (a photo, a scan, a camera frame) → `CleanInk`.
   * @param {{data: Uint8ClampedArray|Uint8Array, width: number, height: number}} imageData RGBA [height, width, 4]
   * @returns {CleanInk}
   */
  function fromRgba(imageData) {
    return fromReduced(decode.reduceRgba(imageData));
  }

  image.ink = { keptInk, fromReduced, fromRgba };
  if (typeof module !== 'undefined' && module.exports) module.exports = image.ink;
})(typeof globalThis !== 'undefined' ? globalThis : this);
