/**
 * Read the digits of an image: the image path finds them (`MnistPreprocess.findDigits`), then
 * every digit goes through the model in ONE batch (`variant.predictBatch`), then, when you taught
 * the page your handwriting, every digit's output is adapted by your examples (`adapt`, from
 * MnistTeach). The same for a drawing, a photo and a camera snapshot; a single digit is the
 * one-digit case, not another path.
 *
 * No DOM here. Exposes `globalThis.MnistReading`.
 */
(function (root) {
  'use strict';

  const { FLAT_SIZE, NUM_CLASSES } = root.MNIST_SPEC; // spec.js, generated from digits/constants.py
  const LOW_CONFIDENCE = 0.7; // a digit read with less probability than this is marked as shaky

  /**
   * @typedef {Object} ReadDigit
   * @property {number} digit 0…9, the most probable class (after your examples)
   * @property {number} probability its probability
   * @property {Float32Array} probabilities [10] after your examples (the model's own when none applied)
   * @property {number} modelDigit what the model alone read
   * @property {({digit: number, similarity: number}|null)} taught the example that changed the digit, or null
   * @property {(Float32Array|null)} embedding [d] the model's penultimate activations (null without them)
   * @property {Float32Array} pixels [28 * 28] the model input, white on black in [0, 1]
   * @property {number[]} box [x0, y0, x1, y1] in the source image's pixels (x1, y1 exclusive)
   * @property {boolean} low probability < LOW_CONFIDENCE
   */

  /**
   * @typedef {Object} Reading
   * @property {string} number the digits left to right ("" when there is none)
   * @property {ReadDigit[]} digits left to right
   * @property {number} probability the product of the digits' probabilities (1 when there is none)
   * @property {number} leastConfident index of the least probable digit (-1 when there is none)
   * @property {{width: number, height: number}} size the source image's, in pixels
   * @property {{findDigits: number, model: number, adapt: number, total: number}} ms where the time went
   */

  function argmax(values) {
    let best = 0;
    for (let index = 1; index < values.length; index += 1) if (values[index] > values[best]) best = index;
    return best;
  }

  /**
   * @param {{probabilities: Float32Array, embedding: (Float32Array|null)}} outputs the model's, n * 10 and n * d row-major
   * @param {(Array<{probabilities: Float32Array, changed: boolean, byExample: Object}>|null)} adapted per digit, or null
   * @param {Array<{pixels: Float32Array, box: number[]}>} found the image path's digits
   * @return {ReadDigit[]}
   */
  function toDigits(outputs, adapted, found) {
    const size = outputs.embedding ? outputs.embedding.length / found.length : 0;
    return found.map(({ pixels, box }, index) => {
      const own = outputs.probabilities.slice(index * NUM_CLASSES, (index + 1) * NUM_CLASSES);
      const result = adapted ? adapted[index] : null;
      const row = result ? result.probabilities : own;
      const digit = argmax(row);
      return {
        digit, probability: row[digit], probabilities: row, modelDigit: argmax(own),
        taught: result && result.changed ? result.byExample : null,
        embedding: size ? outputs.embedding.slice(index * size, (index + 1) * size) : null,
        pixels, box, low: row[digit] < LOW_CONFIDENCE,
      };
    });
  }

  /**
   * Read an image.
   * @param {{data: Uint8ClampedArray, width: number, height: number}} imageData RGBA [height, width, 4]
   * @param {{predictBatch: function(Float32Array): Promise<{probabilities: Float32Array, embedding: (Float32Array|null)}>}} variant a loaded variant
   * @param {{findDigits?: function, adapt?: (function(Float32Array, Float32Array): Array|null), drawing?: boolean}} options
   *   findDigits: the image path (default: MnistPreprocess.findDigits); adapt: your examples applied
   *   to n digits (probabilities n * 10, embeddings n * d → n results of MnistTeach's adapt), or null;
   *   drawing: the pad's canvas (clean ink: the image path skips the photo cleaning)
   * @return {Promise<Reading>}
   */
  async function readImage(imageData, variant, { findDigits = root.MnistPreprocess.findDigits, adapt = null, drawing = false } = {}) {
    const start = performance.now();
    const classify = async (pixels) => (await variant.predictBatch(pixels)).probabilities;
    const found = await findDigits(imageData, { classify, drawing });
    const foundAt = performance.now();
    let [digits, modelAt] = [[], foundAt];
    if (found.length) {
      const batch = new Float32Array(found.length * FLAT_SIZE);
      found.forEach(({ pixels }, index) => batch.set(pixels, index * FLAT_SIZE));
      const outputs = await variant.predictBatch(batch);
      modelAt = performance.now();
      const adapted = adapt && outputs.embedding ? adapt(outputs.probabilities, outputs.embedding) : null;
      digits = toDigits(outputs, adapted, found);
    }
    const end = performance.now();
    const probabilities = digits.map((each) => each.probability);
    return {
      number: digits.map((each) => String(each.digit)).join(''),
      digits,
      probability: probabilities.reduce((product, p) => product * p, 1),
      leastConfident: digits.length ? probabilities.indexOf(Math.min(...probabilities)) : -1,
      size: { width: imageData.width, height: imageData.height },
      ms: { findDigits: foundAt - start, model: modelAt - foundAt, adapt: end - modelAt, total: end - start },
    };
  }

  root.MnistReading = { LOW_CONFIDENCE, readImage };
})(globalThis);
