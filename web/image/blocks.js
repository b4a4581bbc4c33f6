/**
 * Block grids of the image path (`digits/image/numeric.py`): square blocks laid from the top-left
 * corner, the last row and column moved back to end at the edge; an order statistic per block;
 * bilinear interpolation between block centres back to pixels.
 *
 * Images are row-major typed arrays `[height, width]`. Classic script, no DOM; part of
 * `globalThis.MnistImage` (and `module.exports` under node).
 */
(function (root) {
  'use strict';

  const image = root.MnistImage || (root.MnistImage = {});
  const numeric = image.numeric || require('./numeric.js');

  /**
   * First index of each block along an axis: min(j·block, length − block), j = 0 … ceil(length / block) − 1.
   * @returns {Int32Array}
   */
  function blockStarts(length, block) {
    const count = Math.ceil(length / block);
    const starts = new Int32Array(count);
    for (let index = 0; index < count; index++) starts[index] = Math.min(index * block, length - block);
    return starts;
  }

  /**
   * The order statistic `fraction` of every block.
   * @param {Float64Array} pixels [height, width]
   * @returns {{levels: Float64Array, rows: number, columns: number}} levels [rows, columns]
   */
  function blockStatistics(pixels, width, height, block, fraction) {
    const rowStarts = blockStarts(height, block);
    const columnStarts = blockStarts(width, block);
    const rows = rowStarts.length;
    const columns = columnStarts.length;
    const levels = new Float64Array(rows * columns);
    const values = new Float64Array(block * block);
    const index = Math.floor(fraction * (block * block - 1));
    for (let blockRow = 0; blockRow < rows; blockRow++) {
      for (let blockColumn = 0; blockColumn < columns; blockColumn++) {
        let at = 0;
        for (let row = rowStarts[blockRow]; row < rowStarts[blockRow] + block; row++) {
          const offset = row * width + columnStarts[blockColumn];
          for (let column = 0; column < block; column++) values[at++] = pixels[offset + column];
        }
        levels[blockRow * columns + blockColumn] = numeric.select(values, values.length, index);
      }
    }
    return { levels, rows, columns };
  }

  /**
   * Linear weights from block centres (start + (block − 1) / 2) to `length` pixels along one axis;
   * pixels before the first or after the last centre take that block's value.
   * @returns {{left: Int32Array, right: Int32Array, weight: Float64Array}} each [length]
   */
  function interpolationWeights(block, length) {
    const starts = blockStarts(length, block);
    const count = starts.length;
    const left = new Int32Array(length);
    const right = new Int32Array(length);
    const weight = new Float64Array(length);
    if (count === 1) return { left, right, weight };
    const centres = Float64Array.from(starts, (start) => start + (block - 1) / 2);
    let next = 0; // first centre > position
    for (let position = 0; position < length; position++) {
      while (next < count && centres[next] <= position) next++;
      const upper = Math.min(Math.max(next, 1), count - 1);
      const lower = upper - 1;
      left[position] = lower;
      right[position] = upper;
      const ratio = (position - centres[lower]) / (centres[upper] - centres[lower]);
      weight[position] = Math.min(Math.max(ratio, 0), 1);
    }
    return { left, right, weight };
  }

  /**
   * Block values → pixels, bilinear between block centres: along rows first
   * (a + (b − a)·wx), then along columns the same with wy.
   * @param {Float64Array} levels [rows, columns]
   * @returns {Float64Array} [height, width]
   */
  function bilinearGrid(levels, rows, columns, block, width, height) {
    const across = interpolationWeights(block, width);
    const down = interpolationWeights(block, height);
    const along = new Float64Array(rows * width);
    for (let row = 0; row < rows; row++) {
      const offset = row * columns;
      for (let x = 0; x < width; x++) {
        const a = levels[offset + across.left[x]];
        along[row * width + x] = a + (levels[offset + across.right[x]] - a) * across.weight[x];
      }
    }
    const result = new Float64Array(width * height);
    for (let y = 0; y < height; y++) {
      const top = down.left[y] * width;
      const bottom = down.right[y] * width;
      const wy = down.weight[y];
      for (let x = 0; x < width; x++) {
        const a = along[top + x];
        result[y * width + x] = a + (along[bottom + x] - a) * wy;
      }
    }
    return result;
  }

  image.blocks = { blockStarts, blockStatistics, interpolationWeights, bilinearGrid };
  if (typeof module !== 'undefined' && module.exports) module.exports = image.blocks;
})(typeof globalThis !== 'undefined' ? globalThis : this);
