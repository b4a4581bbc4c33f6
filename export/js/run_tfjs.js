#!/usr/bin/env node
/**
 * Run a TF.js graph model in node on raw float32 images, for the parity tests and the compare.
 *
 * Usage:
 *   node export/js/run_tfjs.js --model DIR/model.json --input images.f32 --shape N,28,28,1
 *       --output probabilities.f32 [--backend cpu|wasm] [--batch-size 1000]
 *       [--latency-runs 1000 --throughput-batch 256 --timings timings.json]
 *
 * Input: little-endian float32, shape `[N, ...]` as given by --shape (C order).
 * Output: little-endian float32 probabilities `[N, 10]`.
 * Prints one JSON line on stdout: {"runtime": "tfjs 4.22.0 (node, wasm backend)", ...}.
 */
"use strict";

const fs = require("fs");
const path = require("path");
const tf = require("@tensorflow/tfjs");

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
async function loadGraphModel(modelJsonPath) {
  const modelJson = JSON.parse(fs.readFileSync(modelJsonPath, "utf8"));
  const directory = path.dirname(modelJsonPath);
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (weightsManifest) => {
    const weightSpecs = [];
    const buffers = [];
    for (const group of weightsManifest) {
      weightSpecs.push(...group.weights);
      for (const shardPath of group.paths) {
        const bytes = fs.readFileSync(path.join(directory, shardPath));
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      }
    }
    return [weightSpecs, tf.io.concatenateArrayBuffers(buffers)];
  });
  return tf.loadGraphModel(tf.io.fromMemory(artifacts));
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

/** Predict `[n, ...]` images in batches; returns a Float32Array of `[n, 10]` probabilities. */
function predictAll(model, images, shape, batchSize) {
  const count = shape[0];
  const imageSize = images.length / count;
  const chunks = [];
  for (let start = 0; start < count; start += batchSize) {
    const stop = Math.min(start + batchSize, count);
    const probabilities = tf.tidy(() => {
      const batch = tf.tensor(images.subarray(start * imageSize, stop * imageSize), [stop - start, ...shape.slice(1)]);
      return model.predict(batch).dataSync();
    });
    chunks.push(Float32Array.from(probabilities));
  }
  const result = new Float32Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    result.set(chunk, offset);
    offset += chunk.length;
  }
  return result;
}

/** Median and 95th percentile (ms) of one-image latency, and images/s for one batch. */
function measureTimings(model, images, shape, latencyRuns, throughputBatch) {
  const imageSize = images.length / shape[0];
  const one = tf.tensor(images.subarray(0, imageSize), [1, ...shape.slice(1)]);
  const batchCount = Math.min(throughputBatch, shape[0]);
  const batch = tf.tensor(images.subarray(0, batchCount * imageSize), [batchCount, ...shape.slice(1)]);
  const run = (input) => tf.tidy(() => model.predict(input).dataSync());
  for (let warmUp = 0; warmUp < 20; warmUp++) run(one);
  const latencies = [];
  for (let index = 0; index < latencyRuns; index++) {
    const start = process.hrtime.bigint();
    run(one);
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  latencies.sort((a, b) => a - b);
  const percentile = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  run(batch);
  const batchSeconds = [];
  for (let index = 0; index < 20; index++) {
    const start = process.hrtime.bigint();
    run(batch);
    batchSeconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  batchSeconds.sort((a, b) => a - b);
  const medianSeconds = batchSeconds[Math.floor(batchSeconds.length / 2)];
  one.dispose();
  batch.dispose();
  return {
    latency_ms_median: percentile(0.5),
    latency_ms_p95: percentile(0.95),
    throughput_batch: batchCount,
    throughput_images_per_s: batchCount / medianSeconds,
  };
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
  const probabilities = predictAll(model, images, shape, Number(options["batch-size"] || 1000));
  const predictSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  fs.writeFileSync(options.output, Buffer.from(probabilities.buffer));
  const report = {
    runtime: `tfjs ${tf.version.tfjs} (node, ${backend} backend)`,
    predict_seconds: predictSeconds,
  };
  if (options["latency-runs"]) {
    Object.assign(
      report,
      measureTimings(model, images, shape, Number(options["latency-runs"]), Number(options["throughput-batch"] || 256)),
    );
  }
  process.stdout.write(JSON.stringify(report) + "\n");
}

main().catch((error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
