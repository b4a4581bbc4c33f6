/**
 * `MnistPreprocess.findDigits`: the page's image path for a drawing, a photo or a camera frame,
 * the twin of Python's `digits.image.read_digits`.
 *
 * RGBA → reduced luma and coverage (decode.js) → clean ink with lines and marks dropped (ink.js)
 * → digits left to right (segment.js, each through the recipe) → boxes back in the source's pixels
 * (the working image is the source reduced by a whole `factor`).
 *
 * Classic script, no DOM. Load after the other web/image/*.js (before or after web/preprocess.js).
 */
(function (root) {
  'use strict';

  const image = root.MnistImage || (root.MnistImage = {});
  const ink = image.ink || require('./ink.js');
  const segmentation = image.segment || require('./segment.js');

  /**
   * @param {{data: Uint8ClampedArray|Uint8Array, width: number, height: number}} imageData RGBA [height, width, 4]
   * @param {{classify?: function(Float32Array): Promise<Float32Array>}} [options] scores candidate
   *   cuts between touching digits: [n·784] → probabilities [n·10]
   * @returns {Promise<Array<{pixels: Float32Array, box: number[]}>>} 784 values each (28×28, white
   *   on black, [0, 1]); box [x0, y0, x1, y1) in the source's pixels; [] when there is no digit
   */
  async function findDigits(imageData, { classify = null } = {}) {
    const clean = ink.fromRgba(imageData);
    const found = await segmentation.segment(clean.pixels, clean.width, clean.height, { classify });
    const factor = clean.factor || 1;
    return found.map(({ pixels, box }) => ({ pixels, box: box.map((value) => value * factor) }));
  }

  image.findDigits = findDigits;
  const preprocess = root.MnistPreprocess || (root.MnistPreprocess = {});
  preprocess.findDigits = findDigits;
  if (typeof module !== 'undefined' && module.exports) module.exports = { findDigits };
})(typeof globalThis !== 'undefined' ? globalThis : this);
