/**
 * The image path's constants, read from `globalThis.MNIST_SPEC` (web/spec.js, generated from
 * digits/constants.py) so each is defined once per project.
 *
 * `missingFromSpec` lists the image path's names spec.js lacks (a stale spec.js: rerun
 * `python web/build.py spec`); tests/js checks it is empty. Classic script, no DOM;
 * `MnistImage.constants` (+ module.exports).
 */
(function (root) {
  'use strict';

  const spec = root.MNIST_SPEC || (typeof require === 'function' ? require('../spec.js') : undefined);
  if (!spec) throw new Error('spec.js must be loaded before web/image/constants.js');
  const IMAGE_PATH_NAMES = [
    'MAX_WORKING_SIDE', 'LUMA_WEIGHTS', 'MAX_STATISTIC_SAMPLES', 'MIN_SHADED_SIDE', 'BORDER_CERTAIN',
    'BORDER_DECISIVE', 'POLARITY_BLOCKS', 'SKEW_NOISE_SIGMAS', 'SKEW_MIN_MARGIN', 'SKEW_DECISIVE',
    'PAPER_BLOCKS', 'PAPER_FRACTION', 'OPENING_RADIUS', 'MIN_PAPER_BRIGHTNESS', 'GAUSSIAN_Q10_Q02',
    'NOISE_SIGMAS', 'INK_SIGMAS', 'MIN_CONTRAST', 'INK_TOP_FRACTION', 'INK_TOP_MIN_PIXELS', 'CLEAN_NOISE',
    'RAMP_START', 'RAMP_END', 'RAMP_START_CLEAN', 'RAMP_END_CLEAN', 'LINE_COVERAGE', 'LINE_ALONE',
    'MAX_LINE_THICKNESS', 'LINE_CLEARANCE', 'JUDGED_SIDE', 'WEAK_SHARE', 'FAT_RATIO', 'SOFT_CORE', 'FULL_INK', 'SOLID_RATIO',
    'EDGE_CONTACT', 'LINE_ASPECT', 'EDGE_INSIDE_MASS', 'EDGE_GAP', 'FRAME_WEAK_SHARE', 'SPECK_SIDE', 'DOT_SIDE', 'MAX_DIGIT_PIECES',
    'MASK_LEVEL', 'FRAME_SIDE', 'THIN_WIDTH', 'TARGET_WIDTH', 'IMAGE_SIZE', 'BOX_SIZE', 'CENTER',
    'INK_THRESHOLD', 'MIN_INK_FRACTION', 'ROUNDING_SLACK',
  ];

  const constants = Object.freeze({ ...spec, missingFromSpec: IMAGE_PATH_NAMES.filter((name) => !(name in spec)) });

  const image = root.MnistImage || (root.MnistImage = {});
  image.constants = constants;
  if (typeof module !== 'undefined' && module.exports) module.exports = constants;
})(typeof globalThis !== 'undefined' ? globalThis : this);
