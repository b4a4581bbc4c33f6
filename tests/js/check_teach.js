#!/usr/bin/env node
/**
 * Runs web/teach.js on a case file written by tests/test_teach_js.py and prints one JSON report:
 *   {constants, rows: [{max_abs_diff, changed, digit, similarity_diff, agree}], storage: {...}}
 * The case file holds the anchors file's text, the examples file's text, model outputs
 * (probabilities float32, embeddings float32, as JSON numbers) and what digits/examples.py made of
 * them. The storage part teaches the examples through the page API on a memory store and checks
 * reload, export, import (good and bad), forget and a corrupt store. The Python test asserts.
 *
 * Usage: node tests/js/check_teach.js CASES.json EXPORT_OUT.json
 */
'use strict';

const fs = require('fs');
const path = require('path');

const repository = path.resolve(__dirname, '..', '..');
require(path.join(repository, 'web', 'spec.js'));
const MnistTeach = require(path.join(repository, 'web', 'teach.js'));
const [casesPath, exportPath] = process.argv.slice(2);
const cases = JSON.parse(fs.readFileSync(casesPath, 'utf8'));

/** A Storage-like memory store (what localStorage offers the page). */
function memoryStorage() {
  const values = new Map();
  return {
    values,
    getItem: (key) => (values.has(key) ? values.get(key) : null),
    setItem: (key, value) => values.set(key, String(value)),
    removeItem: (key) => values.delete(key),
  };
}

/** Row `row` of a list of float arrays as a Float32Array. */
function float32Row(rows, row) {
  return Float32Array.from(rows[row]);
}

/** Compare teach.js with the Python results, row by row. */
function compareRows(teacher) {
  return cases.expected.map((expected, row) => {
    const result = teacher.adapt(float32Row(cases.probabilities, row), float32Row(cases.embeddings, row));
    let maxAbsDiff = 0;
    result.probabilities.forEach((value, index) => {
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(value - expected.probabilities[index]));
    });
    const digit = result.probabilities.indexOf(Math.max(...result.probabilities));
    const similarity = result.byExample ? result.byExample.similarity : 0;
    return {
      max_abs_diff: maxAbsDiff,
      changed: result.changed,
      digit,
      similarity_diff: Math.abs(similarity - expected.similarity),
      agree: result.changed === expected.changed && digit === expected.digit,
    };
  });
}

/** Whether `call` throws; the message's first line (or null). */
function errorOf(call) {
  try {
    call();
    return null;
  } catch (error) {
    return String(error.message);
  }
}

/** Teach the case's examples through the page API and exercise storage, import/export, forget. */
function storageScenario() {
  const storage = memoryStorage();
  const options = { model: cases.model, anchors: cases.anchors_text, storage };
  const teacher = MnistTeach.load(options);
  const file = JSON.parse(cases.examples_text);
  for (const example of file.examples) teacher.add(example.digit, Float32Array.from(example.pixels), Float32Array.from(example.embedding));
  const exported = teacher.exportJson();
  fs.writeFileSync(exportPath, exported);
  const reloaded = MnistTeach.load(options);
  const rows = compareRows(reloaded);
  const flatProbabilities = Float32Array.from(cases.probabilities.flat());
  const flatEmbeddings = Float32Array.from(cases.embeddings.flat());
  const batch = reloaded.adaptBatch(flatProbabilities, flatEmbeddings);
  const batchAgrees = batch.length === rows.length && batch.every((result, row) => result.changed === rows[row].changed);
  const listed = reloaded.list();
  const before = reloaded.counts().join(',');
  const badImports = {
    garbage: errorOf(() => reloaded.importJson('{garbage')),
    other_model: errorOf(() => reloaded.importJson(exported.replace(`"model":"${cases.model}"`, '"model":"mlp"'))),
    short_pixels: errorOf(() => reloaded.importJson(exported.replace('"pixels":[', '"pixels":[0.5,'))),
    empty_text: errorOf(() => reloaded.importJson('')),
  };
  const afterBad = reloaded.counts().join(',');
  const duplicatesAdded = reloaded.importJson(exported);
  reloaded.forget();
  const forgotten = MnistTeach.load(options);
  const ownAnswers = cases.probabilities.every((probabilities, row) => {
    const result = forgotten.adapt(Float32Array.from(probabilities), float32Row(cases.embeddings, row));
    return !result.changed && result.probabilities.every((value, index) => value === Math.fround(probabilities[index]));
  });
  const countsAfterForget = forgotten.counts().join(',');
  const storedAfterForget = storage.values.has(`${MnistTeach.STORAGE_PREFIX}${cases.model}`);
  const importedAgain = forgotten.importJson(exported);
  const corrupt = memoryStorage();
  corrupt.setItem(`${MnistTeach.STORAGE_PREFIX}${cases.model}`, '{"format": "mnist-anywhere-examples", "vers');
  const fromCorrupt = MnistTeach.load({ ...options, storage: corrupt });
  const corruptError = fromCorrupt.loadError;
  fromCorrupt.add(1, new Float32Array(784), Float32Array.from(file.examples[0].embedding));
  return {
    rows,
    batch_agrees: batchAgrees,
    listed: listed.length === file.examples.length && listed.every((item, index) => item.digit === file.examples[index].digit && item.pixels.length === 784),
    counts_after_reload: before,
    bad_imports: badImports,
    counts_after_bad_imports: afterBad,
    duplicates_added: duplicatesAdded,
    counts_after_forget: countsAfterForget,
    stored_after_forget: storedAfterForget,
    own_answers_after_forget: ownAnswers,
    imported_again: importedAgain,
    corrupt_load_error: corruptError,
    corrupt_backup_kept: corrupt.getItem(`${MnistTeach.STORAGE_PREFIX}${cases.model}:unreadable`) !== null,
    counts_after_corrupt_add: fromCorrupt.counts().join(','),
  };
}

const direct = cases.expected.map((expected, row) => {
  const examples = JSON.parse(cases.examples_text).examples;
  const anchors = MnistTeach.parseAnchors(cases.anchors_text);
  const result = MnistTeach.adapt(float32Row(cases.probabilities, row), float32Row(cases.embeddings, row), examples, anchors);
  return result.changed === expected.changed;
});
const report = { constants: MnistTeach.CONSTANTS, direct_agree: direct.every(Boolean), storage: storageScenario() };
process.stdout.write(`${JSON.stringify(report)}\n`);
