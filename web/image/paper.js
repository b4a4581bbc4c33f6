/**
 * The paper's level under the ink (`paper_level` in digits/image/clean.py): a low order statistic
 * per block of a fine grid (paper as long as a tenth of the block is paper), the grid continued
 * linearly past its borders, opened morphologically (min then max over 9 × 9 blocks: no stroke
 * survives, shadows and light gradients do), bilinear back to pixels.
 *
 * Classic script, no DOM; `MnistImage.paper` (+ module.exports under node).
 */
(function (root) {
  'use strict';

  const image = root.MnistImage || (root.MnistImage = {});
  const constants = image.constants || require('./constants.js');
  const numeric = image.numeric || require('./numeric.js');
  const blocks = image.blocks || require('./blocks.js');
  const { MAX_STATISTIC_SAMPLES, MIN_SHADED_SIDE, PAPER_BLOCKS, PAPER_FRACTION, OPENING_RADIUS } = constants;

  /**
   * Pad `count` cells on every side, continuing rows (then columns) in straight lines from their
   * last two cells (a lone cell repeats), clamped to the grid's [min, max].
   * @param {Float64Array} grid [rows, columns]
   * @returns {{grid: Float64Array, rows: number, columns: number}}
   */
  function extendLinearly(grid, rows, columns, count) {
    let low = Infinity;
    let high = -Infinity;
    for (const value of grid) {
      if (value < low) low = value;
      if (value > high) high = value;
    }
    const clamp = (value) => Math.min(Math.max(value, low), high);
    // Along axis 0 (rows): [rows + 2·count, columns].
    const tall = new Float64Array((rows + 2 * count) * columns);
    tall.set(grid, count * columns);
    for (let column = 0; column < columns; column++) {
      const first = grid[column];
      const last = grid[(rows - 1) * columns + column];
      const stepFirst = first - grid[Math.min(1, rows - 1) * columns + column];
      const stepLast = last - grid[Math.max(rows - 2, 0) * columns + column];
      for (let k = 1; k <= count; k++) {
        tall[(count - k) * columns + column] = clamp(first + stepFirst * k);
        tall[(count + rows - 1 + k) * columns + column] = clamp(last + stepLast * k);
      }
    }
    // Along axis 1 (columns): [rows + 2·count, columns + 2·count].
    const height = rows + 2 * count;
    const width = columns + 2 * count;
    const wide = new Float64Array(height * width);
    for (let row = 0; row < height; row++) {
      const source = row * columns;
      wide.set(tall.subarray(source, source + columns), row * width + count);
      const first = tall[source];
      const last = tall[source + columns - 1];
      const stepFirst = first - tall[source + Math.min(1, columns - 1)];
      const stepLast = last - tall[source + Math.max(columns - 2, 0)];
      for (let k = 1; k <= count; k++) {
        wide[row * width + count - k] = clamp(first + stepFirst * k);
        wide[row * width + count + columns - 1 + k] = clamp(last + stepLast * k);
      }
    }
    return { grid: wide, rows: height, columns: width };
  }

  /**
   * The min (or max) over the (2·radius + 1)² square around each cell, cells outside skipped.
   * @param {Float64Array} grid [rows, columns]
   * @returns {Float64Array} [rows, columns]
   */
  function windowExtreme(grid, rows, columns, radius, largest) {
    const pick = largest ? Math.max : Math.min;
    const down = new Float64Array(grid.length);
    for (let row = 0; row < rows; row++) {
      const from = Math.max(0, row - radius);
      const to = Math.min(rows - 1, row + radius);
      for (let column = 0; column < columns; column++) {
        let value = grid[from * columns + column];
        for (let other = from + 1; other <= to; other++) value = pick(value, grid[other * columns + column]);
        down[row * columns + column] = value;
      }
    }
    const result = new Float64Array(grid.length);
    for (let row = 0; row < rows; row++) {
      const offset = row * columns;
      for (let column = 0; column < columns; column++) {
        const from = Math.max(0, column - radius);
        const to = Math.min(columns - 1, column + radius);
        let value = down[offset + from];
        for (let other = from + 1; other <= to; other++) value = pick(value, down[offset + other]);
        result[offset + column] = value;
      }
    }
    return result;
  }

  /**
   * The paper's level under inkness [height, width] (ink bright): float64 [height, width], smooth.
   * @param {Float64Array} inkness left unchanged
   */
  function paperLevel(inkness, width, height) {
    if (Math.min(width, height) < MIN_SHADED_SIDE) {
      const sample = numeric.subsample(inkness, width, height, MAX_STATISTIC_SAMPLES);
      return new Float64Array(width * height).fill(numeric.orderStatistic(sample, PAPER_FRACTION));
    }
    const block = Math.ceil(Math.min(width, height) / PAPER_BLOCKS);
    const { levels, rows, columns } = blocks.blockStatistics(inkness, width, height, block, PAPER_FRACTION);
    const extended = extendLinearly(levels, rows, columns, OPENING_RADIUS);
    const eroded = windowExtreme(extended.grid, extended.rows, extended.columns, OPENING_RADIUS, false);
    const opened = windowExtreme(eroded, extended.rows, extended.columns, OPENING_RADIUS, true);
    const cropped = new Float64Array(rows * columns);
    for (let row = 0; row < rows; row++) {
      const source = (row + OPENING_RADIUS) * extended.columns + OPENING_RADIUS;
      cropped.set(opened.subarray(source, source + columns), row * columns);
    }
    return blocks.bilinearGrid(cropped, rows, columns, block, width, height);
  }

  image.paper = { extendLinearly, windowExtreme, paperLevel };
  if (typeof module !== 'undefined' && module.exports) module.exports = image.paper;
})(typeof globalThis !== 'undefined' ? globalThis : this);
