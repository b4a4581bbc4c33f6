/**
 * The page's UI: the only file that touches the DOM. Draws strokes on `canvas#pad`, preprocesses
 * the drawing with `MnistPreprocess` (preprocess.js), predicts with `MnistRuntimes` (runtimes.js)
 * and shows the digit, the ten probabilities, the 28x28 input, the timing and a comparison of
 * every manifest variant. Page contract (DESIGN.md): `#prediction[data-digit]`, `#probabilities`
 * children with `data-digit` / `data-p`, `button#clear`, `button#undo`, `select#variant`,
 * `body[data-ready="true"]` once the selected variant is loaded and warm.
 *
 * URL parameters: `?variant=<manifest id>&backend=cpu|webgl`. Tests and benchmarks use
 * `globalThis.MnistPage` (see the end of this file).
 */
(function (root) {
  'use strict';

  const PAD_SIZE = 280; // logical pad units; strokes are stored in them, whatever the screen size
  const IMAGE_SIZE = 28;
  const LIVE_INTERVAL_MS = 120; // live recognition while drawing, at most this often
  const LOW_CONFIDENCE = 0.7; // below this the page warns that the guess is shaky
  const COMPARE_RUNS = 3; // each variant runs the drawing this often; the table shows the fastest
  const FORMAT_LABELS = { tfjs: 'TF.js', onnx: 'ONNX' };

  const manifest = root.MNIST_MANIFEST;
  const byId = (id) => document.getElementById(id);
  const pad = byId('pad');
  const padContext = pad.getContext('2d', { willReadFrequently: true });
  const strokes = []; // [{width, points: [{x, y}]}] in pad units
  const runtimes = new Map(); // `${id}@${backend}` -> Promise of a loaded variant
  let activeStroke = null;
  let current = null; // the loaded variant the page predicts with
  let lastPixels = null; // the last preprocessed input, Float32Array(784), or null when blank
  let busy = false;
  let pending = false;
  let lastLiveAt = 0;

  /** Add a classic script once; resolves when it has run (file:// allows nothing else). */
  function loadScript(src) {
    const existing = document.querySelector(`script[data-src="${src}"]`);
    if (existing) return existing.loaded;
    const script = document.createElement('script');
    script.dataset.src = src;
    script.src = src;
    script.loaded = new Promise((resolve, reject) => {
      script.onload = resolve;
      script.onerror = () => reject(new Error(`could not load ${src}`));
    });
    document.body.appendChild(script);
    return script.loaded;
  }

  function formatBytes(bytes) {
    return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${Math.round(bytes / 1e3)} kB`;
  }

  function describeVariant(entry) {
    const accuracy = entry.metrics && entry.metrics.test_accuracy;
    const accuracyText = typeof accuracy === 'number' ? ` · ${(accuracy * 100).toFixed(2)}%` : '';
    return `${entry.model.toUpperCase()} · ${FORMAT_LABELS[entry.format] || entry.format} ${entry.precision}` +
      ` · ${formatBytes(entry.bytes)}${accuracyText}`;
  }

  function runtimeName(variant) {
    return variant.entry.format === 'onnx' ? 'onnxruntime-web, wasm' : `TF.js, ${variant.backend}`;
  }

  function setStatus(text, { isError = false } = {}) {
    byId('status').textContent = text;
    byId('status').classList.toggle('error', isError);
  }

  // ---- drawing -------------------------------------------------------------------------------

  function resizePad() {
    const scale = Math.min(Math.max(root.devicePixelRatio || 1, 1), 2);
    pad.width = pad.height = Math.round(PAD_SIZE * scale);
    padContext.setTransform(pad.width / PAD_SIZE, 0, 0, pad.height / PAD_SIZE, 0, 0);
    redrawPad();
  }

  function tracePath(stroke) {
    const points = stroke.points;
    padContext.lineWidth = stroke.width;
    padContext.beginPath();
    padContext.moveTo(points[0].x, points[0].y);
    if (points.length === 1) {
      padContext.lineTo(points[0].x + 0.01, points[0].y); // a dot: round caps make it a disc
    }
    for (let index = 1; index < points.length - 1; index += 1) {
      const middleX = (points[index].x + points[index + 1].x) / 2;
      const middleY = (points[index].y + points[index + 1].y) / 2;
      padContext.quadraticCurveTo(points[index].x, points[index].y, middleX, middleY);
    }
    if (points.length > 1) padContext.lineTo(points[points.length - 1].x, points[points.length - 1].y);
    padContext.stroke();
  }

  function redrawPad() {
    padContext.fillStyle = '#000';
    padContext.fillRect(0, 0, PAD_SIZE, PAD_SIZE);
    padContext.strokeStyle = '#fff';
    padContext.lineCap = 'round';
    padContext.lineJoin = 'round';
    for (const stroke of strokes) tracePath(stroke);
    byId('pad-hint').hidden = strokes.length > 0;
    byId('undo').disabled = strokes.length === 0;
    byId('clear').disabled = strokes.length === 0;
  }

  function padPoint(event) {
    const rect = pad.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) / rect.width) * PAD_SIZE,
      y: ((event.clientY - rect.top) / rect.height) * PAD_SIZE,
    };
  }

  function startStroke(event) {
    if (event.button !== undefined && event.button > 0) return;
    event.preventDefault();
    pad.setPointerCapture(event.pointerId);
    activeStroke = { width: Number(byId('stroke-width').value), points: [padPoint(event)] };
    strokes.push(activeStroke);
    redrawPad();
  }

  function extendStroke(event) {
    if (!activeStroke) return;
    event.preventDefault();
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const each of events.length ? events : [event]) activeStroke.points.push(padPoint(each));
    redrawPad();
    if (performance.now() - lastLiveAt > LIVE_INTERVAL_MS) {
      lastLiveAt = performance.now();
      predictDrawing();
    }
  }

  function finishStroke(event) {
    if (!activeStroke) return;
    event.preventDefault();
    activeStroke = null;
    predictDrawing();
  }

  function undoStroke() {
    strokes.pop();
    redrawPad();
    predictDrawing();
  }

  function clearPad() {
    strokes.length = 0;
    redrawPad();
    predictDrawing();
  }

  // ---- recognition ---------------------------------------------------------------------------

  /** Preprocess the pad: Float32Array(784) in [0, 1], or null when nothing is drawn. */
  function readPixels() {
    if (strokes.length === 0) return null;
    return root.MnistPreprocess.fromImageData(padContext.getImageData(0, 0, pad.width, pad.height));
  }

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
        lastPixels = readPixels();
        showModelInput(lastPixels);
        if (!lastPixels) showEmpty();
        else if (current) showPrediction(await current.predict(lastPixels), current);
      } while (pending);
      if (!byId('compare-table').hidden) await compareVariants();
    } catch (error) {
      setStatus(`Prediction failed: ${error.message}`, { isError: true });
      console.error(error);
    } finally {
      busy = false;
    }
  }

  function createBars() {
    const list = byId('probabilities');
    for (let digit = 0; digit < 10; digit += 1) {
      const item = document.createElement('li');
      item.dataset.digit = String(digit);
      item.dataset.p = '0';
      item.innerHTML = `<span class="bar-label">${digit}</span><span class="bar-track"><span class="bar"></span>` +
        '</span><span class="bar-value">–</span>';
      list.appendChild(item);
    }
  }

  function showBars(probabilities) {
    for (const item of byId('probabilities').children) {
      const p = probabilities ? probabilities[Number(item.dataset.digit)] : 0;
      item.dataset.p = p.toFixed(6);
      item.querySelector('.bar').style.width = `${(p * 100).toFixed(1)}%`;
      item.querySelector('.bar-value').textContent = probabilities ? `${(p * 100).toFixed(1)}%` : '–';
      item.classList.remove('top');
    }
  }

  function showEmpty() {
    const prediction = byId('prediction');
    prediction.dataset.digit = '';
    prediction.textContent = 'draw a digit';
    prediction.classList.add('empty');
    byId('confidence').textContent = '–';
    byId('low-confidence').hidden = true;
    showBars(null);
  }

  function showPrediction({ probabilities, ms }, variant) {
    const digit = probabilities.indexOf(Math.max(...probabilities));
    const prediction = byId('prediction');
    prediction.dataset.digit = String(digit);
    prediction.textContent = String(digit);
    prediction.classList.remove('empty');
    byId('confidence').textContent = `${(probabilities[digit] * 100).toFixed(1)}%`;
    byId('low-confidence').hidden = probabilities[digit] >= LOW_CONFIDENCE;
    byId('inference-time').textContent = `${ms.toFixed(2)} ms (${runtimeName(variant)})`;
    showBars(probabilities);
    byId('probabilities').children[digit].classList.add('top');
  }

  /** Paint the 28x28 model input (Float32Array(784) or null) onto `canvas#model-input`. */
  function showModelInput(pixels) {
    const canvas = byId('model-input');
    const context = canvas.getContext('2d');
    const image = context.createImageData(IMAGE_SIZE, IMAGE_SIZE);
    for (let index = 0; index < IMAGE_SIZE * IMAGE_SIZE; index += 1) {
      const value = pixels ? Math.round(pixels[index] * 255) : 0;
      image.data.set([value, value, value, 255], index * 4);
    }
    context.putImageData(image, 0, 0);
  }

  // ---- variants ------------------------------------------------------------------------------

  function loadRuntime(entry, backend) {
    const key = `${entry.id}@${entry.format === 'tfjs' ? backend : 'wasm'}`;
    if (!runtimes.has(key)) {
      const loading = root.MnistRuntimes.loadVariant(entry, { loadScript, backend });
      loading.catch(() => runtimes.delete(key));
      runtimes.set(key, loading);
    }
    return runtimes.get(key);
  }

  async function selectVariant() {
    const entry = manifest.models.find((each) => each.id === byId('variant').value);
    const backend = byId('backend').value;
    byId('backend').disabled = entry.format !== 'tfjs';
    document.body.dataset.ready = 'false';
    current = null;
    setStatus(`Loading ${describeVariant(entry)}…`);
    const start = performance.now();
    try {
      const loaded = await loadRuntime(entry, backend);
      if (byId('variant').value !== entry.id || byId('backend').value !== backend) return; // superseded
      current = loaded;
      const seconds = ((performance.now() - start) / 1000).toFixed(2);
      setStatus(`Ready: ${describeVariant(entry)} on ${runtimeName(loaded)} (loaded in ${seconds} s).`);
      document.body.dataset.ready = 'true';
      if (root.MnistPage.readyAt === null) root.MnistPage.readyAt = performance.now();
      await predictDrawing();
    } catch (error) {
      if (entry.format === 'tfjs' && backend !== 'cpu') {
        setStatus(`TF.js ${backend} failed here (${error.message}); using plain JS.`);
        byId('backend').value = 'cpu';
        await selectVariant();
        return;
      }
      setStatus(`Could not load ${entry.id}: ${error.message}`, { isError: true });
      console.error(error);
    }
  }

  function fillVariantChoices(initialId) {
    const select = byId('variant');
    for (const model of [...new Set(manifest.models.map((entry) => entry.model))]) {
      const group = document.createElement('optgroup');
      group.label = model.toUpperCase();
      for (const entry of manifest.models.filter((each) => each.model === model)) {
        group.appendChild(new Option(describeVariant(entry), entry.id));
      }
      select.appendChild(group);
    }
    select.value = initialId;
  }

  /** The default variant: the CNN in TF.js fp32 (no 14 MB wasm to load), else the first listed. */
  function defaultVariantId() {
    const preferred = manifest.models.find((e) => e.model === 'cnn' && e.format === 'tfjs' && e.precision === 'fp32');
    return (preferred || manifest.models.find((e) => e.format === 'tfjs') || manifest.models[0]).id;
  }

  // ---- compare -------------------------------------------------------------------------------

  async function compareVariants() {
    const table = byId('compare-table');
    const body = table.querySelector('tbody');
    const pixels = lastPixels;
    const rows = [];
    for (const entry of manifest.models) {
      const variant = await loadRuntime(entry, byId('backend').value);
      let result = null;
      for (let run = 0; pixels && run < COMPARE_RUNS; run += 1) {
        const next = await variant.predict(pixels);
        if (!result || next.ms < result.ms) result = next; // the fastest run: first ones pay for warm-up
      }
      const digit = result ? result.probabilities.indexOf(Math.max(...result.probabilities)) : null;
      rows.push({ entry, result, digit });
    }
    const votes = new Map();
    for (const row of rows) votes.set(row.digit, (votes.get(row.digit) || 0) + 1);
    const majority = [...votes.entries()].sort((a, b) => b[1] - a[1])[0][0];
    body.replaceChildren(...rows.map((row) => compareRow(row, majority)));
    table.hidden = false;
  }

  function compareRow({ entry, result, digit }, majority) {
    const row = document.createElement('tr');
    const disagrees = result !== null && digit !== majority;
    row.dataset.variant = entry.id;
    row.dataset.digit = digit === null ? '' : String(digit);
    row.classList.toggle('disagree', disagrees);
    row.classList.toggle('selected', entry.id === byId('variant').value);
    const accuracy = entry.metrics && entry.metrics.test_accuracy;
    const cells = [
      `${entry.model.toUpperCase()} ${FORMAT_LABELS[entry.format] || entry.format} ${entry.precision}`,
      formatBytes(entry.bytes),
      typeof accuracy === 'number' ? `${(accuracy * 100).toFixed(2)}%` : '–',
      result ? `${digit}${disagrees ? ' ≠' : ''}` : '–',
      result ? result.probabilities[digit].toFixed(3) : '–',
      result ? `${result.ms.toFixed(2)} ms` : '–',
    ];
    for (const text of cells) row.insertCell().textContent = text;
    return row;
  }

  // ---- start ---------------------------------------------------------------------------------

  function bindControls() {
    pad.addEventListener('pointerdown', startStroke);
    pad.addEventListener('pointermove', extendStroke);
    pad.addEventListener('pointerup', finishStroke);
    pad.addEventListener('pointercancel', finishStroke);
    byId('undo').addEventListener('click', undoStroke);
    byId('clear').addEventListener('click', clearPad);
    byId('variant').addEventListener('change', selectVariant);
    byId('backend').addEventListener('change', selectVariant);
    byId('compare').addEventListener('click', () => compareVariants().catch((error) => {
      setStatus(`Compare failed: ${error.message}`, { isError: true });
      console.error(error);
    }));
    byId('stroke-width').addEventListener('input', (event) => {
      byId('stroke-width-value').textContent = `${event.target.value} px`;
    });
    document.addEventListener('keydown', (event) => {
      if (event.target.closest('select, input')) return;
      if ((event.ctrlKey || event.metaKey) && event.key === 'z') undoStroke();
      else if (event.key === 'Escape') clearPad();
      else return;
      event.preventDefault();
    });
    root.addEventListener('resize', resizePad);
  }

  function start() {
    if (!manifest || !root.MnistRuntimes || !root.MnistPreprocess) {
      setStatus('The page is not built: run `make setup` and `make web` (see README).', { isError: true });
      return;
    }
    const parameters = new URLSearchParams(root.location.search);
    const requested = parameters.get('variant');
    if (!root.MnistRuntimes.hasTfjsBackend('webgl')) byId('backend').querySelector('[value="webgl"]').remove();
    if (parameters.get('backend') && root.MnistRuntimes.hasTfjsBackend(parameters.get('backend'))) {
      byId('backend').value = parameters.get('backend');
    }
    createBars();
    fillVariantChoices(manifest.models.some((e) => e.id === requested) ? requested : defaultVariantId());
    bindControls();
    resizePad();
    showEmpty();
    selectVariant();
  }

  /** For tests and benchmarks: load any variant with this page's script loader. */
  root.MnistPage = {
    manifest,
    /** True when no prediction is running or queued (the DOM shows the latest drawing). */
    isIdle: () => !busy && !pending && !activeStroke,
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
