/**
 * One digit's ink → the 28×28 MNIST input, strokes brought to MNIST's width first
 * (`digits/image/recipe.py`).
 *
 * Stroke width: the mask (ink ≥ MASK_LEVEL) pooled by "any" to a frame whose longer side is
 * FRAME_SIDE, measured from its cross-erosion depths; a digit thinner than THIN_WIDTH has its mask
 * dilated by a disk to about TARGET_WIDTH (the frame padded by the disk's radius) and the recipe
 * runs on the frame. The recipe: crop to
 * the ink's box, scale the longer side to BOX_SIZE by an exact area average (rows, then columns),
 * paste into 28 × 28 shifted by whole pixels so the centre of mass lands on (14, 14).
 *
 * Classic script, no DOM; `MnistImage.recipe` (+ module.exports under node).
 */
(function (root) {
  'use strict';

  const image = root.MnistImage || (root.MnistImage = {});
  const constants = image.constants || require('./constants.js');
  const numeric = image.numeric || require('./numeric.js');
  const masks = image.masks || require('./masks.js');
  const { IMAGE_SIZE, BOX_SIZE, CENTER, INK_THRESHOLD, MASK_LEVEL, FRAME_SIDE, THIN_WIDTH, TARGET_WIDTH } = constants;

  /**
   * Box-filter weights: output i averages the source interval [i·s/t, (i+1)·s/t).
   * @returns {{first: Int32Array, weights: Float64Array}} first [t]: the first source index with a
   *   weight; weights [t, s] row-major (zero outside the interval)
   */
  function areaWeights(sourceSize, targetSize) {
    const weights = new Float64Array(targetSize * sourceSize);
    const first = new Int32Array(targetSize);
    const last = new Int32Array(targetSize);
    for (let target = 0; target < targetSize; target++) {
      const start = (target * sourceSize) / targetSize;
      const end = ((target + 1) * sourceSize) / targetSize;
      first[target] = Math.floor(start);
      last[target] = Math.min(sourceSize, Math.ceil(end));
      for (let source = first[target]; source < last[target]; source++) {
        const overlap = Math.min(end, source + 1) - Math.max(start, source);
        if (overlap > 0) weights[target * sourceSize + source] = overlap / (end - start);
      }
    }
    return { first, last, weights };
  }

  /**
   * Area-average an image to [targetHeight, targetWidth]: rows first, then columns.
   * @param {Float64Array} pixels [height, width]
   * @returns {Float64Array} [targetHeight, targetWidth]
   */
  function resample(pixels, width, height, targetHeight, targetWidth) {
    const down = areaWeights(height, targetHeight);
    const across = areaWeights(width, targetWidth);
    const rows = new Float64Array(targetHeight * width);
    for (let target = 0; target < targetHeight; target++) {
      const offset = target * width;
      for (let source = down.first[target]; source < down.last[target]; source++) {
        const weight = down.weights[target * height + source];
        for (let column = 0; column < width; column++) rows[offset + column] += weight * pixels[source * width + column];
      }
    }
    const result = new Float64Array(targetHeight * targetWidth);
    for (let row = 0; row < targetHeight; row++) {
      for (let target = 0; target < targetWidth; target++) {
        let sum = 0;
        for (let source = across.first[target]; source < across.last[target]; source++) {
          sum += across.weights[target * width + source] * rows[row * width + source];
        }
        result[row * targetWidth + target] = sum;
      }
    }
    return result;
  }

  /**
   * The box of pixels above INK_THRESHOLD (ends exclusive), or null without ink.
   * @param {Float64Array} pixels [height, width]
   * @returns {?{top: number, bottom: number, left: number, right: number}}
   */
  function inkBox(pixels, width, height) {
    let top = height, bottom = -1, left = width, right = -1;
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) {
        if (!(pixels[row * width + column] > INK_THRESHOLD)) continue;
        if (row < top) top = row;
        bottom = row;
        if (column < left) left = column;
        if (column > right) right = column;
      }
    }
    return bottom < 0 ? null : { top, bottom: bottom + 1, left, right: right + 1 };
  }

  /** Rows [top, bottom) × columns [left, right) of an image: a new Float64Array. */
  function crop(pixels, width, { top, bottom, left, right }) {
    const cropWidth = right - left;
    const result = new Float64Array((bottom - top) * cropWidth);
    for (let row = top; row < bottom; row++) {
      result.set(pixels.subarray(row * width + left, row * width + right), (row - top) * cropWidth);
    }
    return result;
  }

  /**
   * Bring a digit's strokes to MNIST's width.
   * @param {Float64Array} pixels [height, width], cropped to its ink box
   * @returns {{pixels: Float64Array, width: number, height: number}} the crop itself, or the frame
   */
  function normaliseStrokes(pixels, width, height) {
    const longer = Math.max(height, width);
    const frameHeight = Math.max(1, numeric.roundHalfUp((height * FRAME_SIDE) / longer));
    const frameWidth = Math.max(1, numeric.roundHalfUp((width * FRAME_SIDE) / longer));
    const strong = new Uint8Array(pixels.length);
    for (let index = 0; index < pixels.length; index++) strong[index] = pixels[index] >= MASK_LEVEL ? 1 : 0;
    const mask = masks.poolAny(strong, width, height, frameHeight, frameWidth);
    const measured = masks.strokeWidth(mask, frameWidth, frameHeight);
    if (measured === 0 || measured >= THIN_WIDTH) return { pixels, width, height };
    const radius = Math.max(1, numeric.roundHalfUp((TARGET_WIDTH - measured) / 2));
    const soft = resample(pixels, width, height, frameHeight, frameWidth);
    // Padded by the radius, so strokes along the ink's box widen outwards too.
    const paddedWidth = frameWidth + 2 * radius;
    const paddedHeight = frameHeight + 2 * radius;
    const padded = new Float64Array(paddedWidth * paddedHeight);
    const paddedMask = new Uint8Array(paddedWidth * paddedHeight);
    for (let row = 0; row < frameHeight; row++) {
      const at = (row + radius) * paddedWidth + radius;
      padded.set(soft.subarray(row * frameWidth, (row + 1) * frameWidth), at);
      paddedMask.set(mask.subarray(row * frameWidth, (row + 1) * frameWidth), at);
    }
    const widened = masks.disk(paddedMask, paddedWidth, paddedHeight, radius);
    for (let index = 0; index < padded.length; index++) padded[index] = Math.max(padded[index], widened[index]);
    return { pixels: padded, width: paddedWidth, height: paddedHeight };
  }

  /** Centre of mass (row, column) of [height, width] values, in numpy's summation order. */
  function centreOfMass(values, width, height) {
    const mass = numeric.numpySum(values);
    const rowMoments = new Float64Array(height);
    for (let row = 0; row < height; row++) rowMoments[row] = numeric.pairwiseSum(values, row * width, width) * row;
    const columnSums = new Float64Array(width);
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) columnSums[column] += values[row * width + column];
    }
    for (let column = 0; column < width; column++) columnSums[column] *= column;
    return { row: numeric.numpySum(rowMoments) / mass, column: numeric.numpySum(columnSums) / mass };
  }

  /**
   * White ink on black [height, width] in [0, 1] → the model input, or null when blank.
   * @param {Float64Array} pixels
   * @returns {?Float32Array} [28, 28]
   */
  function mnistRecipe(pixels, width, height) {
    const box = inkBox(pixels, width, height);
    if (box === null) return null;
    const cropHeight = box.bottom - box.top;
    const cropWidth = box.right - box.left;
    const longer = Math.max(cropHeight, cropWidth);
    const boxHeight = Math.max(1, Math.floor((2 * cropHeight * BOX_SIZE + longer) / (2 * longer)));
    const boxWidth = Math.max(1, Math.floor((2 * cropWidth * BOX_SIZE + longer) / (2 * longer)));
    const scaled = resample(crop(pixels, width, box), cropWidth, cropHeight, boxHeight, boxWidth);
    for (let index = 0; index < scaled.length; index++) scaled[index] = Math.min(Math.max(scaled[index], 0), 1);
    const centre = centreOfMass(scaled, boxWidth, boxHeight);
    const top = Math.min(Math.max(numeric.roundHalfUp(CENTER - centre.row), 0), IMAGE_SIZE - boxHeight);
    const left = Math.min(Math.max(numeric.roundHalfUp(CENTER - centre.column), 0), IMAGE_SIZE - boxWidth);
    const result = new Float32Array(IMAGE_SIZE * IMAGE_SIZE);
    for (let row = 0; row < boxHeight; row++) {
      for (let column = 0; column < boxWidth; column++) {
        result[(top + row) * IMAGE_SIZE + left + column] = scaled[row * boxWidth + column];
      }
    }
    return result;
  }

  /**
   * A digit's model input: its ink (others' ink removed) → float32 [28, 28], or null without ink.
   * @param {Float64Array} pixels [height, width]
   * @param {{normalise?: boolean}} [options] widen thin strokes (default true)
   */
  function digitInput(pixels, width, height, { normalise = true } = {}) {
    const box = inkBox(pixels, width, height);
    if (box === null) return null;
    const cropped = crop(pixels, width, box);
    const cropWidth = box.right - box.left;
    const cropHeight = box.bottom - box.top;
    if (!normalise) return mnistRecipe(cropped, cropWidth, cropHeight);
    const frame = normaliseStrokes(cropped, cropWidth, cropHeight);
    return mnistRecipe(frame.pixels, frame.width, frame.height);
  }

  image.recipe = { areaWeights, resample, inkBox, crop, normaliseStrokes, mnistRecipe, digitInput };
  if (typeof module !== 'undefined' && module.exports) module.exports = image.recipe;
})(typeof globalThis !== 'undefined' ? globalThis : this);
