/**
 * Marks that are not digits (`digits/image/marks.py`, whose doc says which rule drops what):
 * shading left over (weak, soft, riddled with holes or never at full ink, and its fringe), blobs,
 * paper edges, lines across the frame, specks. Judged per connected component of ink, before pieces
 * are grouped into digits.
 *
 * Classic script, no DOM; `MnistImage.marks` (+ module.exports under node).
 */
(function (root) {
  'use strict';

  const image = root.MnistImage || (root.MnistImage = {});
  const constants = image.constants || require('./constants.js');
  const numeric = image.numeric || require('./numeric.js');
  const masks = image.masks || require('./masks.js');
  const { FRAME_SIDE, JUDGED_SIDE, SOLID_RATIO, FAT_RATIO, WEAK_SHARE, EDGE_CONTACT, LINE_ASPECT } = constants;
  const { FRAME_WEAK_SHARE, EDGE_INSIDE_MASS, EDGE_GAP, SPECK_SIDE, DOT_SIDE, SOFT_CORE, MIN_SHADED_SIDE, MAX_HOLES } = constants;

  /** @typedef {import('./components.js').Components} Components */

  const boxWidth = (parts, k) => parts.x1[k] - parts.x0[k];
  const boxHeight = (parts, k) => parts.y1[k] - parts.y0[k];
  const longerSide = (parts, k) => Math.max(boxWidth(parts, k), boxHeight(parts, k));

  /** Component k's mask in its box: Uint8Array [y1 − y0, x1 − x0]. */
  function componentMask(parts, k) {
    const width = boxWidth(parts, k);
    const height = boxHeight(parts, k);
    const mask = new Uint8Array(width * height);
    for (let row = 0; row < height; row++) {
      const offset = (parts.y0[k] + row) * parts.width + parts.x0[k];
      for (let column = 0; column < width; column++) mask[row * width + column] = parts.labels[offset + column] === k ? 1 : 0;
    }
    return mask;
  }

  /** How many of the mask's pixels lie on one line (a row or a column) of it. */
  function lineCount(mask, width, height, { row = null, column = null }) {
    let count = 0;
    if (row !== null) for (let x = 0; x < width; x++) count += mask[row * width + x];
    else for (let y = 0; y < height; y++) count += mask[y * width + column];
    return count;
  }

  /** (stroke width / longer side in the recipe's frame, border contact share) of component k. */
  function componentShape(parts, k) {
    const width = boxWidth(parts, k);
    const height = boxHeight(parts, k);
    const mask = componentMask(parts, k);
    const longer = Math.max(height, width);
    const frameHeight = Math.max(1, numeric.roundHalfUp((height * FRAME_SIDE) / longer));
    const frameWidth = Math.max(1, numeric.roundHalfUp((width * FRAME_SIDE) / longer));
    const frame = masks.poolAny(mask, width, height, frameHeight, frameWidth);
    const ratio = masks.strokeWidth(frame, frameWidth, frameHeight) / FRAME_SIDE;
    const sides = [
      [parts.y0[k] === 0, { row: 0 }, parts.width],
      [parts.y1[k] === parts.height, { row: height - 1 }, parts.width],
      [parts.x0[k] === 0, { column: 0 }, parts.height],
      [parts.x1[k] === parts.width, { column: width - 1 }, parts.height],
    ];
    let contact = 0;
    for (const [onEdge, line, side] of sides) {
      if (onEdge) contact = Math.max(contact, lineCount(mask, width, height, line) / side);
    }
    return { ratio, contact };
  }

  /**
   * Holes in component k (8-connected ink, 4-connected paper): 1 − its Euler number, by bit quads
   * over every 2 × 2 window of the mask padded by one: (one set − three set − 2 × diagonal) / 4.
   */
  function holeCount(parts, k) {
    const width = boxWidth(parts, k);
    const height = boxHeight(parts, k);
    const mask = componentMask(parts, k);
    const inside = (row, column) => row >= 0 && row < height && column >= 0 && column < width;
    const at = (row, column) => (inside(row, column) ? mask[row * width + column] : 0);
    let single = 0, triple = 0, diagonal = 0;
    for (let row = -1; row < height; row++) {
      for (let column = -1; column < width; column++) {
        const topLeft = at(row, column), topRight = at(row, column + 1);
        const bottomLeft = at(row + 1, column), bottomRight = at(row + 1, column + 1);
        const count = topLeft + topRight + bottomLeft + bottomRight;
        if (count === 1) single++;
        else if (count === 3) triple++;
        else if (count === 2 && topLeft === bottomRight) diagonal++;
      }
    }
    return 1 - (single - triple - 2 * diagonal) / 4;
  }

  /** Whether component k is a thin line from one side of the frame to the opposite one. */
  function spansFrame(parts, k) {
    const across = parts.x0[k] === 0 && parts.x1[k] === parts.width && boxHeight(parts, k) * LINE_ASPECT <= parts.width;
    const down = parts.y0[k] === 0 && parts.y1[k] === parts.height && boxWidth(parts, k) * LINE_ASPECT <= parts.height;
    return across || down;
  }

  /** Whether component k reaches the image's outer ring. */
  function touchesFrame(parts, k) {
    return parts.x0[k] === 0 || parts.y0[k] === 0 || parts.x1[k] === parts.width || parts.y1[k] === parts.height;
  }

  /** Whether the boxes of components a and b are less than `reach` apart both ways. */
  function near(parts, a, b, reach) {
    const across = parts.x0[a] < parts.x1[b] + reach && parts.x0[b] - reach < parts.x1[a];
    const down = parts.y0[a] < parts.y1[b] + reach && parts.y0[b] - reach < parts.y1[a];
    return across && down;
  }

  /**
   * The suspects to drop: an ordinary component has EDGE_INSIDE_MASS of their mass, and none lies
   * within EDGE_GAP × the heaviest one's height (a 5's or 7's bar along a tight crop's edge stays
   * with the rest of the digit).
   * @param {Components} parts
   * @param {Set<number>} suspect
   * @param {number[]} ordinary
   * @returns {number[]}
   */
  function detachedSuspects(parts, suspect, ordinary) {
    let main = -1;
    for (const k of ordinary) if (main < 0 || parts.mass[k] > parts.mass[main]) main = k; // the first of the heaviest
    if (main < 0) return [];
    const gap = Math.max(2, EDGE_GAP * boxHeight(parts, main));
    return [...suspect].sort((a, b) => a - b).filter((k) =>
      parts.mass[main] >= EDGE_INSIDE_MASS * parts.mass[k] && !ordinary.some((b) => near(parts, k, b, gap)));
  }

  /**
   * The component numbers that are not ink of a digit (see digits/image/marks.py).
   * @param {Components} parts
   * @returns {Set<number>}
   */
  function junkComponents(parts, minSide, saturated = false) {
    const judged = [];
    for (let k = 0; k < parts.count; k++) if (longerSide(parts, k) >= minSide) judged.push(k);
    const junk = new Set();
    if (!judged.length) return junk;
    const mean = new Map(judged.map((k) => [k, parts.mass[k] / parts.area[k]]));
    const strongest = Math.max(...mean.values());
    const shapes = new Map(judged.map((k) => [k, componentShape(parts, k)]));
    const softCore = new Map(judged.map((k) => [k, parts.full[k] < SOFT_CORE * parts.area[k]]));
    for (const k of judged) {
      const { ratio } = shapes.get(k);
      const weak = mean.get(k) < WEAK_SHARE * strongest && (touchesFrame(parts, k) || ratio > FAT_RATIO);
      const broad = ratio > FAT_RATIO && longerSide(parts, k) >= MIN_SHADED_SIDE;
      const soft = saturated &&
        ((broad && softCore.get(k)) || parts.full[k] === 0 || holeCount(parts, k) > MAX_HOLES);
      if (weak || soft) junk.add(k);
    }
    if (saturated && junk.size) {
      const shading = Math.max(...[...junk].map((k) => mean.get(k))); // the fringe: soft, no stronger
      for (const k of judged) if (softCore.get(k) && mean.get(k) <= shading) junk.add(k);
    }
    const suspect = new Set();
    for (const k of judged) {
      const { ratio, contact } = shapes.get(k);
      if (!junk.has(k) && (ratio > SOLID_RATIO || contact >= EDGE_CONTACT || spansFrame(parts, k))) suspect.add(k);
    }
    const ordinary = judged.filter((k) => !junk.has(k) && !suspect.has(k));
    for (const k of detachedSuspects(parts, suspect, ordinary)) junk.add(k);
    const inside = ordinary.filter((k) => !touchesFrame(parts, k)).map((k) => mean.get(k));
    if (inside.length) {
      const best = Math.max(...inside);
      for (const k of judged) if (touchesFrame(parts, k) && mean.get(k) < FRAME_WEAK_SHARE * best) junk.add(k);
    }
    return junk;
  }

  /**
   * The components that are not specks, in order: a speck is under SPECK_SIDE × the digits' height
   * both ways and away from every bigger component, or under DOT_SIDE × it anywhere.
   * @param {Components} parts
   * @param {number[]} components
   * @returns {number[]}
   */
  function dropSpecks(parts, components) {
    if (!components.length) return components;
    const heaviest = Math.max(...components.map((k) => parts.mass[k]));
    let reference = -Infinity;
    for (const k of components) if (parts.mass[k] >= 0.25 * heaviest) reference = Math.max(reference, boxHeight(parts, k));
    const reach = SPECK_SIDE * reference;
    const small = new Set(components.filter((k) => longerSide(parts, k) < reach));
    const big = components.filter((k) => !small.has(k));
    const besideADigit = (k) => big.some((b) => near(parts, k, b, reach));
    const dot = DOT_SIDE * reference;
    return components.filter((k) => !small.has(k) || (longerSide(parts, k) >= dot && besideADigit(k)));
  }

  /**
   * The component numbers kept as possible digit ink, in order.
   * @param {Components} parts of an image [height, width]
   * @param {{saturated?: boolean}} [options] the ink's ramp ends below its level (a photo): the
   *   rules on full ink apply
   * @returns {number[]}
   */
  function marksRemoved(parts, { saturated = false } = {}) {
    const minSide = Math.max(8, numeric.roundHalfUp(JUDGED_SIDE * Math.min(parts.width, parts.height)));
    const junk = junkComponents(parts, minSide, saturated);
    const kept = [];
    let judged = 0;
    let judgedKept = 0;
    for (let k = 0; k < parts.count; k++) {
      if (!junk.has(k)) kept.push(k);
      if (longerSide(parts, k) >= minSide) {
        judged++;
        if (!junk.has(k)) judgedKept++;
      }
    }
    if (judged > 0 && judgedKept === 0) return []; // what is left is too small to be a digit
    return dropSpecks(parts, kept);
  }

  image.marks = { componentShape, holeCount, spansFrame, touchesFrame, near, junkComponents, dropSpecks, marksRemoved };
  if (typeof module !== 'undefined' && module.exports) module.exports = image.marks;
})(typeof globalThis !== 'undefined' ? globalThis : this);
