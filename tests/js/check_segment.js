#!/usr/bin/env node
/**
 * Runs web/image/segment.js on every golden case written by tests/golden/make_segment_golden.py and
 * compares with Python: the same number of digits, the same boxes in the same order, every 28×28
 * input within the tolerance (1/255), and the same constants. Prints one JSON report on stdout
 * `{cases: [{name, digits_expected, digits_actual, boxes_equal, max_abs_diff, ok}], constants_equal,
 * max_abs_diff, tolerance, ok}` and exits 1 when anything differs.
 *
 * Usage: node tests/js/check_segment.js [path/to/segment.json]
 */
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const repository = path.resolve(__dirname, '..', '..');
require(path.join(repository, 'web', 'spec.js'));
const segmentation = require(path.join(repository, 'web', 'image', 'segment.js'));
const goldenPath = process.argv[2] || path.join(repository, 'tests', 'golden', 'segment.json');
const { INK_THRESHOLD, NUM_CLASSES } = globalThis.MNIST_SPEC;

function decode(text) {
  return zlib.inflateSync(Buffer.from(text, 'base64'));
}

/** The golden file's column classifier (see make_segment_golden.py): sure of narrow inputs only. */
function columnClassifier(narrowColumns) {
  return async (pixels) => {
    const count = pixels.length / 784;
    const probabilities = new Float32Array(count * NUM_CLASSES);
    for (let k = 0; k < count; k++) {
      let first = -1, last = -1;
      for (let column = 0; column < 28; column++) {
        let ink = false;
        for (let row = 0; row < 28; row++) ink = ink || pixels[k * 784 + row * 28 + column] > INK_THRESHOLD;
        if (ink) { if (first < 0) first = column; last = column; }
      }
      const sure = first >= 0 && last - first + 1 <= narrowColumns;
      const top = sure ? 0.99 : 0.5;
      probabilities.fill((1 - top) / (NUM_CLASSES - 1), k * NUM_CLASSES, (k + 1) * NUM_CLASSES);
      probabilities[k * NUM_CLASSES + 1] = top;
    }
    return probabilities;
  };
}

async function checkCase(goldenCase, golden) {
  const { name, width, height } = goldenCase;
  const bytes = decode(goldenCase.input_uint8);
  const ink = new Float32Array(width * height);
  for (let index = 0; index < ink.length; index++) ink[index] = bytes[index] / 255;
  const classify = goldenCase.classify === 'columns' ? columnClassifier(golden.narrow_columns) : null;
  const found = await segmentation.segment(ink, width, height, { classify });
  const expected = goldenCase.expected;
  const boxesEqual = found.length === expected.length &&
    found.every((digit, k) => digit.box.join(',') === expected[k].box.join(','));
  let diff = 0;
  if (boxesEqual) {
    found.forEach((digit, k) => {
      const raw = decode(expected[k].image_float32);
      const values = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
      for (let i = 0; i < values.length; i++) diff = Math.max(diff, Math.abs(values[i] - digit.pixels[i]));
    });
  }
  return { name, digits_expected: expected.length, digits_actual: found.length, boxes_equal: boxesEqual,
    boxes_actual: found.map((digit) => digit.box), max_abs_diff: diff, ok: boxesEqual && diff <= golden.tolerance };
}

async function main() {
  const golden = JSON.parse(fs.readFileSync(goldenPath, 'utf8'));
  const report = { cases: [], constants_equal: true, max_abs_diff: 0, tolerance: golden.tolerance, ok: true };
  for (const [name, value] of Object.entries(golden.constants)) {
    if (JSON.stringify(segmentation.SEGMENT[name]) !== JSON.stringify(value)) {
      report.constants_equal = false;
      report.constants_differ = (report.constants_differ || []).concat(`${name}: python ${JSON.stringify(value)}, js ${JSON.stringify(segmentation.SEGMENT[name])}`);
    }
  }
  if (Object.keys(segmentation.SEGMENT).length !== Object.keys(golden.constants).length) report.constants_equal = false;
  for (const goldenCase of golden.cases) {
    const result = await checkCase(goldenCase, golden);
    report.cases.push(result);
    report.max_abs_diff = Math.max(report.max_abs_diff, result.max_abs_diff);
    report.ok = report.ok && result.ok;
  }
  report.ok = report.ok && report.constants_equal;
  process.stdout.write(JSON.stringify(report, null, 1) + '\n');
  process.exit(report.ok ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(2);
});
