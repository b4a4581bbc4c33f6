/**
 * Decoded pixels → luma and coverage at the working resolution (`digits/image/decode.py`).
 *
 * The page hands over RGBA as the browser decoded it (EXIF orientation applied, no colour
 * management), a canvas's pixels or a camera frame. It is reduced by exact integer block
 * averaging: block side `factor = max(1, min(ceil(max(W, H) / MAX_WORKING_SIDE), W, H))`, whole
 * blocks only (the last W mod factor columns and H mod factor rows are dropped). Per block:
 *
 *     luma     = Σ (299·R + 587·G + 114·B)·A / (1000 · 255 · 255 · factor²)   (premultiplied)
 *     coverage = Σ A / (255 · factor²)
 *
 * The sums are exact integers (below 2^53 for any image under 50 MP), divided once in float64 and
 * rounded to float32: the same bits as Python. Classic script, no DOM; `MnistImage.decode`.
 */
(function (root) {
  'use strict';

  const image = root.MnistImage || (root.MnistImage = {});
  const constants = image.constants || require('./constants.js');
  const { MAX_WORKING_SIDE, LUMA_WEIGHTS } = constants;
  const [RED, GREEN, BLUE] = LUMA_WEIGHTS;

  /**
   * @typedef {Object} Reduced
   * @property {Float32Array} luma [height, width] premultiplied luma in [0, 1]
   * @property {Float32Array} coverage [height, width] alpha in [0, 1]
   * @property {number} width working width
   * @property {number} height working height
   * @property {number} factor original pixels per working pixel along each axis
   */

  /** Block side so the longer side is at most `maxSide`, never below one whole block per axis. */
  function blockFactor(width, height, maxSide = MAX_WORKING_SIDE) {
    return Math.max(1, Math.min(Math.ceil(Math.max(width, height) / maxSide), width, height));
  }

  /**
   * Check an ImageData-like object and return its size.
   * @param {{data: Uint8ClampedArray|Uint8Array, width: number, height: number}} imageData RGBA [height, width, 4]
   */
  function checkImageData(imageData) {
    if (!imageData || !imageData.data) throw new Error('expected RGBA pixels {data, width, height}, got none');
    const { data, width, height } = imageData;
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
      throw new Error(`image has no pixels: ${width}×${height}`);
    }
    if (data.length !== width * height * 4) {
      throw new Error(`expected ${width}×${height}×4 = ${width * height * 4} RGBA values, got ${data.length}`);
    }
    return { width, height };
  }

  /**
   * RGBA pixels → `Reduced` (the pixel-array entry point: decoded photos, canvases, camera frames).
   * @param {{data: Uint8ClampedArray|Uint8Array, width: number, height: number}} imageData RGBA [height, width, 4]
   * @param {{maxSide?: number}} [options]
   * @returns {Reduced}
   */
  function reduceRgba(imageData, { maxSide = MAX_WORKING_SIDE } = {}) {
    const { width, height } = checkImageData(imageData);
    const data = imageData.data;
    const factor = blockFactor(width, height, maxSide);
    const columns = Math.floor(width / factor);
    const rows = Math.floor(height / factor);
    const lumaSums = new Float64Array(columns); // one block row at a time: exact integer sums
    const alphaSums = new Float64Array(columns);
    const luma = new Float32Array(rows * columns);
    const coverage = new Float32Array(rows * columns);
    const count = factor * factor;
    const lumaScale = 1000 * 255 * 255 * count;
    const alphaScale = 255 * count;
    for (let blockRow = 0; blockRow < rows; blockRow++) {
      lumaSums.fill(0);
      alphaSums.fill(0);
      for (let row = blockRow * factor; row < (blockRow + 1) * factor; row++) {
        let at = row * width * 4;
        for (let blockColumn = 0; blockColumn < columns; blockColumn++) {
          let lumaSum = 0; // ≤ factor · 65,025,000: exact
          let alphaSum = 0;
          for (let step = 0; step < factor; step++, at += 4) {
            const alpha = data[at + 3];
            lumaSum += (RED * data[at] + GREEN * data[at + 1] + BLUE * data[at + 2]) * alpha;
            alphaSum += alpha;
          }
          lumaSums[blockColumn] += lumaSum;
          alphaSums[blockColumn] += alphaSum;
        }
      }
      for (let blockColumn = 0; blockColumn < columns; blockColumn++) {
        luma[blockRow * columns + blockColumn] = lumaSums[blockColumn] / lumaScale;
        coverage[blockRow * columns + blockColumn] = alphaSums[blockColumn] / alphaScale;
      }
    }
    return { luma, coverage, width: columns, height: rows, factor };
  }

  image.decode = { blockFactor, checkImageData, reduceRgba };
  if (typeof module !== 'undefined' && module.exports) module.exports = image.decode;
})(typeof globalThis !== 'undefined' ? globalThis : this);
