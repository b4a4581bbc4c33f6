/**
 * The page's entry points to the image path (`web/image/*.js`, `MnistImage`), named as the rest of
 * the page calls them. There is one JS image path: this file adds no step of its own.
 *
 * - `preprocess(gray, width, height)`: white ink on black → the 28×28 model input, or null when
 *   blank (as `preprocess_array` in digits/image/recipe.py): the blank test (no pixel above
 *   INK_THRESHOLD, or less ink than MIN_INK_FRACTION × the longer side squared), then
 *   `MnistImage.recipe.digitInput` (strokes brought to MNIST's width, then the MNIST recipe).
 * - `fromImageData(imageData)`: a drawing (canvas pixels, white ink on black, alpha composited onto
 *   black) → `preprocess`.
 * - `cleanPhoto(imageData)`: a photo, scan or camera frame → its clean ink (`load_image` in Python).
 * - `fromPhoto(imageData)`: `cleanPhoto` then `preprocess` (`preprocess_image` in Python).
 *
 * The golden vectors in tests/golden/ hold it within 1/255 per pixel of Python. A classic script
 * (the page runs from file://): the page loads spec.js and web/image/*.js before it. It defines
 * `globalThis.MnistPreprocess`, and `module.exports` under node. It never touches the DOM.
 */
(function (root) {
  'use strict';

  const isNode = typeof module !== 'undefined' && module.exports;
  if (!root.MnistImage && isNode) {
    for (const name of ['constants', 'numeric', 'blocks', 'paper', 'decode', 'clean', 'lines', 'components',
      'masks', 'marks', 'recipe', 'ink']) require(`./image/${name}.js`);
  }
  const image = root.MnistImage;
  if (!image || !image.ink || !image.recipe) {
    throw new Error('web/image/*.js (the image path) must be loaded before preprocess.js');
  }
  const { IMAGE_SIZE, BOX_SIZE, INK_THRESHOLD, MIN_INK_FRACTION } = image.constants;

  /**
   * White ink on black → the model input.
   * @param {Float32Array|Float64Array|number[]} gray [height, width] row-major, values in [0, 1]
   * @param {number} width
   * @param {number} height
   * @returns {Float32Array|null} [28, 28] row-major in [0, 1], or null when blank
   */
  function preprocess(gray, width, height) {
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) ||
        gray.length !== width * height) {
      throw new Error(`expected ${width}×${height} = ${width * height} pixels, got ${gray.length}`);
    }
    const pixels = new Float64Array(gray.length);
    let inkMass = 0;
    let inked = false;
    for (let index = 0; index < gray.length; index++) {
      const value = Math.min(1, Math.max(0, gray[index] || 0));
      pixels[index] = value;
      if (value > INK_THRESHOLD) {
        inkMass += value;
        inked = true;
      }
    }
    const longerSide = Math.max(width, height);
    if (!inked || inkMass < MIN_INK_FRACTION * longerSide * longerSide) return null;
    return image.recipe.digitInput(pixels, width, height);
  }

  /**
   * Canvas pixels (white ink on black) → the model input. Luminance (ITU-R 601) composited onto
   * black by alpha, so a transparent canvas reads as an empty one; never reduced.
   * @param {{data: Uint8ClampedArray, width: number, height: number}} imageData [height, width, 4] RGBA
   * @returns {Float32Array|null} [28, 28] row-major in [0, 1], or null when blank
   */
  function fromImageData(imageData) {
    const reduced = image.decode.reduceRgba(imageData, { maxSide: Infinity });
    return preprocess(reduced.luma, reduced.width, reduced.height);
  }

  /**
   * A photo, scan or camera frame → its clean ink at the working resolution (float32, as Python's
   * `load_image` returns it).
   * @param {{data: Uint8ClampedArray, width: number, height: number}} imageData [height, width, 4] RGBA
   * @returns {{pixels: Float32Array, width: number, height: number, factor: number, darkInk: boolean}}
   */
  function cleanPhoto(imageData) {
    const ink = image.ink.fromRgba(imageData);
    return { ...ink, pixels: Float32Array.from(ink.pixels) };
  }

  /**
   * A photo, scan or camera frame of one digit → the model input, or null when blank.
   * @param {{data: Uint8ClampedArray, width: number, height: number}} imageData [height, width, 4] RGBA
   * @returns {Float32Array|null} [28, 28]
   */
  function fromPhoto(imageData) {
    const ink = cleanPhoto(imageData);
    return preprocess(ink.pixels, ink.width, ink.height);
  }

  const api = Object.assign(root.MnistPreprocess || {}, { IMAGE_SIZE, BOX_SIZE, preprocess, fromImageData, cleanPhoto, fromPhoto });
  root.MnistPreprocess = api;
  if (isNode) module.exports = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
