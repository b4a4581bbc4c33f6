#!/usr/bin/env node
/**
 * Run a TF.js graph model in node on raw float32 images, for the parity tests and the compare.
 *
 * Usage:
 *   node export/js/run_tfjs.js --model DIR/model.json --input images.f32 --shape N,28,28,1
 *       --output probabilities.f32 [--embedding embedding.f32] [--backend cpu|wasm] [--batch-size 1000]
 *       [--latency-runs 1000 --warm-up-runs 20 --throughput-batch 256 --throughput-runs 20]
 *
 * Input: little-endian float32, shape `[N, ...]` as given by --shape (C order).
 * Output: little-endian float32 probabilities `[N, NUM_CLASSES]` (web/spec.js); with --embedding,
 * also the `embedding` output `[N, d]`. Outputs are selected by their signature keys
 * (`model.execute(x, ["probabilities", "embedding"])`), never by position.
 * Prints one JSON line on stdout: {"runtime": "tfjs 4.22.0 (node, wasm backend)", ...}; with
 * --latency-runs also the raw samples `latency_ms` and `batch_seconds` (Python summarises them).
 */
"use strict";

const fs = require("fs");
const path = require("path");
const tf = require("@tensorflow/tfjs");
const MnistGraphModel = require("../../web/graph_model.js");
const MNIST_SPEC = require("../../web/spec.js");

const PROBABILITIES = "probabilities"; // the signature keys written by export/tfjs.py
const EMBEDDING = "embedding";

/** Parse `--name value` pairs into an object. */
function parseArguments(argv) {
  const options = {};
  for (let index = 0; index < argv.length; index += 2) {
    const name = argv[index];
    if (!name.startsWith("--") || index + 1 >= argv.length) {
      throw new Error(`bad argument: ${name}`);
    }
    options[name.slice(2)] = argv[index + 1];
  }
  for (const required of ["model", "input", "shape", "output"]) {
    if (!(required in options)) throw new Error(`missing --${required}`);
  }
  return options;
}

/** Load a graph model from local files (model.json + its weight shards) without fetch. */
function loadGraphModel(modelJsonPath) {
  const modelJson = JSON.parse(fs.readFileSync(modelJsonPath, "utf8"));
  const directory = path.dirname(modelJsonPath);
  return MnistGraphModel.loadGraphModel(tf, modelJson, (shardPath) => fs.readFileSync(path.join(directory, shardPath)));
}

/** Select the backend: "cpu" (pure JS) or "wasm" (XNNPACK, single thread in node). */
async function selectBackend(name) {
  if (name === "wasm") {
    const wasm = require("@tensorflow/tfjs-backend-wasm");
    wasm.setThreadsCount?.(1);
  } else if (name !== "cpu") {
    throw new Error(`unknown backend: ${name} (expected cpu or wasm)`);
  }
  await tf.setBackend(name);
  await tf.ready();
}

/** The signature keys of the outputs to compute: probabilities, and the embedding when asked. */
function outputNames(options) {
  return options.embedding ? [PROBABILITIES, EMBEDDING] : [PROBABILITIES];
}

/** Join Float32Array chunks into one. @param {Float32Array[]} chunks @return {Float32Array} */
function concatenate(chunks) {
  const result = new Float32Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    result.set(chunk, offset);
    offset += chunk.length;
  }
  return result;
}

/**
 * Predict `[n, ...]` images in batches.
 * @return {Float32Array[]} one array per output name: `[n, NUM_CLASSES]` probabilities, `[n, d]` embedding
 */
function predictAll(model, images, shape, { batchSize, names }) {
  const count = shape[0];
  const imageSize = images.length / count;
  const chunks = names.map(() => []);
  for (let start = 0; start < count; start += batchSize) {
    const stop = Math.min(start + batchSize, count);
    const outputs = tf.tidy(() => {
      const batch = tf.tensor(images.subarray(start * imageSize, stop * imageSize), [stop - start, ...shape.slice(1)]);
      const outputs = model.execute(batch, names); // one name: TF.js gives the tensor, not a list
      return (Array.isArray(outputs) ? outputs : [outputs]).map((output) => output.dataSync());
    });
    outputs.forEach((values, index) => chunks[index].push(Float32Array.from(values)));
  }
  return chunks.map(concatenate);
}

/** Elapsed milliseconds of one call. */
function timeMs(call) {
  const start = process.hrtime.bigint();
  call();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Raw timing samples, summarised in Python by `digits.stats` (one median/p95 for every tool):
 * `latency_ms` of one-image calls after a warm-up, and `batch_seconds` of batch calls.
 */
function measureTimings(model, images, shape, plan) {
  const imageSize = images.length / shape[0];
  const one = tf.tensor(images.subarray(0, imageSize), [1, ...shape.slice(1)]);
  const batchCount = Math.min(plan.throughputBatch, shape[0]);
  const batch = tf.tensor(images.subarray(0, batchCount * imageSize), [batchCount, ...shape.slice(1)]);
  const run = (input) => tf.tidy(() => model.execute(input, PROBABILITIES).dataSync());
  for (let warmUp = 0; warmUp < plan.warmUpRuns; warmUp++) run(one);
  const latencies = [];
  for (let index = 0; index < plan.latencyRuns; index++) latencies.push(timeMs(() => run(one)));
  run(batch);
  const batchSeconds = [];
  for (let index = 0; index < plan.throughputRuns; index++) batchSeconds.push(timeMs(() => run(batch)) / 1000);
  one.dispose();
  batch.dispose();
  return { latency_ms: latencies, batch_seconds: batchSeconds, throughput_batch: batchCount };
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const backend = options.backend || "wasm";
  await selectBackend(backend);
  const shape = options.shape.split(",").map(Number);
  const bytes = fs.readFileSync(options.input);
  const images = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const expected = shape.reduce((a, b) => a * b, 1);
  if (images.length !== expected) {
    throw new Error(`input has ${images.length} floats, --shape ${options.shape} needs ${expected}`);
  }
  const model = await loadGraphModel(options.model);
  const started = process.hrtime.bigint();
  const batchSize = Number(options["batch-size"] || 1000);
  const [probabilities, embedding] = predictAll(model, images, shape, { batchSize, names: outputNames(options) });
  const predictSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (probabilities.length !== shape[0] * MNIST_SPEC.NUM_CLASSES) {
    throw new Error(`the model gave ${probabilities.length / shape[0]} outputs per image, expected ${MNIST_SPEC.NUM_CLASSES}`);
  }
  fs.writeFileSync(options.output, Buffer.from(probabilities.buffer));
  if (embedding) fs.writeFileSync(options.embedding, Buffer.from(embedding.buffer));
  const report = {
    runtime: `tfjs ${tf.version.tfjs} (node, ${backend} backend)`,
    predict_seconds: predictSeconds,
    embedding_size: embedding ? embedding.length / shape[0] : null,
  };
  if (options["latency-runs"]) {
    const plan = {
      latencyRuns: Number(options["latency-runs"]),
      warmUpRuns: Number(options["warm-up-runs"] || 20),
      throughputBatch: Number(options["throughput-batch"] || 256),
      throughputRuns: Number(options["throughput-runs"] || 20),
    };
    Object.assign(report, measureTimings(model, images, shape, plan));
  }
  process.stdout.write(JSON.stringify(report) + "\n");
}

main().catch((error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
