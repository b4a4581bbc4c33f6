/**
 * Connected components (8-connectivity) of `ink > threshold`, by runs (`digits/image/components.py`).
 *
 * Runs are the horizontal stretches of mask pixels, row by row; runs in consecutive rows whose
 * column ranges touch (diagonals included) are joined by union-find, each root the smallest run
 * index of its set, so components are numbered in the order of their first run (raster order),
 * as Python numbers them. Per component: box [x0, y0, x1, y1) (ends exclusive), area (pixels),
 * mass (Σ ink, summed in raster order as numpy's bincount does), peak (largest ink), full (pixels
 * at full ink, ≥ FULL_INK).
 *
 * Classic script, no DOM; `MnistImage.components` (+ module.exports under node).
 */
(function (root) {
  'use strict';

  const image = root.MnistImage || (root.MnistImage = {});
  const constants = image.constants || require('./constants.js');
  const { FULL_INK } = constants;

  /**
   * @typedef {Object} Components
   * @property {Int32Array} labels [height, width], −1 off the mask
   * @property {number} count
   * @property {Int32Array} x0 [count]
   * @property {Int32Array} y0 [count]
   * @property {Int32Array} x1 [count]
   * @property {Int32Array} y1 [count]
   * @property {Int32Array} area [count]
   * @property {Float64Array} mass [count]
   * @property {Float64Array} peak [count]
   * @property {Int32Array} full [count]
   * @property {number} width
   * @property {number} height
   */

  /** Runs of `ink > threshold`, raster order: {row, start, end} Int32Arrays (end exclusive). */
  function findRuns(ink, width, height, threshold) {
    let capacity = 1024;
    let row = new Int32Array(capacity), start = new Int32Array(capacity), end = new Int32Array(capacity);
    let count = 0;
    for (let y = 0; y < height; y++) {
      const offset = y * width;
      let x = 0;
      while (x < width) {
        if (!(ink[offset + x] > threshold)) {
          x++;
          continue;
        }
        const first = x;
        while (x < width && ink[offset + x] > threshold) x++;
        if (count === capacity) {
          capacity *= 2;
          const grown = (array) => { const bigger = new Int32Array(capacity); bigger.set(array); return bigger; };
          row = grown(row); start = grown(start); end = grown(end);
        }
        row[count] = y; start[count] = first; end[count] = x;
        count++;
      }
    }
    return { row, start, end, count };
  }

  /** Union-find over the runs: each run's root, the smallest run index of its set. */
  function runRoots(runs) {
    const { row, start, end, count } = runs;
    const parent = new Int32Array(count);
    for (let index = 0; index < count; index++) parent[index] = index;
    const find = (index) => {
      while (parent[index] !== index) {
        parent[index] = parent[parent[index]];
        index = parent[index];
      }
      return index;
    };
    let below = 0; // first run of the next row that may touch run a
    for (let a = 0; a < count; a++) {
      while (below < count && (row[below] <= row[a] || (row[below] === row[a] + 1 && end[below] < start[a]))) below++;
      for (let b = below; b < count && row[b] === row[a] + 1 && start[b] <= end[a]; b++) {
        const rootA = find(a);
        const rootB = find(b);
        if (rootA < rootB) parent[rootB] = rootA;
        else if (rootB < rootA) parent[rootA] = rootB;
      }
    }
    for (let index = 0; index < count; index++) parent[index] = find(index);
    return parent;
  }

  /**
   * Components of `ink > threshold`.
   * @param {Float64Array} ink [height, width]
   * @param {number} [threshold=0]
   * @returns {Components}
   */
  function label(ink, width, height, threshold = 0) {
    const runs = findRuns(ink, width, height, threshold);
    const roots = runRoots(runs);
    const component = new Int32Array(runs.count);
    let count = 0;
    for (let index = 0; index < runs.count; index++) {
      component[index] = roots[index] === index ? count++ : component[roots[index]];
    }
    const x0 = new Int32Array(count).fill(width), y0 = new Int32Array(count).fill(height);
    const x1 = new Int32Array(count), y1 = new Int32Array(count), area = new Int32Array(count);
    const mass = new Float64Array(count), peak = new Float64Array(count), full = new Int32Array(count);
    const labels = new Int32Array(width * height).fill(-1);
    for (let index = 0; index < runs.count; index++) {
      const k = component[index], y = runs.row[index], first = runs.start[index], last = runs.end[index];
      if (first < x0[k]) x0[k] = first;
      if (last > x1[k]) x1[k] = last;
      if (y < y0[k]) y0[k] = y;
      if (y + 1 > y1[k]) y1[k] = y + 1;
      area[k] += last - first;
      for (let at = y * width + first; at < y * width + last; at++) {
        labels[at] = k;
        mass[k] += ink[at];
        if (ink[at] > peak[k]) peak[k] = ink[at];
        if (ink[at] >= FULL_INK) full[k] += 1;
      }
    }
    return { labels, count, x0, y0, x1, y1, area, mass, peak, full, width, height };
  }

  image.components = { findRuns, runRoots, label };
  if (typeof module !== 'undefined' && module.exports) module.exports = image.components;
})(typeof globalThis !== 'undefined' ? globalThis : this);
