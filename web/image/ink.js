/**
 * Reduced luma → the digits' clean ink (`digits/image/ink.py`): cleaning, the polarity settled,
 * ruled lines cleared, marks that are not digits dropped.
 *
 * When `clean` is not certain of the polarity it returns both; each is cleared of lines and marks,
 * and the one whose kept ink covers fewer pixels (at or above MASK_LEVEL) wins: ink is the minority
 * of a picture of a digit, while the wrong polarity makes the paper its ink. A polarity with nothing
 * kept loses; a tie keeps the first guess. Both languages share this rule.
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
  const { MASK_LEVEL } = constants;

  /**
   * @typedef {Object} CleanInk
   * @property {Float64Array} pixels [height, width] in [0, 1], white ink on black
   * @property {number} width working width
   * @property {number} height working height
   * @property {number} factor original pixels per working pixel along each axis
   * @property {boolean} darkInk the ink was darker than the paper
   */

  /**
   * Ink with ruled lines and marks that are not digits removed.
   * @param {Float64Array} pixels [height, width]
   * @returns {Float64Array} [height, width], a new array
   */
  function keptInk(pixels, width, height) {
    const cleared = lines.clearLines(pixels, width, height);
    const parts = components.label(cleared, width, height);
    const keep = new Uint8Array(parts.count);
    for (const k of marks.marksRemoved(parts)) keep[k] = 1;
    for (let index = 0; index < cleared.length; index++) {
      const k = parts.labels[index];
      if (k < 0 || !keep[k]) cleared[index] = 0;
    }
    return cleared;
  }

  /** How many pixels are strong ink; a polarity with none scores worst. */
  function covered(pixels) {
    let count = 0;
    for (let index = 0; index < pixels.length; index++) if (pixels[index] >= MASK_LEVEL) count++;
    return count > 0 ? count : pixels.length + 1;
  }

  /**
   * Reduced pixels → `CleanInk`.
   * @param {import('./decode.js').Reduced} reduced
   * @returns {CleanInk}
   */
  function fromReduced(reduced) {
    const { width, height, factor } = reduced;
    const ink = clean.clean(reduced);
    const pixels = keptInk(ink.pixels, width, height);
    if (ink.other !== null) {
      const other = keptInk(ink.other.pixels, width, height);
      if (covered(other) < covered(pixels)) return { pixels: other, width, height, factor, darkInk: ink.other.darkInk };
    }
    return { pixels, width, height, factor, darkInk: ink.darkInk };
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
