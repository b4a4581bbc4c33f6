#!/usr/bin/env node
/**
 * Times web/teach.js in node: `add` (teach one example, stored) and `adapt` (one digit), with the
 * anchors file given and N stored examples built from the examples file's first entry.
 * Prints one JSON line {examples, add_ms: {median, p95}, adapt_ms: {median, p95}}.
 *
 * Usage: node bench/teach_timing.js ANCHORS.json EXAMPLES.json [N=30]
 * (bench/teach.py runs it; the page's own figure comes from the page benchmark.)
 */
'use strict';

const fs = require('fs');
const path = require('path');

require(path.join(__dirname, '..', 'web', 'spec.js'));
const MnistTeach = require(path.join(__dirname, '..', 'web', 'teach.js'));
const [anchorsPath, examplesPath, countText] = process.argv.slice(2);
const count = Number(countText || 30);
const values = new Map();
const storage = { getItem: (key) => (values.has(key) ? values.get(key) : null), setItem: (key, value) => values.set(key, value), removeItem: (key) => values.delete(key) };
const file = JSON.parse(fs.readFileSync(examplesPath, 'utf8'));
const teacher = MnistTeach.load({ model: file.model, anchors: fs.readFileSync(anchorsPath, 'utf8'), storage });

/** Median and nearest-rank p95 of milliseconds. */
function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], p95: sorted[Math.ceil(0.95 * sorted.length) - 1] };
}

const addSamples = [];
for (let index = 0; index < count; index += 1) {
  const example = file.examples[index % file.examples.length];
  const embedding = Float32Array.from(example.embedding, (value) => value * (1 + index * 1e-3)); // distinct
  const start = performance.now();
  teacher.add(example.digit, Float32Array.from(example.pixels), embedding);
  addSamples.push(performance.now() - start);
}
const adaptSamples = [];
const probabilities = Float32Array.from({ length: 10 }, (_, digit) => (digit === 7 ? 0.91 : 0.01));
for (let run = 0; run < 1000; run += 1) {
  const example = file.examples[run % file.examples.length];
  const start = performance.now();
  teacher.adapt(probabilities, example.embedding);
  adaptSamples.push(performance.now() - start);
}
process.stdout.write(`${JSON.stringify({ examples: teacher.size, add_ms: summary(addSamples), adapt_ms: summary(adaptSamples) })}\n`);
