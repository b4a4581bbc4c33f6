/**
 * The page's logic: read the manifest, load the chosen variant, predict the drawing (live while
 * drawing, and on every finished stroke), compare every variant. No DOM here: it goes through
 * `MnistUi` (ui.js); preprocessing is `MnistPreprocess` (preprocess.js), inference `MnistRuntimes`
 * (runtimes.js), the manifest `MNIST_MANIFEST` (models/embedded/manifest.js).
 *
 * URL parameters: `?variant=<manifest id>&backend=wasm|cpu|webgl`. Tests and benchmarks use
 * `globalThis.MnistPage` (the end of this file).
 */
(function (root) {
  'use strict';

  const LIVE_INTERVAL_MS = 120; // live recognition while drawing, at most this often
  const COMPARE_RUNS = 3; // each variant runs the drawing this often; the table shows the fastest
  const DEFAULT_BACKEND = 'wasm'; // TF.js: XNNPACK kernels, ~20x faster than plain JS for the CNN
  const FORMAT_LABELS = { tfjs: 'TF.js', onnx: 'ONNX' };

  const ui = root.MnistUi;
  const manifest = root.MNIST_MANIFEST;
  const runtimes = new Map(); // `${id}@${backend}` -> Promise of a loaded variant
  let current = null; // the loaded variant the page predicts with
  let lastPixels = null; // the last preprocessed input, Float32Array(784), or null when blank
  let busy = false;
  let pending = false;
  let lastLiveAt = 0;

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

  function runtimeName(variant) {
    return variant.entry.format === 'onnx' ? 'onnxruntime-web, wasm' : `TF.js, ${variant.backend}`;
  }

  function argmax(values) {
    return values.indexOf(Math.max(...values));
  }

  // ---- recognition ---------------------------------------------------------------------------

  /** Predict the drawing now; if a prediction is running, run once more when it ends. */
  async function predictDrawing() {
    if (busy) {
      pending = true;
      return;
    }
    busy = true;
    try {
      do {
        pending = false;
        const image = ui.readPadImage();
        lastPixels = image && root.MnistPreprocess.fromImageData(image);
        ui.showModelInput(lastPixels);
        if (!lastPixels) ui.showEmpty();
        else if (current) {
          const { probabilities, ms } = await current.predict(lastPixels);
          ui.showPrediction(probabilities, ms, runtimeName(current));
        }
      } while (pending);
      if (ui.isComparisonShown() && !ui.isDrawing()) await compareVariants();
    } catch (error) {
      ui.setStatus(`Prediction failed: ${error.message}`, { isError: true });
      console.error(error);
    } finally {
      busy = false;
    }
  }

  function predictWhileDrawing() {
    if (performance.now() - lastLiveAt < LIVE_INTERVAL_MS) return;
    lastLiveAt = performance.now();
    predictDrawing();
  }

  // ---- variants ------------------------------------------------------------------------------

  function loadRuntime(entry, backend) {
    const key = `${entry.id}@${entry.format === 'tfjs' ? backend : 'wasm'}`;
    if (!runtimes.has(key)) {
      const loading = root.MnistRuntimes.loadVariant(entry, { loadScript: ui.loadScript, backend });
      loading.catch(() => runtimes.delete(key));
      runtimes.set(key, loading);
    }
    return runtimes.get(key);
  }

  async function selectVariant() {
    const entry = manifest.models.find((each) => each.id === ui.selectedVariantId());
    const backend = ui.selectedBackend();
    ui.setBackendEnabled(entry.format === 'tfjs');
    ui.setReady(false);
    current = null;
    ui.setStatus(`Loading ${describeVariant(entry)}…`);
    const start = performance.now();
    try {
      const loaded = await loadRuntime(entry, backend);
      if (ui.selectedVariantId() !== entry.id || ui.selectedBackend() !== backend) return; // superseded
      current = loaded;
      const seconds = ((performance.now() - start) / 1000).toFixed(2);
      ui.setStatus(`Ready: ${describeVariant(entry)} on ${runtimeName(loaded)} (loaded in ${seconds} s).`);
      ui.setReady(true);
      if (root.MnistPage.readyAt === null) root.MnistPage.readyAt = performance.now();
      await predictDrawing();
    } catch (error) {
      if (entry.format === 'tfjs' && backend !== 'cpu') {
        ui.setStatus(`TF.js ${backend} failed here (${error.message}); using plain JS.`);
        ui.setBackend('cpu');
        await selectVariant();
        return;
      }
      ui.setStatus(`Could not load ${entry.id}: ${error.message}`, { isError: true });
      console.error(error);
    }
  }

  /** The default variant: the CNN in TF.js fp32 (no 14 MB onnxruntime wasm), else the first listed. */
  function defaultVariantId() {
    const preferred = manifest.models.find((e) => e.model === 'cnn' && e.format === 'tfjs' && e.precision === 'fp32');
    return (preferred || manifest.models.find((e) => e.format === 'tfjs') || manifest.models[0]).id;
  }

  // ---- compare -------------------------------------------------------------------------------

  /** Run the current 28x28 input through every variant; mark the ones that disagree with the majority. */
  async function compareVariants() {
    const pixels = lastPixels;
    const results = [];
    for (const entry of manifest.models) {
      const variant = await loadRuntime(entry, ui.selectedBackend());
      let best = null;
      for (let run = 0; pixels && run < COMPARE_RUNS; run += 1) {
        const result = await variant.predict(pixels);
        if (!best || result.ms < best.ms) best = result; // the fastest run: the first pays for warm-up
      }
      results.push({ entry, variant, result: best, digit: best ? argmax(best.probabilities) : null });
    }
    const votes = new Map();
    for (const { digit } of results) votes.set(digit, (votes.get(digit) || 0) + 1);
    const majority = [...votes.entries()].sort((a, b) => b[1] - a[1])[0][0];
    ui.showComparison(results.map(({ entry, variant, result, digit }) => {
      const disagrees = result !== null && digit !== majority;
      return {
        id: entry.id,
        digit: digit === null ? '' : String(digit),
        disagrees,
        selected: entry.id === ui.selectedVariantId(),
        cells: [
          shortName(entry),
          formatBytes(entry.bytes),
          formatAccuracy(entry),
          result ? `${digit}${disagrees ? ' ≠' : ''}` : '–',
          result ? result.probabilities[digit].toFixed(3) : '–',
          result ? `${result.ms.toFixed(2)} ms (${variant.backend})` : '–',
        ],
      };
    }));
  }

  // ---- start ---------------------------------------------------------------------------------

  function reportError(prefix) {
    return (error) => {
      ui.setStatus(`${prefix}: ${error.message}`, { isError: true });
      console.error(error);
    };
  }

  function start() {
    if (!manifest || !root.MnistRuntimes || !root.MnistPreprocess) {
      ui.setStatus('The page is not built: run `make setup` and `make web` (see README).', { isError: true });
      return;
    }
    const parameters = new URLSearchParams(root.location.search);
    const requested = parameters.get('variant');
    const backends = ['wasm', 'cpu', 'webgl'].filter((name) => root.MnistRuntimes.hasTfjsBackend(name));
    ui.setBackendChoices(backends, parameters.get('backend') || DEFAULT_BACKEND);
    const models = [...new Set(manifest.models.map((entry) => entry.model))];
    ui.fillVariantChoices(
      models.map((model) => ({
        group: model.toUpperCase(),
        options: manifest.models.filter((e) => e.model === model).map((e) => ({ value: e.id, label: describeVariant(e) })),
      })),
      manifest.models.some((e) => e.id === requested) ? requested : defaultVariantId()
    );
    ui.bindPad();
    ui.setPadCallbacks({ onStroke: predictWhileDrawing, onStrokeEnd: predictDrawing });
    ui.setControlCallbacks({
      onVariant: selectVariant,
      onBackend: selectVariant,
      onCompare: () => compareVariants().catch(reportError('Compare failed')),
    });
    selectVariant();
  }

  /** For tests and benchmarks: load any variant with this page's script loader. */
  root.MnistPage = {
    manifest,
    /** True when no prediction is running or queued (the DOM shows the latest drawing). */
    isIdle: () => !busy && !pending && !ui.isDrawing(),
    /** Milliseconds from navigation start to `data-ready` of the first variant (null before). */
    readyAt: null,
    loadVariant: (id, { backend = 'cpu' } = {}) => {
      const entry = manifest.models.find((each) => each.id === id);
      if (!entry) throw new Error(`no variant ${id} in the manifest`);
      return loadRuntime(entry, backend);
    },
  };
  start();
})(globalThis);
