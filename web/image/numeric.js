/**
 * Small numeric building blocks of the image path, each with one exact definition shared with
 * `digits/image/numeric.py`: rounding half up, order statistics (selection, no interpolation),
 * numpy's float64 summation order, Otsu's threshold, deterministic subsampling, block grids and
 * their bilinear interpolation, a square dilation.
 *
 * Images are row-major typed arrays with their width and height passed beside them
 * (`[height, width]`). Classic script, no DOM; part of `globalThis.MnistImage` (and
 * `module.exports` under node).
 */
(function (root) {
  'use strict';

  const image = root.MnistImage || (root.MnistImage = {});
  const constants = image.constants || require('./constants.js');
  const { ROUNDING_SLACK } = constants;
  const SUM_CHUNK = 8192; // numpy sums a contiguous float64 array in chunks of its buffer size …
  const PAIRWISE_BLOCK = 128; // … each chunk pairwise, blocks of up to 128 unrolled 8 ways

  /** Round half up: floor(x + 0.5 + slack), equal in both languages when x is a tie k + 0.5. */
  function roundHalfUp(value) {
    return Math.floor(value + 0.5 + ROUNDING_SLACK);
  }

  /** numpy's pairwise sum of values[start … start + count) (float64, its exact order). */
  function pairwiseSum(values, start, count) {
    if (count < 8) {
      let sum = 0;
      for (let index = start; index < start + count; index++) sum += values[index];
      return sum;
    }
    if (count <= PAIRWISE_BLOCK) {
      let r0 = values[start], r1 = values[start + 1], r2 = values[start + 2], r3 = values[start + 3];
      let r4 = values[start + 4], r5 = values[start + 5], r6 = values[start + 6], r7 = values[start + 7];
      const whole = count - (count % 8);
      let index = 8;
      for (; index < whole; index += 8) {
        const at = start + index;
        r0 += values[at]; r1 += values[at + 1]; r2 += values[at + 2]; r3 += values[at + 3];
        r4 += values[at + 4]; r5 += values[at + 5]; r6 += values[at + 6]; r7 += values[at + 7];
      }
      let sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
      for (; index < count; index++) sum += values[start + index];
      return sum;
    }
    let half = Math.floor(count / 2);
    half -= half % 8;
    return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, count - half);
  }

  /**
   * `array.sum()` of a contiguous float64 numpy array, bit for bit: chunks of 8192 summed pairwise,
   * the chunk sums added in order.
   * @param {Float64Array|number[]} values
   * @param {number} [start=0]
   * @param {number} [count=values.length - start]
   */
  function numpySum(values, start = 0, count = values.length - start) {
    let sum = 0;
    for (let offset = 0; offset < count; offset += SUM_CHUNK) {
      sum += pairwiseSum(values, start + offset, Math.min(SUM_CHUNK, count - offset));
    }
    return sum;
  }

  /** Rearrange values[0 … n) so values[k] is the k-th smallest (Hoare quickselect, median of 3). */
  function select(values, n, k) {
    let low = 0;
    let high = n - 1;
    while (high > low) {
      const middle = (low + high) >> 1;
      const a = values[low], b = values[middle], c = values[high];
      const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
      let i = low;
      let j = high;
      while (i <= j) {
        while (values[i] < pivot) i++;
        while (values[j] > pivot) j--;
        if (i <= j) {
          const swap = values[i];
          values[i++] = values[j];
          values[j--] = swap;
        }
      }
      if (k <= j) high = j;
      else if (k >= i) low = i;
      else return values[k];
    }
    return values[k];
  }

  /**
   * The value at index floor(fraction·(n − 1)) of the values sorted ascending (n ≥ 1).
   * @param {Float64Array} values reordered in place (pass a copy to keep them)
   * @param {number} fraction 0 … 1
   * @param {number} [n=values.length]
   */
  function orderStatistic(values, fraction, n = values.length) {
    return select(values, n, Math.floor(fraction * (n - 1)));
  }

  /** The count-th largest value (the largest when count ≤ 1, the smallest past n); reorders `values`. */
  function nthLargest(values, count) {
    const n = values.length;
    return select(values, n, Math.min(Math.max(n - count, 0), n - 1));
  }

  /**
   * Every s-th row and column (s = ceil(sqrt(pixels / maxSamples))), row-major: a new array.
   * @param {Float64Array} pixels [height, width]
   * @returns {Float64Array}
   */
  function subsample(pixels, width, height, maxSamples) {
    const step = Math.max(1, Math.ceil(Math.sqrt((width * height) / maxSamples)));
    const columns = Math.ceil(width / step);
    const sample = new Float64Array(Math.ceil(height / step) * columns);
    let at = 0;
    for (let row = 0; row < height; row += step) {
      const offset = row * width;
      for (let column = 0; column < width; column += step) sample[at++] = pixels[offset + column];
    }
    return sample;
  }

  /**
   * Otsu's threshold of values in [0, 1] binned to floor(255·v + 0.5): the bin (as bin / 255) up
   * to which values are dark, maximising the between-class variance; ties to the lowest bin.
   * @param {Float64Array} values
   */
  function otsuLevel(values) {
    const counts = new Float64Array(256);
    let lowest = 255;
    for (let index = 0; index < values.length; index++) {
      const bin = Math.floor(Math.min(Math.max(values[index], 0), 1) * 255 + 0.5);
      counts[bin] += 1;
      if (bin < lowest) lowest = bin;
    }
    let total = 0;
    let moment = 0;
    for (let bin = 0; bin < 256; bin++) {
      total += counts[bin];
      moment += counts[bin] * bin;
    }
    let best = -1;
    let bestBetween = -Infinity;
    let weight = 0;
    let partial = 0;
    for (let bin = 0; bin < 255; bin++) {
      weight += counts[bin];
      partial += counts[bin] * bin;
      const light = total - weight;
      let between = -1;
      if (weight > 0 && light > 0) {
        const difference = partial / weight - (moment - partial) / light;
        between = weight * light * (difference * difference);
      }
      if (between > bestBetween) {
        bestBetween = between;
        best = bin;
      }
    }
    return bestBetween > -1 ? best / 255 : lowest / 255;
  }

  /**
   * Dilate a mask by a (2·radius + 1)² square (chessboard distance), separably.
   * @param {Uint8Array} mask [height, width] 0/1
   * @returns {Uint8Array} [height, width] 0/1, a new array
   */
  function grow(mask, width, height, radius) {
    const across = new Uint8Array(width * height);
    for (let row = 0; row < height; row++) {
      const offset = row * width;
      let last = -Infinity; // the last set column seen at or before column + radius
      for (let column = 0; column < width + radius; column++) {
        if (column < width && mask[offset + column]) last = column;
        const target = column - radius;
        if (target >= 0 && last >= target - radius) across[offset + target] = 1;
      }
    }
    const result = new Uint8Array(width * height);
    for (let column = 0; column < width; column++) {
      let last = -Infinity;
      for (let row = 0; row < height + radius; row++) {
        if (row < height && across[row * width + column]) last = row;
        const target = row - radius;
        if (target >= 0 && last >= target - radius) result[target * width + column] = 1;
      }
    }
    return result;
  }

  image.numeric = { roundHalfUp, pairwiseSum, numpySum, select, orderStatistic, nthLargest, subsample, otsuLevel, grow };
  if (typeof module !== 'undefined' && module.exports) module.exports = image.numeric;
})(typeof globalThis !== 'undefined' ? globalThis : this);
