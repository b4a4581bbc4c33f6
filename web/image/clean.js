/**
 * Cleaning (`digits/image/clean.py`): luma at working resolution → ink, float64 [height, width]
 * in [0, 1], white on black.
 *
 * 1. Flatten transparency (`flatten`).
 * 2. Decide the polarity (`inkIsDark`): the border's dark share and the local skew of deviations.
 * 3. The paper's level (`paper.js`) is subtracted (dark ink: divided by the paper's brightness).
 * 4. Noise (2nd to 10th percentile of the contrast) and the ink's level; too little ink: blank.
 * 5. Contrast → ink by a ramp (`ramp`).
 *
 * Classic script, no DOM; `MnistImage.clean` (+ module.exports under node).
 */
(function (root) {
  'use strict';

  const image = root.MnistImage || (root.MnistImage = {});
  const constants = image.constants || require('./constants.js');
  const numeric = image.numeric || require('./numeric.js');
  const blocks = image.blocks || require('./blocks.js');
  const paper = image.paper || require('./paper.js');
  const { MAX_STATISTIC_SAMPLES, MIN_SHADED_SIDE, BORDER_CERTAIN, BORDER_DECISIVE, POLARITY_BLOCKS } = constants;
  const { SKEW_NOISE_SIGMAS, SKEW_MIN_MARGIN, SKEW_DECISIVE, MIN_PAPER_BRIGHTNESS, GAUSSIAN_Q10_Q02 } = constants;
  const { NOISE_SIGMAS, INK_SIGMAS, MIN_CONTRAST, INK_TOP_FRACTION, INK_TOP_MIN_PIXELS, CLEAN_NOISE } = constants;
  const { RAMP_START, RAMP_END, RAMP_START_CLEAN, RAMP_END_CLEAN } = constants;

  /**
   * @typedef {Object} Ink
   * @property {Float64Array} pixels [height, width] in [0, 1], white ink on black
   * @property {number} width
   * @property {number} height
   * @property {number} factor original pixels per working pixel
   * @property {number} contrast the ink's level (0 when blank)
   * @property {boolean} darkInk the polarity found
   * @property {boolean} saturated the ramp ends below the ink's level (a photo): strokes reach full ink
   * @property {?Ink} other the other polarity's ink when the polarity was not certain, else null
   */

  /**
   * Premultiplied luma and coverage → float64 luma [height, width], or null when nothing is painted.
   * Transparent parts take the colour that contrasts with what is painted.
   * @param {import('./decode.js').Reduced} reduced
   * @returns {?Float64Array}
   */
  function flatten(reduced) {
    const { luma, coverage } = reduced;
    const size = luma.length;
    const gray = Float64Array.from(luma);
    let opaque = true;
    for (let index = 0; index < size && opaque; index++) opaque = coverage[index] >= 1;
    if (opaque) return gray;
    const covered = Float64Array.from(coverage);
    const painted = numeric.numpySum(covered);
    if (painted <= 0) return null;
    const background = numeric.numpySum(gray) / painted < 0.5 ? 1 : 0;
    for (let index = 0; index < size; index++) gray[index] += background * (1 - covered[index]);
    return gray;
  }

  /** The outer ring of an image (row 0, row h−1, then columns 0 and w−1 without those rows). */
  function borderDarkShare(gray, width, height, level) {
    let dark = 0;
    let total = 0;
    const count = (index) => {
      total += 1;
      if (gray[index] <= level) dark += 1;
    };
    for (let column = 0; column < width; column++) count(column);
    for (let column = 0; column < width; column++) count((height - 1) * width + column);
    for (let row = 1; row < height - 1; row++) count(row * width);
    for (let row = 1; row < height - 1; row++) count(row * width + width - 1);
    return dark / total;
  }

  /** The surroundings of every pixel: block medians, bilinear (one median for small images). */
  function surroundingsOf(gray, width, height, blockCount) {
    if (Math.min(width, height) < MIN_SHADED_SIDE) {
      const sample = numeric.subsample(gray, width, height, MAX_STATISTIC_SAMPLES);
      return new Float64Array(width * height).fill(numeric.orderStatistic(sample, 0.5));
    }
    const block = Math.ceil(Math.min(width, height) / blockCount);
    const { levels, rows, columns } = blocks.blockStatistics(gray, width, height, block, 0.5);
    return blocks.bilinearGrid(levels, rows, columns, block, width, height);
  }

  /**
   * Which way strong local deviations go: +1 all darker than their surroundings, −1 all lighter.
   * @param {Float64Array} gray [height, width]
   */
  function localSkew(gray, width, height, blockCount) {
    const deviation = surroundingsOf(gray, width, height, blockCount);
    for (let index = 0; index < deviation.length; index++) deviation[index] = gray[index] - deviation[index];
    const sample = numeric.subsample(deviation, width, height, MAX_STATISTIC_SAMPLES);
    const middle = numeric.orderStatistic(Float64Array.from(sample), 0.5);
    for (let index = 0; index < sample.length; index++) sample[index] = Math.abs(sample[index] - middle);
    const noise = 1.4826 * numeric.orderStatistic(sample, 0.5);
    const margin = Math.max(SKEW_NOISE_SIGMAS * noise, SKEW_MIN_MARGIN);
    const squares = new Float64Array(deviation.length);
    for (let index = 0; index < deviation.length; index++) {
      const beyond = Math.max(-deviation[index] - margin, 0);
      squares[index] = beyond * beyond;
    }
    const darker = numeric.numpySum(squares);
    for (let index = 0; index < deviation.length; index++) {
      const beyond = Math.max(deviation[index] - margin, 0);
      squares[index] = beyond * beyond;
    }
    const lighter = numeric.numpySum(squares);
    return darker + lighter === 0 ? 0 : (darker - lighter) / (darker + lighter);
  }

  /**
   * The polarity of luma [height, width]: {dark: ink darker than paper, certain}.
   * Border first when it is nine tenths one side, then (small images) a clear border or the
   * skew, then a clear coarse skew, else the sign of coarse skew + fine skew + border vote.
   */
  function inkIsDark(gray, width, height) {
    const level = numeric.otsuLevel(numeric.subsample(gray, width, height, MAX_STATISTIC_SAMPLES));
    const borderVote = 1 - 2 * borderDarkShare(gray, width, height, level);
    if (Math.abs(borderVote) >= 2 * BORDER_CERTAIN) return { dark: borderVote > 0, certain: true };
    const skew = localSkew(gray, width, height, POLARITY_BLOCKS);
    if (Math.min(width, height) < MIN_SHADED_SIDE) {
      const decisive = Math.abs(borderVote) >= 2 * BORDER_DECISIVE;
      return { dark: decisive ? borderVote > 0 : skew > 0, certain: false };
    }
    if (Math.abs(skew) >= SKEW_DECISIVE) return { dark: skew > 0, certain: true };
    const fine = localSkew(gray, width, height, 2 * POLARITY_BLOCKS);
    return { dark: skew + fine + borderVote > 0, certain: false };
  }

  /** Contrast [height, width] → ink in [0, 1] in place: 0 up to `start`, 1 from `end`, linear between. */
  function ramp(contrast, noise, level) {
    const cleanImage = noise < CLEAN_NOISE;
    const startFraction = cleanImage ? RAMP_START_CLEAN : RAMP_START;
    const start = Math.max(NOISE_SIGMAS * noise, MIN_CONTRAST / 2, startFraction * level);
    const end = Math.max(start + 1 / 255, (cleanImage ? RAMP_END_CLEAN : RAMP_END) * level);
    const span = end - start;
    for (let index = 0; index < contrast.length; index++) {
      contrast[index] = Math.min(Math.max((contrast[index] - start) / span, 0), 1);
    }
    return contrast;
  }

  /** One polarity's ink from float64 luma: `Ink` (no `other`). */
  function inkOf(gray, width, height, dark, factor) {
    const contrast = new Float64Array(gray.length);
    for (let index = 0; index < gray.length; index++) contrast[index] = dark ? 1 - gray[index] : gray[index];
    const level = paper.paperLevel(contrast, width, height);
    for (let index = 0; index < gray.length; index++) {
      const difference = contrast[index] - level[index];
      contrast[index] = dark ? difference / Math.max(1 - level[index], MIN_PAPER_BRIGHTNESS) : difference;
    }
    const sample = numeric.subsample(contrast, width, height, MAX_STATISTIC_SAMPLES);
    const noise = (numeric.orderStatistic(sample, 0.1) - numeric.orderStatistic(sample, 0.02)) / GAUSSIAN_Q10_Q02;
    const topCount = Math.max(INK_TOP_MIN_PIXELS, Math.ceil(INK_TOP_FRACTION * contrast.length));
    const inkLevel = numeric.nthLargest(Float64Array.from(contrast), topCount);
    const base = { width, height, factor, contrast: inkLevel, darkInk: dark, saturated: false, other: null };
    if (inkLevel < Math.max(MIN_CONTRAST, INK_SIGMAS * noise)) {
      return { ...base, pixels: new Float64Array(gray.length) };
    }
    const saturated = noise >= CLEAN_NOISE && RAMP_END < 1;
    return { ...base, saturated, pixels: ramp(contrast, noise, inkLevel) };
  }

  /**
   * Clean a reduced image into `Ink`.
   * @param {import('./decode.js').Reduced} reduced
   * @returns {Ink}
   */
  function clean(reduced) {
    const { width, height, factor } = reduced;
    const blank = { pixels: new Float64Array(width * height), width, height, factor, contrast: 0, darkInk: false, saturated: false, other: null };
    const gray = flatten(reduced);
    if (gray === null) return blank;
    let low = Infinity;
    let high = -Infinity;
    for (let index = 0; index < gray.length; index++) {
      if (gray[index] < low) low = gray[index];
      if (gray[index] > high) high = gray[index];
    }
    if (high - low < MIN_CONTRAST) return blank;
    const { dark, certain } = inkIsDark(gray, width, height);
    const ink = inkOf(gray, width, height, dark, factor);
    if (certain) return ink;
    return { ...ink, other: inkOf(gray, width, height, !dark, factor) };
  }

  image.clean = { flatten, localSkew, inkIsDark, ramp, inkOf, clean };
  if (typeof module !== 'undefined' && module.exports) module.exports = image.clean;
})(typeof globalThis !== 'undefined' ? globalThis : this);
