/**
 * The MNIST recipe in the browser: a drawing → the 28×28 input the models were trained on.
 *
 * Operation for operation the same as `digits/image/recipe.py`'s `preprocess_array` (the golden
 * vectors in `tests/golden/preprocess.json` hold the two within 1/255 per pixel): crop to the
 * ink's bounding box, scale the longer side to BOX_SIZE (20) pixels by an exact area average,
 * paste into IMAGE_SIZE × IMAGE_SIZE (28 × 28) shifted by a whole number of pixels so the centre
 * of mass lands on (14, 14) without cutting the ink off. Values in [0, 1], white ink on black.
 *
 * A classic script (the page runs from file://, where module scripts do not load): it defines
 * `globalThis.MnistPreprocess`, and `module.exports` under node. It never touches the DOM.
 */
(function (root) {
  'use strict';

  // Shared with Python (digits/constants.py, through the generated spec.js): sizes, the ink
  // threshold, the blank test's fraction and the rounding slack.
  const spec = root.MNIST_SPEC || (typeof require === 'function' ? require('./spec.js') : undefined);
  if (!spec) throw new Error('spec.js must be loaded before preprocess.js');
  const { IMAGE_SIZE, BOX_SIZE, CENTER, INK_THRESHOLD, MIN_INK_FRACTION, ROUNDING_SLACK } = spec;

  /** Round half up, exactly as `_round` in digits/image/recipe.py. */
  function roundHalfUp(value) {
    return Math.floor(value + 0.5 + ROUNDING_SLACK);
  }

  /**
   * Box-filter weights: output pixel i averages the source interval [i·s/t, (i+1)·s/t).
   * @param {number} sourceSize
   * @param {number} targetSize
   * @returns {Float64Array} [targetSize, sourceSize], row-major, rows sum to 1
   */
  function areaWeights(sourceSize, targetSize) {
    const weights = new Float64Array(targetSize * sourceSize);
    for (let target = 0; target < targetSize; target++) {
      const start = (target * sourceSize) / targetSize;
      const end = ((target + 1) * sourceSize) / targetSize;
      const last = Math.min(sourceSize, Math.ceil(end));
      for (let source = Math.floor(start); source < last; source++) {
        weights[target * sourceSize + source] =
          (Math.min(end, source + 1) - Math.max(start, source)) / (end - start);
      }
    }
    return weights;
  }

  /**
   * White ink on black → the model input.
   * @param {Float32Array|Float64Array|number[]} gray [height, width] row-major, values in [0, 1]
   * @param {number} width
   * @param {number} height
   * @returns {Float32Array|null} [28, 28] row-major in [0, 1], or null when blank
   */
  function preprocess(gray, width, height) {
    if (!(width > 0 && height > 0) || gray.length !== width * height) {
      throw new Error(`expected ${width}×${height} = ${width * height} pixels, got ${gray.length}`);
    }
    let top = height;
    let bottom = -1;
    let left = width;
    let right = -1;
    let inkMass = 0;
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) {
        const value = Math.min(1, Math.max(0, gray[row * width + column] || 0));
        if (value > INK_THRESHOLD) {
          inkMass += value;
          if (row < top) top = row;
          if (row > bottom) bottom = row;
          if (column < left) left = column;
          if (column > right) right = column;
        }
      }
    }
    const longerSide = Math.max(width, height);
    if (bottom < 0 || inkMass < MIN_INK_FRACTION * longerSide * longerSide) return null;

    const cropHeight = bottom - top + 1;
    const cropWidth = right - left + 1;
    const longer = Math.max(cropHeight, cropWidth);
    const boxHeight = Math.max(1, Math.floor((2 * cropHeight * BOX_SIZE + longer) / (2 * longer)));
    const boxWidth = Math.max(1, Math.floor((2 * cropWidth * BOX_SIZE + longer) / (2 * longer)));
    const rowWeights = areaWeights(cropHeight, boxHeight);
    const columnWeights = areaWeights(cropWidth, boxWidth);

    // Rows first: [boxHeight, cropWidth], then columns: [boxHeight, boxWidth].
    const rowsScaled = new Float64Array(boxHeight * cropWidth);
    for (let target = 0; target < boxHeight; target++) {
      for (let source = 0; source < cropHeight; source++) {
        const weight = rowWeights[target * cropHeight + source];
        if (weight === 0) continue;
        const sourceOffset = (top + source) * width + left;
        for (let column = 0; column < cropWidth; column++) {
          const value = Math.min(1, Math.max(0, gray[sourceOffset + column] || 0));
          rowsScaled[target * cropWidth + column] += weight * value;
        }
      }
    }
    const box = new Float64Array(boxHeight * boxWidth);
    for (let row = 0; row < boxHeight; row++) {
      for (let target = 0; target < boxWidth; target++) {
        let sum = 0;
        for (let source = 0; source < cropWidth; source++) {
          const weight = columnWeights[target * cropWidth + source];
          if (weight !== 0) sum += weight * rowsScaled[row * cropWidth + source];
        }
        box[row * boxWidth + target] = sum;
      }
    }

    let mass = 0;
    let rowMoment = 0;
    let columnMoment = 0;
    for (let row = 0; row < boxHeight; row++) {
      for (let column = 0; column < boxWidth; column++) {
        const value = box[row * boxWidth + column];
        mass += value;
        rowMoment += row * value;
        columnMoment += column * value;
      }
    }
    const clamp = (value, high) => Math.min(Math.max(value, 0), high); // never cut the ink off
    const shiftTop = clamp(roundHalfUp(CENTER - rowMoment / mass), IMAGE_SIZE - boxHeight);
    const shiftLeft = clamp(roundHalfUp(CENTER - columnMoment / mass), IMAGE_SIZE - boxWidth);

    const image = new Float32Array(IMAGE_SIZE * IMAGE_SIZE);
    for (let row = 0; row < boxHeight; row++) {
      for (let column = 0; column < boxWidth; column++) {
        const value = Math.min(1, Math.max(0, box[row * boxWidth + column]));
        image[(shiftTop + row) * IMAGE_SIZE + shiftLeft + column] = value;
      }
    }
    return image;
  }

  /**
   * Canvas pixels (white ink on black) → the model input. Luminance (ITU-R 601, as Pillow's "L")
   * composited onto black by alpha, so a transparent canvas reads as an empty one.
   * @param {{data: Uint8ClampedArray, width: number, height: number}} imageData [height, width, 4] RGBA
   * @returns {Float32Array|null} [28, 28] row-major in [0, 1], or null when blank
   */
  function fromImageData(imageData) {
    const { data, width, height } = imageData;
    const gray = new Float32Array(width * height);
    for (let pixel = 0; pixel < width * height; pixel++) {
      const offset = pixel * 4;
      const luma = (data[offset] * 299 + data[offset + 1] * 587 + data[offset + 2] * 114) / 1000;
      gray[pixel] = (luma * data[offset + 3]) / (255 * 255);
    }
    return preprocess(gray, width, height);
  }

  const api = { IMAGE_SIZE, BOX_SIZE, preprocess, fromImageData };
  root.MnistPreprocess = api;
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
