/**
 * Teach it your handwriting: personal examples on the page, kept in the browser, applied to every
 * prediction. The JavaScript twin of `digits/examples.py` + `digits/anchors.py` (same file formats,
 * same rule, same arithmetic: float64 on the anchors' float32 values and the examples' numbers as
 * stored); `tests/test_teach_js.py` holds the two within 1e-6.
 *
 * The rule (see digits/examples.py): embeddings are projected into the anchors' whitened space and
 * scaled to unit length; the input's nearest example (cosine `s`, digit `d`) overrides the model's
 * prediction `m` only when `d != m` and `s > S_m + margin`, `S_m` being the input's similarity to
 * its nearest MNIST anchor of class `m`, `margin = 0.01 + 0.015 * log2(number of examples)`. A win
 * blends the probabilities: `0.1 * p + 0.9 * onehot(d)`. Otherwise they are returned unchanged.
 *
 * Classic script, no DOM (file:// pages cannot load modules). Sets `globalThis.MnistTeach`, and
 * `module.exports` in node. Reads `MNIST_SPEC` (spec.js).
 *
 *   const teacher = MnistTeach.load({ model: 'cnn', anchors: anchorsJsonTextOrObject });
 *   teacher.add(7, pixels, embedding);                       // Float32Array(784), Float32Array(d)
 *   const { probabilities, changed, byExample } = teacher.adapt(modelProbabilities, embedding);
 */
(function (root) {
  'use strict';

  const spec = root.MNIST_SPEC || (typeof require === 'function' ? require('./spec.js') : null);
  const { NUM_CLASSES, FLAT_SIZE } = spec;
  const EXAMPLES_FORMAT = 'mnist-anywhere-examples';
  const EXAMPLES_VERSION = 1;
  const ANCHORS_FORMAT = 'mnist-anywhere-anchors';
  const ANCHORS_VERSION = 1;
  const MAX_EXAMPLES = 500; // per model: ~4 kB each in localStorage
  const PIXEL_DECIMALS = 3; // pixels are stored with 3 decimals
  const EMBEDDING_DIGITS = 6; // embeddings keep 6 significant digits
  const MARGIN_BASE = 0.01; // cosine margin with one example
  const MARGIN_PER_DOUBLING = 0.015; // added per doubling of the number of examples
  const MIN_SIMILARITY = 0.6; // an example never claims an input less similar than this
  const TEACH_WEIGHT = 0.9; // weight of the example's digit in the blended probabilities
  const MIN_NORM = 1e-12; // a projected vector shorter than this counts as zero
  const STORAGE_PREFIX = 'mnist-anywhere:examples:'; // + model name: embeddings differ per model
  const CONSTANTS = { EXAMPLES_FORMAT, EXAMPLES_VERSION, ANCHORS_FORMAT, MAX_EXAMPLES, PIXEL_DECIMALS,
    EMBEDDING_DIGITS, MARGIN_BASE, MARGIN_PER_DOUBLING, MIN_SIMILARITY, TEACH_WEIGHT };

  /** base64 of little-endian float32 → Float64Array of `length` values; throws a one-line Error. */
  function decodeFloat32(text, length, name) {
    if (typeof text !== 'string') throw new Error(`anchors field ${name} is not base64`);
    let binary;
    try {
      binary = typeof atob === 'function' ? atob(text) : Buffer.from(text, 'base64').toString('binary');
    } catch (error) {
      throw new Error(`anchors field ${name} is not base64`);
    }
    if (binary.length !== 4 * length) throw new Error(`anchors field ${name} holds ${binary.length / 4} numbers, expected ${length}`);
    const view = new DataView(new ArrayBuffer(binary.length));
    for (let index = 0; index < binary.length; index += 1) view.setUint8(index, binary.charCodeAt(index));
    const values = new Float64Array(length);
    for (let index = 0; index < length; index += 1) {
      values[index] = view.getFloat32(4 * index, true);
      if (!Number.isFinite(values[index])) throw new Error(`anchors field ${name} holds NaN or infinity`);
    }
    return values;
  }

  /**
   * Parse an anchors file (its JSON text or the parsed object) of `digits/anchors.py`.
   * @return {{model: string, embeddingSize: number, digits: Int32Array, mean: Float64Array,
   *   projection: Float64Array, vectors: Float64Array}} projection d*d and vectors m*d, row-major
   */
  function parseAnchors(source) {
    const record = typeof source === 'string' ? JSON.parse(source) : source;
    if (!record || record.format !== ANCHORS_FORMAT) throw new Error(`not an anchors file: format is not ${ANCHORS_FORMAT}`);
    if (record.version !== ANCHORS_VERSION) throw new Error(`anchors version ${record.version} is not ${ANCHORS_VERSION}`);
    const size = record.embedding_size;
    if (!Number.isInteger(size) || size <= 0 || typeof record.model !== 'string') throw new Error('anchors file has no valid model / embedding_size');
    const digits = record.digits;
    if (!Array.isArray(digits) || !digits.every((digit) => Number.isInteger(digit) && digit >= 0 && digit < NUM_CLASSES)) {
      throw new Error("anchors field 'digits' must be a list of digits 0-9");
    }
    if (new Set(digits).size !== NUM_CLASSES) throw new Error('anchors must cover every digit 0-9');
    return {
      model: record.model,
      embeddingSize: size,
      digits: Int32Array.from(digits),
      mean: decodeFloat32(record.mean, size, 'mean'),
      projection: decodeFloat32(record.projection, size * size, 'projection'),
      vectors: decodeFloat32(record.anchors, digits.length * size, 'anchors'),
    };
  }

  /** An embedding (d numbers) → Float64Array(d), unit length in the anchors' space (or zeros). */
  function project(embedding, anchors) {
    const size = anchors.embeddingSize;
    if (!embedding || embedding.length !== size) throw new Error(`expected an embedding of ${size} numbers, got ${embedding && embedding.length}`);
    const projected = new Float64Array(size);
    for (let row = 0; row < size; row += 1) {
      const centred = embedding[row] - anchors.mean[row];
      const offset = row * size;
      for (let column = 0; column < size; column += 1) projected[column] += centred * anchors.projection[offset + column];
    }
    let squares = 0;
    for (let column = 0; column < size; column += 1) squares += projected[column] * projected[column];
    const norm = Math.sqrt(squares);
    for (let column = 0; column < size; column += 1) projected[column] = norm > MIN_NORM ? projected[column] / norm : 0;
    return projected;
  }

  /** Dot product of `vector` (Float64Array d) with row `row` of a row-major matrix. */
  function dotRow(vector, matrix, row) {
    let sum = 0;
    const offset = row * vector.length;
    for (let index = 0; index < vector.length; index += 1) sum += vector[index] * matrix[offset + index];
    return sum;
  }

  /** Index of the first largest value. */
  function argmax(values) {
    let best = 0;
    for (let index = 1; index < values.length; index += 1) if (values[index] > values[best]) best = index;
    return best;
  }

  /** The margin an example must beat the anchors by with `count` examples stored. */
  function marginFor(count) {
    return MARGIN_BASE + MARGIN_PER_DOUBLING * Math.log2(Math.max(count, 1));
  }

  /**
   * Apply projected examples to one model output (the rule in the header).
   * @param {ArrayLike<number>} probabilities 10 values @param {ArrayLike<number>} embedding d values
   * @param {Array<{digit: number, projected: Float64Array}>} examples @param {Object} anchors parseAnchors()
   * @return {{probabilities: Float32Array, changed: boolean, byExample: ({digit: number, similarity: number}|null)}}
   */
  function adaptProjected(probabilities, embedding, examples, anchors) {
    if (!probabilities || probabilities.length !== NUM_CLASSES) throw new Error(`expected ${NUM_CLASSES} probabilities`);
    const own = Float32Array.from(probabilities);
    const unchanged = { probabilities: own, changed: false, byExample: null };
    if (examples.length === 0) return unchanged;
    const input = project(embedding, anchors);
    let nearest = -1;
    let similarity = -Infinity;
    examples.forEach((example, index) => {
      const value = dotRow(input, example.projected, 0);
      if (value > similarity) [nearest, similarity] = [index, value];
    });
    const digit = examples[nearest].digit;
    const predicted = argmax(own);
    let bestAnchor = -Infinity;
    for (let row = 0; row < anchors.digits.length; row += 1) {
      if (anchors.digits[row] === predicted) bestAnchor = Math.max(bestAnchor, dotRow(input, anchors.vectors, row));
    }
    if (digit === predicted || !(similarity >= MIN_SIMILARITY) || !(similarity > bestAnchor + marginFor(examples.length))) return unchanged;
    const blended = new Float32Array(NUM_CLASSES);
    for (let index = 0; index < NUM_CLASSES; index += 1) {
      blended[index] = (1 - TEACH_WEIGHT) * own[index] + (index === digit ? TEACH_WEIGHT : 0);
    }
    return { probabilities: blended, changed: true, byExample: { digit, similarity } };
  }

  /** Round a pixel to the stored precision (clamped to [0, 1]). */
  function roundPixel(value) {
    const scale = 10 ** PIXEL_DECIMALS;
    return Math.round(Math.min(1, Math.max(0, value)) * scale) / scale;
  }

  /** Check `values` is an array of `size` finite numbers in [low, high]; throws a one-line Error. */
  function checkNumbers(values, size, what, low = -Infinity, high = Infinity) {
    if (!Array.isArray(values) || values.length !== size) throw new Error(`${what} must be a list of ${size} numbers`);
    for (const value of values) {
      if (typeof value !== 'number' || !(value >= low && value <= high) || !Number.isFinite(value)) {
        throw new Error(`${what} holds ${JSON.stringify(value)}; expected numbers in [${low}, ${high}]`);
      }
    }
    return values;
  }

  /**
   * Parse an examples file (the CONTRACTS format) for `model` with `embeddingSize`-wide embeddings.
   * @return {Array<{digit: number, pixels: number[], embedding: number[]}>} throws a one-line Error
   */
  function parseExamples(text, model, embeddingSize) {
    let record;
    try {
      record = JSON.parse(text);
    } catch (error) {
      throw new Error(`not JSON (${String(error.message).split('\n')[0]})`);
    }
    if (!record || typeof record !== 'object' || record.format !== EXAMPLES_FORMAT) throw new Error(`not an examples file: format is not ${EXAMPLES_FORMAT}`);
    if (record.version !== EXAMPLES_VERSION) throw new Error(`examples version ${JSON.stringify(record.version)} is not ${EXAMPLES_VERSION}`);
    if (record.model !== model) throw new Error(`examples are for model ${JSON.stringify(record.model)}, not ${JSON.stringify(model)}`);
    if (record.embedding_size !== embeddingSize) throw new Error(`examples have ${JSON.stringify(record.embedding_size)}-wide embeddings, the model has ${embeddingSize}`);
    const items = record.examples;
    if (!Array.isArray(items) || items.length > MAX_EXAMPLES) throw new Error(`'examples' must be a list of at most ${MAX_EXAMPLES} examples`);
    return items.map((item, index) => {
      const digit = item && item.digit;
      if (!Number.isInteger(digit) || digit < 0 || digit >= NUM_CLASSES) throw new Error(`example ${index}: digit must be 0-9, got ${JSON.stringify(digit)}`);
      return {
        digit,
        pixels: checkNumbers(item.pixels, FLAT_SIZE, `example ${index} pixels`, 0, 1),
        embedding: checkNumbers(item.embedding, embeddingSize, `example ${index} embedding`),
      };
    });
  }

  /**
   * The examples file's text. Each example's own JSON is made once (`withProjection`) and reused,
   * so saving after a teach costs a string join, not a re-serialisation of every example.
   * @param {Array<{text: string}>} examples
   */
  function examplesJson(model, embeddingSize, examples) {
    const header = JSON.stringify({ format: EXAMPLES_FORMAT, version: EXAMPLES_VERSION, model, embedding_size: embeddingSize });
    return `${header.slice(0, -1)},"examples":[${examples.map((example) => example.text).join(',')}]}\n`;
  }

  /** localStorage when the page has it (file:// pages do), else a memory-only store. */
  function defaultStorage() {
    try {
      if (root.localStorage) return root.localStorage;
    } catch (error) {
      // Access can throw (storage disabled): fall through to memory.
    }
    const values = new Map();
    return { getItem: (key) => (values.has(key) ? values.get(key) : null), setItem: (key, value) => values.set(key, String(value)), removeItem: (key) => values.delete(key) };
  }

  /**
   * The personal examples of one model, kept in `storage` under `mnist-anywhere:examples:<model>`
   * (the examples file's text). A stored value that cannot be read is kept under `…:unreadable` the
   * first time something is saved, and `loadError` says why. Every change is saved at once.
   */
  class Teacher {
    /** @param {string} model @param {Object} anchors parseAnchors() @param {Storage} store */
    constructor(model, anchors, store) {
      this.model = model;
      this.anchors = anchors;
      this.embeddingSize = anchors.embeddingSize;
      this.store = store;
      this.key = STORAGE_PREFIX + model;
      this.examples = [];
      this.loadError = null;
      this.stored = store.getItem(this.key);
      if (this.stored === null) return;
      try {
        this.examples = parseExamples(this.stored, model, this.embeddingSize).map((example) => this.prepare(example));
      } catch (error) {
        this.loadError = `stored examples could not be read: ${error.message}`;
      }
    }

    /** How many examples are stored. */
    get size() {
      return this.examples.length;
    }

    /** An example with its JSON (made once) and its projection (used by every adapt). */
    prepare({ digit, pixels, embedding }) {
      const text = JSON.stringify({ digit, pixels, embedding });
      return { digit, pixels, embedding, text, projected: project(embedding, this.anchors) };
    }

    /** Save `next` (storage refusing, e.g. over quota, throws and keeps the current examples). */
    save(next) {
      if (this.loadError !== null && this.store.getItem(`${this.key}:unreadable`) === null) {
        this.store.setItem(`${this.key}:unreadable`, this.stored);
      }
      if (next.length) this.store.setItem(this.key, examplesJson(this.model, this.embeddingSize, next));
      else this.store.removeItem(this.key);
      this.examples = next;
      this.loadError = null;
    }

    /**
     * Store a personal example. @param {number} digit 0-9 @param {Float32Array} pixels 784 values
     * in [0, 1] @param {Float32Array} embedding d values @return {number[]} the new counts
     */
    add(digit, pixels, embedding) {
      if (!Number.isInteger(digit) || digit < 0 || digit >= NUM_CLASSES) throw new Error(`digit must be 0-9, got ${digit}`);
      if (!pixels || pixels.length !== FLAT_SIZE) throw new Error(`expected ${FLAT_SIZE} pixels, got ${pixels && pixels.length}`);
      if (!embedding || embedding.length !== this.embeddingSize) throw new Error(`expected an embedding of ${this.embeddingSize} numbers, got ${embedding && embedding.length}`);
      if (this.examples.length >= MAX_EXAMPLES) throw new Error(`at most ${MAX_EXAMPLES} examples: forget some first`);
      const rounded = Array.from(embedding, (value) => Number(Number(value).toPrecision(EMBEDDING_DIGITS)));
      checkNumbers(rounded, this.embeddingSize, 'embedding');
      this.save([...this.examples, this.prepare({ digit, pixels: Array.from(pixels, roundPixel), embedding: rounded })]);
      return this.counts();
    }

    /** @return {number[]} how many examples each digit 0-9 has */
    counts() {
      const counts = new Array(NUM_CLASSES).fill(0);
      for (const { digit } of this.examples) counts[digit] += 1;
      return counts;
    }

    /** The stored examples: [{digit, pixels: Float32Array(784)}] (for thumbnails). */
    list() {
      return this.examples.map(({ digit, pixels }) => ({ digit, pixels: Float32Array.from(pixels) }));
    }

    /** Remove every example: predictions are the model's own again. */
    forget() {
      this.save([]);
    }

    /** @return {string} the examples file (CONTRACTS format) */
    exportJson() {
      return examplesJson(this.model, this.embeddingSize, this.examples);
    }

    /** Add a file's examples, skipping ones already stored; a bad file throws and changes nothing. @return {number} added */
    importJson(text) {
      const incoming = parseExamples(String(text), this.model, this.embeddingSize);
      const identity = (example) => JSON.stringify([example.digit, example.embedding]);
      const seen = new Set(this.examples.map(identity));
      const fresh = incoming.filter((example) => !seen.has(identity(example)));
      const total = this.examples.length + fresh.length;
      if (total > MAX_EXAMPLES) throw new Error(`importing would make ${total} examples, at most ${MAX_EXAMPLES}`);
      this.save([...this.examples, ...fresh.map((example) => this.prepare(example))]);
      return fresh.length;
    }

    /** One digit: probabilities (10) and embedding (d) → {probabilities, changed, byExample}. */
    adapt(probabilities, embedding) {
      return adaptProjected(probabilities, embedding, this.examples, this.anchors);
    }

    /** n digits: probabilities n*10 and embeddings n*d (row-major) → n results, row by row. */
    adaptBatch(probabilities, embeddings) {
      const count = probabilities.length / NUM_CLASSES;
      const size = this.embeddingSize;
      if (!Number.isInteger(count) || embeddings.length !== count * size) throw new Error(`expected n*${NUM_CLASSES} probabilities and n*${size} embedding values`);
      return Array.from({ length: count }, (_, row) => this.adapt(
        probabilities.subarray(row * NUM_CLASSES, (row + 1) * NUM_CLASSES), embeddings.subarray(row * size, (row + 1) * size)));
    }
  }

  /**
   * Load a model's personal examples from the browser's storage.
   * @param {{model: string, anchors: (string|Object), storage: (Storage|undefined)}} options
   *   anchors: the anchors file's text, its parsed JSON or parseAnchors(); storage: localStorage by default
   * @return {Teacher}
   */
  function load({ model, anchors, storage }) {
    const parsedAnchors = anchors && anchors.vectors instanceof Float64Array ? anchors : parseAnchors(anchors);
    if (parsedAnchors.model !== model) throw new Error(`anchors are for model ${parsedAnchors.model}, not ${model}`);
    return new Teacher(model, parsedAnchors, storage || defaultStorage());
  }

  /** The rule on raw examples [{digit, embedding}] (the node parity test calls this). */
  function adapt(probabilities, embedding, examples, anchors) {
    const projected = examples.map((example) => ({ digit: example.digit, projected: project(example.embedding, anchors) }));
    return adaptProjected(probabilities, embedding, projected, anchors);
  }

  const api = { load, parseAnchors, parseExamples, project, adapt, marginFor, CONSTANTS, STORAGE_PREFIX };
  root.MnistTeach = api;
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
