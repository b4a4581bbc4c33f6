/**
 * The manifest's variants as the page names and compares them: each one's label (model, format,
 * precision, size, test accuracy from the manifest), the default variant, and the comparison of
 * every variant on one 28×28 input, marking the ones that disagree with the majority. No DOM
 * here: index.js shows the labels and rows through `MnistUi`. Exposes `globalThis.MnistVariants`.
 */
(function (root) {
  'use strict';

  const COMPARE_RUNS = 3; // each variant runs the input this often; the table shows the fastest
  const FORMAT_LABELS = { tfjs: 'TF.js', onnx: 'ONNX' };

  function formatBytes(bytes) {
    return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${Math.round(bytes / 1e3)} kB`;
  }

  function formatAccuracy(entry) {
    const accuracy = entry.metrics && entry.metrics.test_accuracy;
    return typeof accuracy === 'number' ? `${(accuracy * 100).toFixed(2)}%` : '–';
  }

  function shortName(entry) {
    return `${entry.model.toUpperCase()} ${FORMAT_LABELS[entry.format] || entry.format} ${entry.precision}`;
  }

  /** The option label: model, format, precision, size and test accuracy from the manifest. */
  function describeVariant(entry) {
    return `${shortName(entry).replace(' ', ' · ')} · ${formatBytes(entry.bytes)} · ${formatAccuracy(entry)}`;
  }

  /** What a loaded variant runs on, e.g. "TF.js, wasm". */
  function runtimeName(variant) {
    return variant.entry.format === 'onnx' ? 'onnxruntime-web, wasm' : `TF.js, ${variant.backend}`;
  }

  /** The default variant: the CNN in TF.js fp32 (no 14 MB onnxruntime wasm), else the first listed. */
  function defaultVariantId(manifest) {
    const preferred = manifest.models.find((e) => e.model === 'cnn' && e.format === 'tfjs' && e.precision === 'fp32');
    return (preferred || manifest.models.find((e) => e.format === 'tfjs') || manifest.models[0]).id;
  }

  function argmax(values) {
    return values.indexOf(Math.max(...values));
  }

  /** Each variant's fastest of COMPARE_RUNS predictions of `pixels` (null result without pixels). */
  async function runEach(entries, loadRuntime, pixels) {
    const results = [];
    for (const entry of entries) {
      const variant = await loadRuntime(entry);
      let best = null;
      for (let run = 0; pixels && run < COMPARE_RUNS; run += 1) {
        const result = await variant.predict(pixels);
        if (!best || result.ms < best.ms) best = result; // the fastest run: the first pays for warm-up
      }
      results.push({ entry, variant, result: best, digit: best ? argmax(best.probabilities) : null });
    }
    return results;
  }

  /**
   * Run one 28×28 input through every variant; the table's rows, disagreeing ones marked.
   * @param {Object[]} entries manifest entries
   * @param {{loadRuntime: function(Object): Promise, pixels: (Float32Array|null), selectedId: string}} options
   *   loadRuntime: a loaded variant of an entry; pixels: [784] in [0, 1], or null (empty rows)
   * @return {Promise<Array<{id: string, cells: string[], digit: string, disagrees: boolean, selected: boolean}>>}
   */
  async function compareRows(entries, { loadRuntime, pixels, selectedId }) {
    const results = await runEach(entries, loadRuntime, pixels);
    const votes = new Map();
    for (const { digit } of results) votes.set(digit, (votes.get(digit) || 0) + 1);
    const [first, second] = [...votes.entries()].sort((a, b) => b[1] - a[1]);
    const majority = second && second[1] === first[1] ? undefined : first[0]; // a tie has no majority to differ from
    return results.map(({ entry, variant, result, digit }) => {
      const disagrees = result !== null && majority !== undefined && digit !== majority;
      return {
        id: entry.id,
        digit: digit === null ? '' : String(digit),
        disagrees,
        selected: entry.id === selectedId,
        cells: [
          shortName(entry),
          formatBytes(entry.bytes),
          formatAccuracy(entry),
          result ? `${digit}${disagrees ? ' ≠' : ''}` : '–',
          result ? result.probabilities[digit].toFixed(3) : '–',
          result ? `${result.ms.toFixed(2)} ms (${variant.backend})` : '–',
        ],
      };
    });
  }

  root.MnistVariants = { describeVariant, runtimeName, defaultVariantId, compareRows };
})(globalThis);
