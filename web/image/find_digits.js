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
   * A drawing's canvas is clean ink already (white on black or on transparency): luma × alpha,
   * float32 [height, width] in [0, 1], as Python's `digits_from_array` reads an RGBA array.
   */
  function canvasInk({ data, width, height }) {
    const ink = new Float32Array(width * height);
    for (let index = 0; index < ink.length; index++) {
      const offset = 4 * index;
      const luma = data[offset] * 0.299 + data[offset + 1] * 0.587 + data[offset + 2] * 0.114;
      ink[index] = (luma / 255) * (data[offset + 3] / 255);
    }
    return ink;
  }

  /**
   * @param {{data: Uint8ClampedArray|Uint8Array, width: number, height: number}} imageData RGBA [height, width, 4]
   * @param {{classify?: function(Float32Array): Promise<Float32Array>, drawing?: boolean}} [options]
   *   classify scores candidate cuts between touching digits: [n·784] → probabilities [n·10];
   *   drawing: the pixels are a drawing's canvas, clean ink already, so the photo cleaning (most of
   *   the time on the pad) is skipped, as the app's pad does (`digits_from_array`)
   * @returns {Promise<Array<{pixels: Float32Array, box: number[]}>>} 784 values each (28×28, white
   *   on black, [0, 1]); box [x0, y0, x1, y1) in the source's pixels; [] when there is no digit
   */
  async function findDigits(imageData, { classify = null, drawing = false } = {}) {
    if (drawing) {
      const { width, height } = imageData;
      if (!(width > 0 && height > 0) || imageData.data.length !== width * height * 4) {
        throw new Error(`expected ${width}×${height} RGBA pixels, got ${imageData.data && imageData.data.length} values`);
      }
      return segmentation.segment(canvasInk(imageData), width, height, { classify });
    }
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
