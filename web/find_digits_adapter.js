/**
 * A stand-in for `MnistPreprocess.findDigits` until the JS port of the image path lands in
 * preprocess.js (CONTRACTS.md). It has the contract's signature and the old single-digit
 * behaviour: the whole image is one digit, its box the ink's bounding box. The only step it adds
 * to `fromImageData` is the polarity of a photo: a light border (dark ink on paper) is inverted
 * and stretched, so a photo or scan of a digit is not read as a white blob.
 *
 * Delete this file (and its <script> tag) once preprocess.js defines findDigits: it installs
 * itself only where findDigits is missing. No DOM here.
 */
(function (root) {
  'use strict';

  const preprocess = root.MnistPreprocess;
  if (!preprocess || typeof preprocess.findDigits === 'function') return;
  const { INK_THRESHOLD } = root.MNIST_SPEC;
  const BORDER_FRACTION = 0.02; // the border band: the outer 2% of rows and columns (as digits/image/clean.py)

  function median(values) {
    const sorted = Float32Array.from(values).sort();
    return sorted.length ? sorted[sorted.length >> 1] : 0;
  }

  /** Luminance composited on black by alpha, [height * width] in [0, 1]. */
  function luminance({ data, width, height }) {
    const gray = new Float32Array(width * height);
    for (let pixel = 0; pixel < gray.length; pixel += 1) {
      const offset = pixel * 4;
      const luma = (data[offset] * 299 + data[offset + 1] * 587 + data[offset + 2] * 114) / 1000;
      gray[pixel] = (luma * data[offset + 3]) / (255 * 255);
    }
    return gray;
  }

  /** White ink on black: invert when the border is light, then stretch border level … peak to 0 … 1. */
  function whiteOnBlack(gray, width, height) {
    const band = Math.max(1, Math.round(BORDER_FRACTION * Math.min(width, height)));
    const border = [];
    for (let row = 0; row < height; row += 1) {
      for (let column = 0; column < width; column += 1) {
        const inBand = row < band || row >= height - band || column < band || column >= width - band;
        if (inBand) border.push(gray[row * width + column]);
      }
    }
    const invert = median(border) > 0.5;
    const values = invert ? gray.map((value) => 1 - value) : gray;
    const background = invert ? 1 - median(border) : median(border);
    let peak = 0;
    for (const value of values) peak = Math.max(peak, value);
    if (peak - background < INK_THRESHOLD) return new Float32Array(gray.length);
    return values.map((value) => Math.min(1, Math.max(0, (value - background) / (peak - background))));
  }

  /** The ink's bounding box [x0, y0, x1, y1] (x1, y1 exclusive). */
  function inkBox(gray, width, height) {
    const box = [width, height, 0, 0];
    for (let row = 0; row < height; row += 1) {
      for (let column = 0; column < width; column += 1) {
        if (gray[row * width + column] <= INK_THRESHOLD) continue;
        box[0] = Math.min(box[0], column);
        box[1] = Math.min(box[1], row);
        box[2] = Math.max(box[2], column + 1);
        box[3] = Math.max(box[3], row + 1);
      }
    }
    return box;
  }

  /**
   * @param {{data: Uint8ClampedArray, width: number, height: number}} imageData RGBA [height, width, 4]
   * @return {Promise<Array<{pixels: Float32Array, box: number[]}>>} at most one digit: 784 values, box in pixels
   */
  async function findDigits(imageData) {
    const { width, height } = imageData;
    if (!(width > 0 && height > 0) || imageData.data.length !== width * height * 4) {
      throw new Error(`expected ${width}×${height} RGBA pixels, got ${imageData.data && imageData.data.length} values`);
    }
    const gray = whiteOnBlack(luminance(imageData), width, height);
    const pixels = preprocess.preprocess(gray, width, height);
    return pixels ? [{ pixels, box: inkBox(gray, width, height) }] : [];
  }

  preprocess.findDigits = findDigits;
})(globalThis);
