/**
 * Segmentation (`digits/image/segment.py`, operation for operation): clean ink [height, width] →
 * its digits, left to right, each as the 28×28 model input.
 *
 * 1. Pieces: 8-connected components of `ink > INK_THRESHOLD`, by runs joined by union-find,
 *    numbered in raster order.
 * 2. Specks dropped: longer side under SPECK_FRACTION of the tallest piece's height, or strongest
 *    ink under FAINT_PEAK.
 * 3. Pieces whose column ranges overlap by MERGE_OVERLAP of the narrower one are one digit (the
 *    strokes of a 4, the flag of a 5, a crossed 7, a 1's foot); fragments (groups under
 *    MIN_DIGIT_HEIGHT of the tallest) join the nearest tall group within ATTACH_GAP, or go.
 * 4. A wide group may hold touching digits: cuts are the cheapest top-to-bottom paths through its
 *    ink (at most MAX_CUT_INK × its height crossed, two tall parts); without a model the cheapest
 *    cut of a group wider than SPLIT_ASPECT × its height; with one (`classify`), the cut whose parts
 *    it reads most surely when a rule of SPLIT_RULES (ALONE_RULES for a group alone) holds. Recursive.
 * 5. Each digit's own ink, cropped to its box, through the recipe (`MnistImage.recipe.digitInput`
 *    after the blank test of Python's `preprocess_array`).
 *
 * The constants are the Python module's; tests/golden/segment.json carries them and
 * tests/js/check_segment.js checks they agree. Classic script, no DOM; `MnistImage.segment`.
 */
(function (root) {
  'use strict';

  const image = root.MnistImage || (root.MnistImage = {});
  const constants = image.constants || require('./constants.js');
  const recipe = image.recipe || require('./recipe.js');
  const { INK_THRESHOLD, MIN_INK_FRACTION } = constants;

  const SEGMENT = Object.freeze({
    SPECK_FRACTION: 0.12, // a piece whose longer side is under this × the tallest piece's height is a speck …
    FAINT_PEAK: 0.5, // … and so is a piece whose strongest ink is under this (antialiasing, shading)
    MERGE_OVERLAP: 0.3, // pieces whose column ranges overlap by this share of the narrower one: one digit
    MIN_DIGIT_HEIGHT: 0.5, // a group under this × the tallest group's height is a fragment, no digit …
    ATTACH_GAP: 0.2, // … it joins the nearest tall group within this × that group's height, else it goes
    SPLIT_ASPECT: 1.5, // no model: a group wider than this × its height holds touching digits
    // with a model: [aspect, whole, parts]: split a group wider than aspect × its height at the cut whose
    // parts read most surely when the whole reads less surely than `whole` and both parts at least `parts`
    SPLIT_RULES: [[0.5, 0.999, 0.9], [1.0, 1.01, 0.95]],
    // the rules for a group alone in its image (most often one digit): only a group wider than any digit is cut
    ALONE_RULES: [[1.0, 0.999, 0.99], [1.4, 1.01, 0.99]],
    FORCE_ASPECT: 1.8, // with a model: a group wider than this × its height is split at its best cut
    CONTEXT_WIDE: 1.5, // beside groups shaped like one digit, a group narrower than this × their median width is one
    MIN_PART_WIDTH: 0.2, // a cut leaves at least this × the group's height (and 1 px) on each side
    MIN_PART_HEIGHT: 0.7, // … and parts at least this × the group's height tall
    MIN_PART_WHOLE: 0.9, // … and a part's largest piece holds this share of its ink (a 7 cut at its corner: two)
    MAX_CUT_INK: 0.3, // a cut crosses at most this × the group's height of ink (a touch, not a stroke)
    MAX_CUT_STROKES: 1.5, // … and at most this many stroke widths of it (a 0 cut in two crosses two strokes)
    MAX_CANDIDATES: 5, // cuts scored by the model per group
  });

  /**
   * 8-connected pieces of a 0/1 mask.
   * @param {Uint8Array} mask [height, width]
   * @returns {{labels: Int32Array, boxes: number[][]}} labels −1 off the mask; boxes [x0, y0, x1, y1)
   */
  function labelPieces(mask, width, height) {
    const rows = [], starts = [], ends = [];
    for (let y = 0; y < height; y++) {
      let x = 0;
      while (x < width) {
        if (!mask[y * width + x]) { x++; continue; }
        const first = x;
        while (x < width && mask[y * width + x]) x++;
        rows.push(y); starts.push(first); ends.push(x);
      }
    }
    const parent = rows.map((_, run) => run);
    const rootOf = (run) => {
      while (parent[run] !== run) { parent[run] = parent[parent[run]]; run = parent[run]; }
      return run;
    };
    let aboveStart = 0, aboveEnd = 0, rowStart = 0;
    for (let run = 0; run < rows.length; run++) {
      if (run > 0 && rows[run] !== rows[run - 1]) {
        const joined = rows[run] === rows[run - 1] + 1;
        [aboveStart, aboveEnd, rowStart] = joined ? [rowStart, run, run] : [run, run, run];
      }
      for (let other = aboveStart; other < aboveEnd; other++) {
        if (starts[other] <= ends[run] && starts[run] <= ends[other]) {
          const a = rootOf(other), b = rootOf(run);
          parent[Math.max(a, b)] = Math.min(a, b);
        }
      }
    }
    const labels = new Int32Array(width * height).fill(-1);
    const ids = new Map();
    const boxes = [];
    for (let run = 0; run < rows.length; run++) {
      const key = rootOf(run);
      if (!ids.has(key)) { ids.set(key, boxes.length); boxes.push([Infinity, Infinity, -1, -1]); }
      const piece = ids.get(key);
      labels.fill(piece, rows[run] * width + starts[run], rows[run] * width + ends[run]);
      const box = boxes[piece];
      box[0] = Math.min(box[0], starts[run]); box[1] = Math.min(box[1], rows[run]);
      box[2] = Math.max(box[2], ends[run]); box[3] = Math.max(box[3], rows[run] + 1);
    }
    return { labels, boxes };
  }

  /** Join two groups of `parent` (Map piece → group), the smaller number naming the result. */
  function union(parent, first, second) {
    const low = Math.min(parent.get(first), parent.get(second));
    const high = Math.max(parent.get(first), parent.get(second));
    for (const [piece, group] of parent) if (group === high) parent.set(piece, low);
  }

  /** Groups of `parent`: arrays of piece numbers (ascending), ordered by group number. */
  function groupsOf(parent) {
    const groups = new Map();
    for (const piece of [...parent.keys()].sort((a, b) => a - b)) {
      const key = parent.get(piece);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(piece);
    }
    return [...groups.keys()].sort((a, b) => a - b).map((key) => groups.get(key));
  }

  function spanOf(boxes, group) {
    const chosen = group.map((piece) => boxes[piece]);
    return [Math.min(...chosen.map((b) => b[0])), Math.min(...chosen.map((b) => b[1])),
      Math.max(...chosen.map((b) => b[2])), Math.max(...chosen.map((b) => b[3]))];
  }

  /** Fragments join the nearest tall group within ATTACH_GAP × its height, or leave `parent`. */
  function attachFragments(boxes, parent) {
    const groups = groupsOf(parent);
    const spans = groups.map((group) => spanOf(boxes, group));
    const tallest = Math.max(...spans.map((s) => s[3] - s[1]));
    const tall = spans.map((s, k) => k).filter((k) => spans[k][3] - spans[k][1] >= SEGMENT.MIN_DIGIT_HEIGHT * tallest);
    groups.forEach((group, index) => {
      if (tall.includes(index)) return;
      const [x0, , x1] = spans[index];
      let best = null;
      for (const k of tall) {
        const gap = Math.max(spans[k][0] - x1, x0 - spans[k][2], 0);
        if (best === null || gap < best.gap) best = { gap, k };
      }
      if (best.gap <= SEGMENT.ATTACH_GAP * (spans[best.k][3] - spans[best.k][1])) union(parent, group[0], groups[best.k][0]);
      else for (const piece of group) parent.delete(piece);
    });
  }

  /** Pieces' boxes and strongest ink → the piece numbers of each digit-to-be (specks dropped, overlaps merged, fragments attached). */
  function groupPieces(boxes, peaks) {
    if (boxes.length === 0) return [];
    const widths = boxes.map((b) => b[2] - b[0]);
    const heights = boxes.map((b) => b[3] - b[1]);
    const tallest = Math.max(...heights);
    const kept = boxes.map((b, p) => p)
      .filter((p) => Math.max(widths[p], heights[p]) >= SEGMENT.SPECK_FRACTION * tallest && peaks[p] >= SEGMENT.FAINT_PEAK);
    if (kept.length === 0) return [];
    const parent = new Map(kept.map((piece) => [piece, piece]));
    for (let i = 0; i < kept.length; i++) {
      for (let j = i + 1; j < kept.length; j++) {
        const [a, b] = [kept[i], kept[j]];
        const overlap = Math.min(boxes[a][2], boxes[b][2]) - Math.max(boxes[a][0], boxes[b][0]);
        if (overlap >= SEGMENT.MERGE_OVERLAP * Math.min(widths[a], widths[b])) union(parent, a, b);
      }
    }
    attachFragments(boxes, parent);
    return groupsOf(parent);
  }

  /**
   * A digit-to-be: a 0/1 mask over a frame of the image (its group's box), so work scales with the
   * digit, not the image. Python keeps whole-image masks; the pixels and every decision are the same.
   * @typedef {{frame: number[], data: Uint8Array}} Mask frame [x0, y0, x1, y1); data [y1 − y0, x1 − x0]
   */

  /** The tight box [x0, y0, x1, y1) of a mask, in image pixels; null when empty. */
  function boxOf({ frame, data }) {
    const frameWidth = frame[2] - frame[0], frameHeight = frame[3] - frame[1];
    let x0 = frameWidth, y0 = frameHeight, x1 = -1, y1 = -1;
    for (let y = 0; y < frameHeight; y++) {
      for (let x = 0; x < frameWidth; x++) {
        if (!data[y * frameWidth + x]) continue;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
    return x1 < 0 ? null : [x0 + frame[0], y0 + frame[1], x1 + 1 + frame[0], y1 + 1 + frame[1]];
  }

  /**
   * Cheapest top-to-bottom cut paths through a local mask [height, width], one per end column within
   * [margin, width − margin]: 2 per ink pixel crossed, 1 per sideways step; ties straight, then left.
   * @returns {{totals: Float64Array, moves: Int8Array}} totals [k]; moves [height, k] (−1, 0, +1)
   */
  function cheapestPaths(mask, width, height, margin) {
    const count = width - 2 * margin + 1;
    const moves = new Int8Array(height * count);
    let totals = new Float64Array(count);
    for (let k = 0; k < count; k++) totals[k] = 2 * mask[k + margin];
    for (let row = 1; row < height; row++) {
      const next = new Float64Array(count);
      for (let k = 0; k < count; k++) {
        let best = totals[k], move = 0;
        const fromLeft = k > 0 ? totals[k - 1] + 1 : Infinity;
        const fromRight = k < count - 1 ? totals[k + 1] + 1 : Infinity;
        if (fromLeft < best) { best = fromLeft; move = -1; }
        if (fromRight < best) { best = fromRight; move = 1; }
        moves[row * count + k] = move;
        next[k] = best + 2 * mask[row * width + k + margin];
      }
      totals = next;
    }
    return { totals, moves, count };
  }

  /**
   * The typical stroke width of a local mask [height, width]: the lower median, over its ink, of the
   * shorter of the horizontal and vertical runs through each pixel (Python's `stroke_width`).
   */
  function strokeWidth(mask, width, height) {
    const across = new Int32Array(mask.length), down = new Int32Array(mask.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width;) {
        if (!mask[y * width + x]) { x++; continue; }
        let end = x;
        while (end < width && mask[y * width + end]) end++;
        across.fill(end - x, y * width + x, y * width + end);
        x = end;
      }
    }
    for (let x = 0; x < width; x++) {
      for (let y = 0; y < height;) {
        if (!mask[y * width + x]) { y++; continue; }
        let end = y;
        while (end < height && mask[end * width + x]) end++;
        for (let row = y; row < end; row++) down[row * width + x] = end - y;
        y = end;
      }
    }
    const shorter = [];
    for (let index = 0; index < mask.length; index++) if (mask[index]) shorter.push(Math.min(across[index], down[index]));
    shorter.sort((a, b) => a - b);
    return shorter.length ? shorter[(shorter.length - 1) >> 1] : 0;
  }

  /**
   * Whether a cut's part (local mask [height, width]) could be a digit: MIN_PART_HEIGHT × height
   * tall, its largest piece holding MIN_PART_WHOLE of its ink (Python's `_digit_like`).
   */
  function digitLike(part, width, height) {
    let top = height, bottom = -1;
    for (let index = 0; index < part.length; index++) {
      if (!part[index]) continue;
      const y = Math.floor(index / width);
      if (y < top) top = y;
      bottom = y;
    }
    if (bottom < 0 || bottom - top + 1 < SEGMENT.MIN_PART_HEIGHT * height) return false;
    const { labels, boxes } = labelPieces(part, width, height);
    const areas = new Int32Array(boxes.length);
    let total = 0;
    for (const label of labels) if (label >= 0) { areas[label]++; total++; }
    return Math.max(...areas) >= SEGMENT.MIN_PART_WHOLE * total;
  }

  /**
   * Paths to cut a group's local mask [height, width] along, best first (Python's `cut_paths`): each
   * Int32Array [height], the first column of the right part in every row.
   */
  function cutPaths(mask, width, height, count) {
    const margin = Math.max(1, Math.ceil(SEGMENT.MIN_PART_WIDTH * height));
    if (width - 2 * margin < 0) return [];
    const { totals, moves, count: ends } = cheapestPaths(mask, width, height, margin);
    const order = [];
    const limit = 2 * Math.min(SEGMENT.MAX_CUT_INK * height, SEGMENT.MAX_CUT_STROKES * strokeWidth(mask, width, height));
    for (let k = 0; k < ends; k++) if (totals[k] <= limit) order.push(k);
    const distance = (k) => Math.abs(2 * (k + margin) - width);
    order.sort((a, b) => totals[a] - totals[b] || distance(a) - distance(b) || a - b);
    const chosen = [], paths = [];
    for (const end of order) {
      if (paths.length === count) break;
      if (chosen.some((other) => Math.abs(end - other) < margin)) continue;
      const path = new Int32Array(height);
      path[height - 1] = end;
      for (let row = height - 1; row > 0; row--) path[row - 1] = path[row] + moves[row * ends + path[row]];
      for (let row = 0; row < height; row++) path[row] += margin;
      const sides = [new Uint8Array(mask.length), new Uint8Array(mask.length)];
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) if (mask[y * width + x]) sides[x < path[y] ? 0 : 1][y * width + x] = 1;
      }
      if (sides.every((side) => digitLike(side, width, height))) {
        chosen.push(end);
        paths.push(path);
      }
    }
    return paths;
  }

  /** The mask cut along `path` (rows of `box`, columns local to it): [left, right] masks over the same frame. */
  function partMasks({ frame, data }, box, path) {
    const frameWidth = frame[2] - frame[0];
    const left = data.slice(), right = data.slice();
    for (let index = 0; index < data.length; index++) {
      const y = Math.floor(index / frameWidth) + frame[1];
      const x = (index % frameWidth) + frame[0];
      const boundary = y >= box[1] && y < box[3] ? box[0] + path[y - box[1]] : Infinity;
      if (x < boundary) right[index] = 0;
      else left[index] = 0;
    }
    return [{ frame, data: left }, { frame, data: right }];
  }

  /**
   * Each mask's own ink cropped to its box → Python's `preprocess_array`: Float32Array [28, 28] or null.
   * @param {Float64Array|Float32Array} ink [height, width]
   */
  function inputs(ink, width, masks) {
    return masks.map((mask) => {
      const box = boxOf(mask);
      if (box === null) return null;
      const [x0, y0, x1, y1] = box;
      const { frame, data } = mask;
      const frameWidth = frame[2] - frame[0];
      const cropWidth = x1 - x0, cropHeight = y1 - y0;
      const crop = new Float64Array(cropWidth * cropHeight);
      let mass = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const own = data[(y - frame[1]) * frameWidth + x - frame[0]];
          const value = own ? Math.min(Math.max(Math.fround(ink[y * width + x]) || 0, 0), 1) : 0;
          crop[(y - y0) * cropWidth + x - x0] = value;
          if (value > INK_THRESHOLD) mass += value;
        }
      }
      if (mass === 0 || mass < MIN_INK_FRACTION * Math.max(cropWidth, cropHeight) ** 2) return null;
      return recipe.digitInput(crop, cropWidth, cropHeight);
    });
  }

  /** The two parts of a wide group, or null to keep it whole (Python's `_best_cut`). */
  async function bestCut(ink, width, mask, classify, rules) {
    const box = boxOf(mask);
    const groupHeight = box[3] - box[1], groupWidth = box[2] - box[0];
    if (groupWidth <= (classify ? Math.min(...rules.map((r) => r[0])) : SEGMENT.SPLIT_ASPECT) * groupHeight) return null;
    const { frame, data } = mask;
    const frameWidth = frame[2] - frame[0];
    const local = new Uint8Array(groupWidth * groupHeight);
    for (let y = 0; y < groupHeight; y++) {
      for (let x = 0; x < groupWidth; x++) {
        local[y * groupWidth + x] = data[(y + box[1] - frame[1]) * frameWidth + x + box[0] - frame[0]];
      }
    }
    const paths = cutPaths(local, groupWidth, groupHeight, classify ? SEGMENT.MAX_CANDIDATES : 1);
    const cuts = paths.map((path) => partMasks(mask, box, path));
    if (!classify || cuts.length === 0) return cuts.length ? cuts[0] : null;
    const images = inputs(ink, width, [mask, ...cuts.flat()]);
    const batch = new Float32Array(images.length * 784);
    images.forEach((pixels, k) => { if (pixels) batch.set(pixels, k * 784); });
    const probabilities = await classify(batch);
    const surest = images.map((pixels, k) => (pixels ? Math.max(...probabilities.subarray(k * 10, k * 10 + 10)) : 0));
    let best = 0, bestScore = -Infinity;
    cuts.forEach((parts, k) => {
      const score = Math.min(surest[1 + 2 * k], surest[2 + 2 * k]);
      if (score > bestScore) { best = k; bestScore = score; }
    });
    const force = groupWidth > SEGMENT.FORCE_ASPECT * groupHeight;
    const rule = rules.some(([aspect, whole, parts]) =>
      groupWidth > aspect * groupHeight && surest[0] < whole && bestScore >= parts);
    return force || rule ? cuts[best] : null;
  }

  async function split(ink, width, mask, classify, rules = SEGMENT.SPLIT_RULES) {
    const parts = await bestCut(ink, width, mask, classify, rules);
    if (parts === null) return [mask];
    const digits = [];
    for (const part of parts) digits.push(...(await split(ink, width, part, classify, rules)));
    return digits;
  }

  /** Each group's mask over its frame (the box around its pieces). */
  function groupMasks(labels, width, boxes, groups) {
    const groupOf = new Int32Array(boxes.length).fill(-1);
    groups.forEach((group, k) => { for (const piece of group) groupOf[piece] = k; });
    const masks = groups.map((group) => {
      const frame = spanOf(boxes, group);
      return { frame, data: new Uint8Array((frame[2] - frame[0]) * (frame[3] - frame[1])) };
    });
    groups.forEach((group) => {
      for (const piece of group) {
        const [x0, y0, x1, y1] = boxes[piece];
        const { frame, data } = masks[groupOf[piece]];
        const frameWidth = frame[2] - frame[0];
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) {
            if (labels[y * width + x] === piece) data[(y - frame[1]) * frameWidth + x - frame[0]] = 1;
          }
        }
      }
    });
    return masks;
  }

  /**
   * Clean white-on-black ink → its digits left to right.
   * @param {Float64Array|Float32Array} ink [height, width] in [0, 1]
   * @param {{classify?: function(Float32Array): Promise<Float32Array>}} [options] [n·784] → [n·10]
   * @returns {Promise<Array<{pixels: Float32Array, box: number[]}>>} 784 values, box [x0, y0, x1, y1)
   */
  async function segment(ink, width, height, { classify = null } = {}) {
    if (!(width > 0 && height > 0) || ink.length !== width * height) {
      throw new Error(`expected ${width}×${height} ink values, got ${ink.length}`);
    }
    const mask = new Uint8Array(ink.length);
    for (let index = 0; index < ink.length; index++) mask[index] = ink[index] > INK_THRESHOLD ? 1 : 0;
    const { labels, boxes } = labelPieces(mask, width, height);
    const peaks = new Float64Array(boxes.length);
    for (let index = 0; index < ink.length; index++) {
      if (labels[index] >= 0 && ink[index] > peaks[labels[index]]) peaks[labels[index]] = ink[index];
    }
    const groups = groupPieces(boxes, peaks);
    const spans = groups.map((group) => spanOf(boxes, group));
    const single = spans.filter(([x0, y0, x1, y1]) => x1 - x0 <= y1 - y0).map(([x0, , x1]) => x1 - x0).sort((a, b) => a - b);
    const typical = groups.length > 1 && single.length ? single[(single.length - 1) >> 1] : 0; // their lower median width
    const masks = [];
    const all = groupMasks(labels, width, boxes, groups);
    for (let k = 0; k < groups.length; k++) {
      const wide = spans[k][2] - spans[k][0] >= SEGMENT.CONTEXT_WIDE * typical;
      const rules = groups.length > 1 ? SEGMENT.SPLIT_RULES : SEGMENT.ALONE_RULES;
      masks.push(...(wide ? await split(ink, width, all[k], classify, rules) : [all[k]]));
    }
    const images = inputs(ink, width, masks);
    const found = [];
    masks.forEach((digitMask, k) => { if (images[k]) found.push({ pixels: images[k], box: boxOf(digitMask) }); });
    return found.sort((a, b) => a.box[0] + a.box[2] - (b.box[0] + b.box[2]) || a.box[1] - b.box[1]);
  }

  image.segment = { SEGMENT, labelPieces, groupPieces, strokeWidth, cutPaths, segment };
  if (typeof module !== 'undefined' && module.exports) module.exports = image.segment;
})(typeof globalThis !== 'undefined' ? globalThis : this);
