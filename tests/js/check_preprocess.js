#!/usr/bin/env node
/**
 * Runs web/preprocess.js on every golden case written by tests/golden/make_golden.py and compares
 * with the Python output: prints one JSON report on stdout
 * `{cases: [{name, blank_expected, blank_actual, max_abs_diff}], max_abs_diff, tolerance, ok}`
 * and exits 1 when any case differs by more than the tolerance (1/255) or in its blank decision.
 *
 * Usage: node tests/js/check_preprocess.js [path/to/preprocess.json]
 * Both entry points are checked: `preprocess` on Float32Array luminance [height, width], and
 * `fromImageData` on the same pixels as opaque grey RGBA [height, width, 4].
 */
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const repository = path.resolve(__dirname, '..', '..');
const MNIST_SPEC = require(path.join(repository, 'web', 'spec.js'));
const MnistPreprocess = require(path.join(repository, 'web', 'preprocess.js'));
const goldenPath = process.argv[2] || path.join(repository, 'tests', 'golden', 'preprocess.json');

/** base64 of zlib-compressed bytes → Buffer */
function decode(text) {
  return zlib.inflateSync(Buffer.from(text, 'base64'));
}

/** Largest |a[i] - b[i]|; Infinity when the lengths differ. */
function maxAbsDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
  return largest;
}

function main() {
  const golden = JSON.parse(fs.readFileSync(goldenPath, 'utf8'));
  if (golden.image_size !== MNIST_SPEC.IMAGE_SIZE || golden.box_size !== MNIST_SPEC.BOX_SIZE) {
    throw new Error(`constants differ: golden ${golden.image_size}/${golden.box_size}, ` +
      `web/spec.js ${MNIST_SPEC.IMAGE_SIZE}/${MNIST_SPEC.BOX_SIZE}: rerun tests/golden/make_golden.py`);
  }
  const report = { cases: [], max_abs_diff: 0, tolerance: golden.tolerance, ok: true };
  for (const goldenCase of golden.cases) {
    const { name, width, height } = goldenCase;
    const pixels = decode(goldenCase.input_uint8);
    const gray = new Float32Array(width * height);
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      gray[i] = pixels[i] / 255;
      rgba.set([pixels[i], pixels[i], pixels[i], 255], i * 4);
    }
    let expected = null;
    if (goldenCase.expected_float32 !== null) {
      const bytes = decode(goldenCase.expected_float32);
      expected = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    }
    for (const [entry, actual] of [
      ['preprocess', MnistPreprocess.preprocess(gray, width, height)],
      ['fromImageData', MnistPreprocess.fromImageData({ data: rgba, width, height })],
    ]) {
      const blankExpected = expected === null;
      const blankActual = actual === null;
      const diff = blankExpected || blankActual ? 0 : maxAbsDiff(actual, expected);
      const ok = blankExpected === blankActual && diff <= golden.tolerance;
      report.cases.push({ name, entry, blank_expected: blankExpected, blank_actual: blankActual,
        max_abs_diff: diff, ok });
      report.max_abs_diff = Math.max(report.max_abs_diff, diff);
      report.ok = report.ok && ok;
    }
  }
  // Alpha-aware: white paint that is fully transparent is no ink at all.
  const transparent = new Uint8ClampedArray(280 * 280 * 4).fill(255);
  for (let i = 3; i < transparent.length; i += 4) transparent[i] = 0;
  const transparentIsBlank = MnistPreprocess.fromImageData({ data: transparent, width: 280, height: 280 }) === null;
  report.cases.push({ name: 'transparent_white_canvas', entry: 'fromImageData', blank_expected: true,
    blank_actual: transparentIsBlank, max_abs_diff: 0, ok: transparentIsBlank });
  report.ok = report.ok && transparentIsBlank;
  process.stdout.write(JSON.stringify(report, null, 1) + '\n');
  process.exit(report.ok ? 0 : 1);
}

main();
