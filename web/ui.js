/**
 * The page's UI: the only file that touches the DOM. It draws strokes on `canvas#pad`, shows
 * predictions and the comparison, and offers verb-named functions to index.js (the app logic):
 * `setStatus`, `setReady`, `showPrediction`, `showEmpty`, `showModelInput`, `showComparison`,
 * `setPadCallbacks`, `setControlCallbacks`, `readPadImage`, `loadScript`, …
 *
 * Page contract (DESIGN.md): `#prediction[data-digit]` ("" when the pad is empty), `#probabilities`
 * with ten children carrying `data-digit` / `data-p`, `button#clear`, `button#undo`,
 * `select#variant`, `body[data-ready="true"]` once the selected variant is loaded and warm.
 * Exposes `globalThis.MnistUi`.
 */
(function (root) {
  'use strict';

  const PAD_SIZE = 280; // logical pad units; strokes are stored in them, whatever the screen size
  const { IMAGE_SIZE, NUM_CLASSES } = root.MNIST_SPEC; // spec.js, generated from digits/constants.py
  const LOW_CONFIDENCE = 0.7; // below this the page warns that the guess is shaky

  const byId = (id) => document.getElementById(id);
  const pad = byId('pad');
  const padContext = pad.getContext('2d', { willReadFrequently: true });
  const strokes = []; // [{width, points: [{x, y}]}] in pad units
  let activeStroke = null;
  let padCallbacks = { onStroke: () => {}, onStrokeEnd: () => {} };

  /** Add a classic script once; resolves when it has run (a file:// page allows nothing else). */
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

  function setStatus(text, { isError = false } = {}) {
    byId('status').textContent = text;
    byId('status').classList.toggle('error', isError);
  }

  function setReady(ready) {
    document.body.dataset.ready = ready ? 'true' : 'false';
  }

  // ---- the pad -------------------------------------------------------------------------------

  /** Size the canvas bitmap to the screen (at most 2x) and redraw; strokes keep pad units. */
  function resizePad() {
    const scale = Math.min(Math.max(root.devicePixelRatio || 1, 1), 2);
    pad.width = pad.height = Math.round(PAD_SIZE * scale);
    padContext.setTransform(pad.width / PAD_SIZE, 0, 0, pad.height / PAD_SIZE, 0, 0);
    redrawPad();
  }

  /** One smooth stroke: quadratic curves through the midpoints, round caps and joins. */
  function traceStroke(stroke) {
    const points = stroke.points;
    padContext.lineWidth = stroke.width;
    padContext.beginPath();
    padContext.moveTo(points[0].x, points[0].y);
    if (points.length === 1) padContext.lineTo(points[0].x + 0.01, points[0].y); // a dot
    for (let index = 1; index < points.length - 1; index += 1) {
      const middleX = (points[index].x + points[index + 1].x) / 2;
      const middleY = (points[index].y + points[index + 1].y) / 2;
      padContext.quadraticCurveTo(points[index].x, points[index].y, middleX, middleY);
    }
    if (points.length > 1) padContext.lineTo(points[points.length - 1].x, points[points.length - 1].y);
    padContext.stroke();
  }

  /** White ink on black, the MNIST convention. */
  function redrawPad() {
    padContext.fillStyle = '#000';
    padContext.fillRect(0, 0, PAD_SIZE, PAD_SIZE);
    padContext.strokeStyle = '#fff';
    padContext.lineCap = 'round';
    padContext.lineJoin = 'round';
    for (const stroke of strokes) traceStroke(stroke);
    byId('pad-hint').hidden = strokes.length > 0;
    byId('undo').disabled = strokes.length === 0;
    byId('clear').disabled = strokes.length === 0;
  }

  function padPoint(event) {
    const rect = pad.getBoundingClientRect();
    return { x: ((event.clientX - rect.left) / rect.width) * PAD_SIZE, y: ((event.clientY - rect.top) / rect.height) * PAD_SIZE };
  }

  function startStroke(event) {
    if (event.button > 0) return; // mouse: left button only; touch and pen report 0
    event.preventDefault();
    pad.setPointerCapture(event.pointerId);
    activeStroke = { width: Number(byId('stroke-width').value), points: [padPoint(event)] };
    strokes.push(activeStroke);
    redrawPad();
    padCallbacks.onStroke();
  }

  function extendStroke(event) {
    if (!activeStroke) return;
    event.preventDefault();
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const each of events.length ? events : [event]) activeStroke.points.push(padPoint(each));
    redrawPad();
    padCallbacks.onStroke();
  }

  function finishStroke(event) {
    if (!activeStroke) return;
    event.preventDefault();
    activeStroke = null;
    padCallbacks.onStrokeEnd();
  }

  function undoStroke() {
    strokes.pop();
    redrawPad();
    padCallbacks.onStrokeEnd();
  }

  function clearPad() {
    strokes.length = 0;
    redrawPad();
    padCallbacks.onStrokeEnd();
  }

  /** The pad's pixels (ImageData, RGBA), or null when nothing is drawn. */
  function readPadImage() {
    return strokes.length ? padContext.getImageData(0, 0, pad.width, pad.height) : null;
  }

  function isDrawing() {
    return activeStroke !== null;
  }

  // ---- results -------------------------------------------------------------------------------

  function createBars() {
    const list = byId('probabilities');
    for (let digit = 0; digit < NUM_CLASSES; digit += 1) {
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

  /** The pad is empty: no guess, ask for a digit. */
  function showEmpty() {
    const prediction = byId('prediction');
    prediction.dataset.digit = '';
    prediction.textContent = 'draw a digit';
    prediction.classList.add('empty');
    byId('confidence').textContent = '–';
    byId('low-confidence').hidden = true;
    showBars(null);
  }

  /**
   * @param {Float32Array} probabilities 10 values @param {number} ms inference time
   * @param {string} runtimeLabel e.g. "TF.js, wasm"
   */
  function showPrediction(probabilities, ms, runtimeLabel) {
    const digit = probabilities.indexOf(Math.max(...probabilities));
    const prediction = byId('prediction');
    prediction.dataset.digit = String(digit);
    prediction.textContent = String(digit);
    prediction.classList.remove('empty');
    byId('confidence').textContent = `${(probabilities[digit] * 100).toFixed(1)}%`;
    byId('low-confidence').hidden = probabilities[digit] >= LOW_CONFIDENCE;
    byId('inference-time').textContent = `${ms.toFixed(2)} ms (${runtimeLabel})`;
    showBars(probabilities);
    byId('probabilities').children[digit].classList.add('top');
  }

  /** Paint the 28x28 model input (Float32Array(784) in [0, 1], or null) onto `canvas#model-input`. */
  function showModelInput(pixels) {
    const context = byId('model-input').getContext('2d');
    const image = context.createImageData(IMAGE_SIZE, IMAGE_SIZE);
    for (let index = 0; index < IMAGE_SIZE * IMAGE_SIZE; index += 1) {
      const value = pixels ? Math.round(pixels[index] * 255) : 0;
      image.data.set([value, value, value, 255], index * 4);
    }
    context.putImageData(image, 0, 0);
  }

  /**
   * @param {Array<{id: string, cells: string[], digit: string, disagrees: boolean, selected: boolean}>} rows
   */
  function showComparison(rows) {
    const table = byId('compare-table');
    table.querySelector('tbody').replaceChildren(...rows.map((row) => {
      const element = document.createElement('tr');
      element.dataset.variant = row.id;
      element.dataset.digit = row.digit;
      element.classList.toggle('disagree', row.disagrees);
      element.classList.toggle('selected', row.selected);
      for (const text of row.cells) element.insertCell().textContent = text;
      return element;
    }));
    table.hidden = false;
  }

  function isComparisonShown() {
    return !byId('compare-table').hidden;
  }

  // ---- controls ------------------------------------------------------------------------------

  /** @param {Array<{group: string, options: Array<{value: string, label: string}>}>} groups */
  function fillVariantChoices(groups, selectedValue) {
    const select = byId('variant');
    for (const { group, options } of groups) {
      const element = document.createElement('optgroup');
      element.label = group;
      for (const { value, label } of options) element.appendChild(new Option(label, value));
      select.appendChild(element);
    }
    select.value = selectedValue;
  }

  function selectedVariantId() {
    return byId('variant').value;
  }

  function selectedBackend() {
    return byId('backend').value;
  }

  /** Offer only the TF.js backends this browser has; pick `preferred` when offered. */
  function setBackendChoices(available, preferred) {
    for (const option of [...byId('backend').options]) if (!available.includes(option.value)) option.remove();
    if (available.includes(preferred)) byId('backend').value = preferred;
  }

  function setBackend(backend) {
    byId('backend').value = backend;
  }

  function setBackendEnabled(enabled) {
    byId('backend').disabled = !enabled;
  }

  function setPadCallbacks(callbacks) {
    padCallbacks = { ...padCallbacks, ...callbacks };
  }

  /** @param {{onVariant: function, onBackend: function, onCompare: function}} callbacks */
  function setControlCallbacks({ onVariant, onBackend, onCompare }) {
    byId('variant').addEventListener('change', onVariant);
    byId('backend').addEventListener('change', onBackend);
    byId('compare').addEventListener('click', onCompare);
  }

  function bindPad() {
    pad.addEventListener('pointerdown', startStroke);
    pad.addEventListener('pointermove', extendStroke);
    pad.addEventListener('pointerup', finishStroke);
    pad.addEventListener('pointercancel', finishStroke);
    byId('undo').addEventListener('click', undoStroke);
    byId('clear').addEventListener('click', clearPad);
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
    createBars();
    resizePad();
    showEmpty();
  }

  root.MnistUi = {
    loadScript, setStatus, setReady, bindPad, readPadImage, isDrawing, showEmpty, showPrediction,
    showModelInput, showComparison, isComparisonShown, fillVariantChoices, selectedVariantId,
    selectedBackend, setBackendChoices, setBackend, setBackendEnabled, setPadCallbacks, setControlCallbacks,
  };
})(globalThis);
