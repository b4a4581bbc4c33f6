#!/usr/bin/env node
/**
 * Runs web/preprocess.js on every golden case written by tests/golden/make_golden.py and compares
 * with the Python output: prints one JSON report on stdout
 * `{cases: [{name, entry, blank_expected, blank_actual, max_abs_diff, ok}], max_abs_diff, tolerance,
 * missing_from_spec, ok}` and exits 1 when any case differs by more than the tolerance (1/255) or
 * in its blank decision, or when web/spec.js lacks a constant of the image path.
 *
 * Usage: node tests/js/check_preprocess.js [preprocess.json [images.json]]
 * Drawings (preprocess.json): `preprocess` on Float32Array luminance [height, width], and
 * `fromImageData` on the same pixels as opaque grey RGBA [height, width, 4].
 * Image files (images.json): `fromPhoto` on the RGBA pixels Pillow decoded from each file, the
 * whole JS image path (decode from RGBA, clean, lines, marks, recipe) as the page runs it.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const repository = path.resolve(__dirname, '..', '..');
const MNIST_SPEC = require(path.join(repository, 'web', 'spec.js'));
const MnistPreprocess = require(path.join(repository, 'web', 'preprocess.js'));
const { MnistImage } = globalThis;
const goldenPath = process.argv[2] || path.join(repository, 'tests', 'golden', 'preprocess.json');
const imagesPath = process.argv[3] || path.join(repository, 'tests', 'golden', 'images.json');

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

/** Record one comparison in the report. */
function record(report, name, entry, expected, actual, tolerance) {
  const blankExpected = expected === null;
  const blankActual = actual === null;
  const diff = blankExpected || blankActual ? 0 : maxAbsDiff(actual, expected);
  const ok = blankExpected === blankActual && diff <= tolerance;
  report.cases.push({ name, entry, blank_expected: blankExpected, blank_actual: blankActual, max_abs_diff: diff, ok });
  report.max_abs_diff = Math.max(report.max_abs_diff, diff);
  report.ok = report.ok && ok;
}

/** The expected float32 28×28 of a case, or null for blank. */
function expectedOf(goldenCase) {
  if (goldenCase.expected_float32 === null) return null;
  const bytes = decode(goldenCase.expected_float32);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** Whole image files: the Pillow-decoded RGBA through `fromPhoto`. */
function checkImages(report) {
  const golden = JSON.parse(fs.readFileSync(imagesPath, 'utf8'));
  for (const goldenCase of golden.cases) {
    const { name, width, height, channels } = goldenCase;
    const pixels = decode(goldenCase.pixels_uint8);
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      for (let c = 0; c < channels; c++) rgba[i * 4 + c] = pixels[i * channels + c];
      if (channels === 3) rgba[i * 4 + 3] = 255;
    }
    const actual = MnistPreprocess.fromPhoto({ data: rgba, width, height });
    record(report, name, 'fromPhoto', expectedOf(goldenCase), actual, golden.tolerance);
  }
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
  checkImages(report);
  report.missing_from_spec = MnistImage.constants.missingFromSpec;
  report.ok = report.ok && report.missing_from_spec.length === 0;
  process.stdout.write(JSON.stringify(report, null, 1) + '\n');
  process.exit(report.ok ? 0 : 1);
}

main();
