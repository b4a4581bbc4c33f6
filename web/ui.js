/**
 * The page's UI: the only file that touches the DOM. It keeps the strokes of `canvas#pad`, shows a
 * photo or the camera in the same frame, shows readings (the number, one 28×28 tile per digit,
 * boxes over the input, the selected digit's bars) and the comparison, and offers verb-named
 * functions to index.js (the app logic): `setStatus`, `showMessage`, `setReady`, `showReading`,
 * `showEmpty`, `showPhoto`, `showCamera`, `showPad`, `setPadCallbacks`, `setInputCallbacks`, …
 * Painting is MnistPaint (paint.js).
 *
 * Page contract (DESIGN.md): `#prediction[data-digit]` ("" when empty or when several digits),
 * `#number[data-value]`, `#probabilities` with ten children carrying `data-digit` / `data-p`,
 * `button#clear`, `button#undo`, `select#variant`, `input#photo`, `button#snap`,
 * `body[data-ready="true"]` once the selected variant is loaded and warm. Exposes `globalThis.MnistUi`.
 */
(function (root) {
  'use strict';

  const PAD_WIDTH = 560; // logical pad units (2:1, room for a number); strokes are stored in them
  const PAD_HEIGHT = 280;
  const TAP_DISTANCE = 3; // pad units: a pointer that moved less than this is a tap (selects a box)
  const { NUM_CLASSES } = root.MNIST_SPEC; // spec.js, generated from digits/constants.py
  const paint = root.MnistPaint;

  const byId = (id) => document.getElementById(id);
  const pad = byId('pad');
  const padContext = pad.getContext('2d', { willReadFrequently: true });
  const overlay = byId('pad-overlay');
  const readingContext = new OffscreenCanvas(PAD_WIDTH, PAD_HEIGHT).getContext('2d', { willReadFrequently: true });
  const photoView = byId('photo-view');
  const video = byId('camera-view');
  const strokes = []; // [{width, points: [{x, y}]}] in pad units
  let activeStroke = null;
  let padCallbacks = { onStroke: () => {}, onStrokeEnd: () => {} };
  const ignore = () => {};
  let inputCallbacks = { onPhoto: ignore, onCamera: ignore, onSnap: ignore, onDraw: ignore, onSelectDigit: ignore, onCameraClosed: ignore };
  let photo = null; // the bitmap shown in photo view
  let shown = { digits: [], selected: -1 }; // the reading drawn over the input, for hit tests and repaints

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

  /** One line about the input (a refused photo, the camera); '' hides it. */
  function showMessage(text) {
    byId('input-message').textContent = text.split('\n')[0];
    byId('input-message').hidden = !text;
  }

  function setReady(ready) {
    document.body.dataset.ready = ready ? 'true' : 'false';
  }

  // ---- views: the pad, a photo, the camera ---------------------------------------------------

  /** @return {'pad'|'photo'|'camera'} what the input frame shows */
  function currentView() {
    return byId('input-frame').dataset.view;
  }

  function setView(view) {
    const leaving = currentView();
    byId('input-frame').dataset.view = view;
    byId('input-frame').style.aspectRatio = view === 'camera' && video.videoWidth ? `${video.videoWidth} / ${video.videoHeight}` : '';
    for (const [id, name] of [['pad-view', 'pad'], ['photo-view', 'photo'], ['camera-box', 'camera']]) byId(id).hidden = view !== name;
    byId('mode-draw').setAttribute('aria-pressed', String(view === 'pad'));
    byId('camera').setAttribute('aria-pressed', String(view === 'camera'));
    byId('snap').hidden = view !== 'camera';
    byId('drawing-tools').hidden = view === 'camera';
    updateToolButtons();
    if (view !== 'camera') video.srcObject = null;
    if (leaving === 'camera' && view !== 'camera') inputCallbacks.onCameraClosed();
  }

  function showPad() {
    photo = null;
    setView('pad');
    redrawPad();
  }

  /** Show a photo (or a snapshot), fitted in the frame; its boxes come with showReading. */
  function showPhoto(bitmap) {
    photo = bitmap;
    shown = { digits: [], selected: -1 };
    setView('photo');
    paintInput();
  }

  /** Show the live camera with its guide box; resolves once it plays (then #snap is enabled). */
  async function showCamera(stream) {
    byId('snap').disabled = true;
    video.srcObject = stream;
    setView('camera');
    await video.play();
    if (!video.videoWidth) await new Promise((resolve) => video.addEventListener('loadedmetadata', resolve, { once: true }));
    if (video.srcObject !== stream) return; // left camera mode while it started
    setView('camera'); // again: the frame takes the camera's aspect ratio
    byId('snap').disabled = false;
  }

  function cameraVideo() {
    return video;
  }

  // ---- the pad -------------------------------------------------------------------------------

  /** Canvas pixels per CSS pixel of a canvas element (at least 1). */
  function pixelRatioOf(canvas) {
    return canvas.width / Math.max(1, canvas.getBoundingClientRect().width);
  }

  /** Size the canvas bitmaps to the screen (at most 2x) and redraw; strokes keep pad units. */
  function resizeCanvases() {
    const scale = Math.min(Math.max(root.devicePixelRatio || 1, 1), 2);
    for (const canvas of [pad, overlay]) [canvas.width, canvas.height] = [Math.round(PAD_WIDTH * scale), Math.round(PAD_HEIGHT * scale)];
    padContext.setTransform(pad.width / PAD_WIDTH, 0, 0, pad.height / PAD_HEIGHT, 0, 0);
    [photoView.width, photoView.height] = [pad.width, pad.height]; // the same 2:1 frame
    redrawPad();
    paintInput();
  }

  function redrawPad() {
    paint.paintStrokes(padContext, strokes, { width: PAD_WIDTH, height: PAD_HEIGHT });
    byId('pad-hint').hidden = strokes.length > 0;
    updateToolButtons();
  }

  /** Undo: a stroke on the pad. Clear: the pad, or the photo (back to the pad). */
  function updateToolButtons() {
    byId('undo').disabled = strokes.length === 0 || currentView() !== 'pad';
    byId('clear').disabled = strokes.length === 0 && currentView() === 'pad';
  }

  function padPoint(event) {
    const rect = pad.getBoundingClientRect();
    return { x: ((event.clientX - rect.left) / rect.width) * PAD_WIDTH, y: ((event.clientY - rect.top) / rect.height) * PAD_HEIGHT };
  }

  function startStroke(event) {
    if (event.button > 0) return; // mouse: left button only; touch and pen report 0
    event.preventDefault();
    pad.setPointerCapture(event.pointerId);
    showMessage(''); // a message about an earlier photo or the camera is old news once you draw
    activeStroke = { width: Number(byId('stroke-width').value), points: [padPoint(event)] };
    strokes.push(activeStroke);
    redrawPad(); // no live reading yet: this may be a tap on a digit's box
  }

  function extendStroke(event) {
    if (!activeStroke) return;
    event.preventDefault();
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const each of events.length ? events : [event]) activeStroke.points.push(padPoint(each));
    redrawPad();
    padCallbacks.onStroke();
  }

  /** The index of the shown digit whose box holds a point in the input's pixels, or -1. */
  function digitAt(x, y) {
    return shown.digits.findIndex(({ box: [x0, y0, x1, y1] }) => x >= x0 && x < x1 && y >= y0 && y < y1);
  }

  function finishStroke(event) {
    if (!activeStroke) return;
    event.preventDefault();
    const [first, ...rest] = activeStroke.points;
    const isTap = rest.every((point) => Math.hypot(point.x - first.x, point.y - first.y) < TAP_DISTANCE);
    const tapped = isTap ? digitAt(first.x, first.y) : -1; // boxes are in pad units
    activeStroke = null;
    if (tapped >= 0) {
      strokes.pop(); // a tap on a digit selects it; it draws nothing
      redrawPad();
      inputCallbacks.onSelectDigit(tapped);
      return;
    }
    padCallbacks.onStrokeEnd();
  }

  function undoStroke() {
    strokes.pop();
    showPad();
    padCallbacks.onStrokeEnd();
  }

  function clearPad() {
    strokes.length = 0;
    showPad();
    padCallbacks.onStrokeEnd();
  }

  /**
   * The drawing as the image path reads it: the strokes painted at one pixel per pad unit, whatever
   * the screen's pixel ratio, so the same strokes give the same pixels (and reading) everywhere.
   * @return {ImageData|null} RGBA [PAD_HEIGHT, PAD_WIDTH, 4], or null when nothing is drawn
   */
  function readPadImage() {
    if (!strokes.length) return null;
    paint.paintStrokes(readingContext, strokes, { width: PAD_WIDTH, height: PAD_HEIGHT });
    return readingContext.getImageData(0, 0, PAD_WIDTH, PAD_HEIGHT);
  }

  function isDrawing() {
    return activeStroke !== null;
  }

  // ---- results -------------------------------------------------------------------------------

  /** Boxes over the pad (on its overlay) or over the photo (repainted with it). */
  function paintInput() {
    const overlayContext = overlay.getContext('2d');
    overlayContext.clearRect(0, 0, overlay.width, overlay.height);
    if (currentView() === 'photo' && photo) {
      const mapping = paint.paintPhoto(photoView.getContext('2d'), photo);
      paint.paintBoxes(photoView.getContext('2d'), shown.digits, { ...mapping, pixelRatio: pixelRatioOf(photoView), selected: shown.selected });
      shown.mapping = mapping;
    } else if (currentView() === 'pad') {
      const scale = overlay.width / PAD_WIDTH; // pad units → overlay pixels
      paint.paintBoxes(overlayContext, shown.digits, { scale, pixelRatio: pixelRatioOf(overlay), selected: shown.selected });
    }
  }

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

  /** Nothing to read: no guess, ask for a digit. */
  function showEmpty() {
    const prediction = byId('prediction');
    prediction.dataset.digit = '';
    prediction.textContent = currentView() === 'photo' ? 'no digit found' : 'draw a digit';
    prediction.classList.add('empty');
    prediction.classList.remove('several');
    byId('number').dataset.value = '';
    byId('number').textContent = '–';
    byId('confidence').textContent = '–';
    byId('low-confidence').hidden = true;
    byId('selected-digit').hidden = true;
    byId('digit-tiles').replaceChildren();
    byId('digit-tiles').hidden = true;
    shown = { digits: [], selected: -1 };
    showBars(null);
    showModelInput(null);
    paintInput();
  }

  /**
   * One digit's probabilities: the bars, and the prediction when the input holds this digit only.
   * @param {Float32Array} probabilities 10 values @param {number} ms inference time
   * @param {string} runtimeLabel e.g. "TF.js, wasm"
   */
  function showPrediction(probabilities, ms, runtimeLabel) {
    const digit = probabilities.indexOf(Math.max(...probabilities));
    const prediction = byId('prediction');
    prediction.dataset.digit = String(digit);
    prediction.textContent = String(digit);
    prediction.classList.remove('empty', 'several');
    byId('confidence').textContent = `${(probabilities[digit] * 100).toFixed(1)}%`;
    byId('low-confidence').textContent = 'Low confidence: try a bigger, clearer digit.';
    byId('low-confidence').hidden = probabilities[digit] >= root.MnistReading.LOW_CONFIDENCE;
    byId('inference-time').textContent = `${ms.toFixed(2)} ms (${runtimeLabel})`;
    showBars(probabilities);
    byId('probabilities').children[digit].classList.add('top');
  }

  /** One button per digit: its 28×28 input, the digit and its confidence; click selects it. */
  function showTiles(digits, selected) {
    byId('digit-tiles').replaceChildren(...digits.map(({ digit, probability, pixels, box, low }, index) => {
      const item = document.createElement('li');
      Object.assign(item.dataset, { index: String(index), digit: String(digit), p: probability.toFixed(6), box: box.join(','), low: String(low) });
      const button = document.createElement('button');
      button.type = 'button';
      button.setAttribute('aria-pressed', String(index === selected));
      button.title = `Show digit ${index + 1}'s probabilities`;
      const canvas = Object.assign(document.createElement('canvas'), { width: 28, height: 28 });
      paint.paintPixels(canvas.getContext('2d'), pixels);
      const label = document.createElement('span');
      label.textContent = `${digit}${low ? '?' : ''} ${Math.round(probability * 100)}%`;
      button.append(canvas, label);
      button.addEventListener('click', () => inputCallbacks.onSelectDigit(index));
      item.appendChild(button);
      return item;
    }));
    byId('digit-tiles').hidden = digits.length < 2;
  }

  /**
   * A reading (MnistReading.readImage) of the pad or of the photo.
   * @param {{number: string, digits: Array, probability: number, leastConfident: number}} reading
   * @param {{selected: number, ms: number, runtimeLabel: string}} options selected: the digit whose bars show
   */
  function showReading(reading, { selected, ms, runtimeLabel }) {
    const { digits } = reading;
    if (!digits.length) return showEmpty();
    const chosen = digits[selected];
    showPrediction(chosen.probabilities, ms, runtimeLabel);
    showModelInput(chosen.pixels);
    showTiles(digits, selected);
    byId('number').dataset.value = reading.number;
    byId('number').textContent = digits.length > 1 ? `${reading.number} (${digits.length} digits)` : reading.number;
    const unsure = digits.map((each, index) => (each.low ? index + 1 : 0)).filter(Boolean);
    byId('low-confidence').hidden = unsure.length === 0;
    if (digits.length > 1) {
      const prediction = byId('prediction');
      prediction.dataset.digit = ''; // several digits: not one digit
      prediction.textContent = reading.number;
      prediction.classList.add('several');
      byId('confidence').textContent = `${(reading.probability * 100).toFixed(1)}% for all ${digits.length} digits together`;
      byId('low-confidence').textContent = `Unsure of digit ${unsure.join(', ')} (marked ?): write it bigger or clearer.`;
      const why = selected === reading.leastConfident ? 'the least confident' : 'chosen';
      byId('selected-digit').textContent = `Bars and 28×28 view: digit ${selected + 1} of ${digits.length} ` +
        `(“${chosen.digit}”, ${why}). Click a digit or its box to see another.`;
    }
    byId('selected-digit').hidden = digits.length < 2;
    shown = { digits, selected };
    paintInput();
  }

  /** Paint the 28x28 model input (Float32Array(784) in [0, 1], or null) onto `canvas#model-input`. */
  function showModelInput(pixels) {
    paint.paintPixels(byId('model-input').getContext('2d'), pixels);
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

  const selectedVariantId = () => byId('variant').value;
  const selectedBackend = () => byId('backend').value;
  const setBackend = (backend) => { byId('backend').value = backend; };
  const setBackendEnabled = (enabled) => { byId('backend').disabled = !enabled; };

  /** Offer only the TF.js backends this browser has; pick `preferred` when offered. */
  function setBackendChoices(available, preferred) {
    for (const option of [...byId('backend').options]) if (!available.includes(option.value)) option.remove();
    if (available.includes(preferred)) byId('backend').value = preferred;
  }

  function setPadCallbacks(callbacks) {
    padCallbacks = { ...padCallbacks, ...callbacks };
  }

  /**
   * @param {{onPhoto?: function(File), onCamera?: function, onSnap?: function, onDraw?: function,
   *   onSelectDigit?: function(number), onCameraClosed?: function}} callbacks onCameraClosed: the camera view was left
   */
  function setInputCallbacks(callbacks) {
    inputCallbacks = { ...inputCallbacks, ...callbacks };
  }

  /** @param {{onVariant: function, onBackend: function, onCompare: function}} callbacks */
  function setControlCallbacks({ onVariant, onBackend, onCompare }) {
    byId('variant').addEventListener('change', onVariant);
    byId('backend').addEventListener('change', onBackend);
    byId('compare').addEventListener('click', onCompare);
  }

  /** The first file of a drop or a paste, or null (text, a link). */
  function firstFile(transfer) {
    return (transfer && transfer.files && transfer.files[0]) || null;
  }

  /** input#photo, drag-and-drop onto the page, Ctrl+V, the camera buttons, clicks on photo boxes. */
  function bindInputs() {
    const frame = byId('input-frame');
    byId('photo').addEventListener('change', (event) => {
      const file = event.target.files[0];
      event.target.value = ''; // choosing the same file again reads it again
      if (file) inputCallbacks.onPhoto(file);
    });
    document.addEventListener('dragover', (event) => {
      event.preventDefault(); // allow the drop (else the browser navigates to the file)
      frame.classList.add('dropping');
    });
    document.addEventListener('dragleave', (event) => event.relatedTarget === null && frame.classList.remove('dropping'));
    document.addEventListener('drop', (event) => {
      event.preventDefault();
      frame.classList.remove('dropping');
      const file = firstFile(event.dataTransfer);
      if (file) inputCallbacks.onPhoto(file);
      else showMessage('Drop an image file: a link or text cannot be read offline.');
    });
    document.addEventListener('paste', (event) => {
      const file = firstFile(event.clipboardData);
      if (!file) return; // pasted text is none of our business
      event.preventDefault();
      inputCallbacks.onPhoto(file);
    });
    byId('mode-draw').addEventListener('click', () => inputCallbacks.onDraw());
    byId('camera').addEventListener('click', () => inputCallbacks.onCamera());
    byId('snap').addEventListener('click', () => inputCallbacks.onSnap());
    photoView.addEventListener('click', (event) => {
      const rect = photoView.getBoundingClientRect();
      const ratio = pixelRatioOf(photoView);
      const { scale, offsetX, offsetY } = shown.mapping || { scale: 1, offsetX: 0, offsetY: 0 };
      const index = digitAt(((event.clientX - rect.left) * ratio - offsetX) / scale, ((event.clientY - rect.top) * ratio - offsetY) / scale);
      if (index >= 0) inputCallbacks.onSelectDigit(index);
    });
  }

  /** The camera's guide box, where camera.js crops the snapshot (one definition: MnistCamera.GUIDE). */
  function placeCameraGuide() {
    const { left, top, width, height } = root.MnistCamera.GUIDE;
    const percent = (fraction) => `${fraction * 100}%`;
    Object.assign(byId('camera-guide').style, { left: percent(left), top: percent(top), width: percent(width), height: percent(height) });
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
    root.addEventListener('resize', resizeCanvases);
    createBars();
    setView('pad');
    resizeCanvases();
    placeCameraGuide();
    bindInputs();
    showEmpty();
  }

  root.MnistUi = {
    loadScript, setStatus, showMessage, setReady, bindPad, readPadImage, isDrawing, currentView, showPad,
    showPhoto, showCamera, cameraVideo, showEmpty, showPrediction, showReading, showModelInput,
    showComparison, isComparisonShown, fillVariantChoices, selectedVariantId, selectedBackend,
    setBackendChoices, setBackend, setBackendEnabled, setPadCallbacks, setInputCallbacks, setControlCallbacks,
  };
})(globalThis);
