/**
 * The page's results UI, one of its two DOM files (ui_input.js has the pad, the photo and the
 * camera): the status line, the reading (the number, one 28×28 tile per digit, the selected
 * digit's bars, what an example of yours changed), the teach panel, the comparison and the model
 * controls. Offers index.js verb-named functions: `setStatus`, `setReady`, `showReading`,
 * `showEmpty`, `showTeaching`, `showTeachMessage`, `downloadText`, `showComparison`, …
 *
 * Page contract (DESIGN.md, issue 11): `#prediction[data-digit]` ("" when empty or when several
 * digits), `#number[data-value]`, `#probabilities` with ten children carrying `data-digit` /
 * `data-p`, `select#variant`, `body[data-ready="true"]` once the selected variant is loaded and
 * warm; ten `button[data-teach="0"…"9"]` ("That's a …", each with `data-count`), `button#forget`,
 * `button#export-examples`, `input#import-examples`. Exposes `globalThis.MnistUi`.
 */
(function (root) {
  'use strict';

  const { NUM_CLASSES } = root.MNIST_SPEC; // spec.js, generated from digits/constants.py
  const paint = root.MnistPaint;
  const input = root.MnistInputUi; // ui_input.js: the boxes over the input, which view shows
  const byId = (id) => document.getElementById(id);
  const ignore = () => {};
  let callbacks = { onSelectDigit: ignore, onTeach: ignore, onForget: ignore, onExport: ignore, onImport: ignore };

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

  /** Nothing to read: no guess, ask for a digit. */
  function showEmpty() {
    const prediction = byId('prediction');
    prediction.dataset.digit = '';
    prediction.textContent = input.currentView() === 'photo' ? 'no digit found' : 'draw a digit';
    prediction.classList.add('empty');
    prediction.classList.remove('several');
    byId('number').dataset.value = '';
    byId('number').textContent = '–';
    byId('confidence').textContent = '–';
    for (const id of ['low-confidence', 'selected-digit', 'taught', 'digit-tiles']) byId(id).hidden = true;
    byId('digit-tiles').replaceChildren();
    showBars(null);
    showModelInput(null);
    input.showBoxes([], -1);
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
    byId('digit-tiles').replaceChildren(...digits.map(({ digit, probability, pixels, box, low, taught }, index) => {
      const item = document.createElement('li');
      Object.assign(item.dataset, { index: String(index), digit: String(digit), p: probability.toFixed(6), box: box.join(','), low: String(low), taught: String(Boolean(taught)) });
      const button = document.createElement('button');
      button.type = 'button';
      button.setAttribute('aria-pressed', String(index === selected));
      button.title = `Show digit ${index + 1}'s probabilities`;
      const canvas = Object.assign(document.createElement('canvas'), { width: 28, height: 28 });
      paint.paintPixels(canvas.getContext('2d'), pixels);
      const label = document.createElement('span');
      label.textContent = `${digit}${low ? '?' : ''}${taught ? '*' : ''} ${Math.round(probability * 100)}%`;
      button.append(canvas, label);
      button.addEventListener('click', () => callbacks.onSelectDigit(index));
      item.appendChild(button);
      return item;
    }));
    byId('digit-tiles').hidden = digits.length < 2;
  }

  /** Say which digits your examples changed: "7 → 1 by your example" (numbered with several). */
  function showTaught(digits) {
    const changed = digits.map((each, index) => ({ ...each, index })).filter((each) => each.taught);
    const note = byId('taught');
    note.hidden = changed.length === 0;
    if (!changed.length) return;
    const change = ({ modelDigit, digit }) => `${modelDigit} → ${digit}`;
    note.textContent = digits.length === 1
      ? `${change(changed[0])} by your example`
      : `${changed.map((each) => `digit ${each.index + 1}: ${change(each)}`).join(', ')} by your example${changed.length > 1 ? 's' : ''}`;
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
    showTaught(digits);
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
    input.showBoxes(digits, selected);
  }

  /** Paint the 28x28 model input (Float32Array(784) in [0, 1], or null) onto `canvas#model-input`. */
  function showModelInput(pixels) {
    paint.paintPixels(byId('model-input').getContext('2d'), pixels);
  }

  // ---- teaching ------------------------------------------------------------------------------

  function createTeachButtons() {
    byId('teach-buttons').replaceChildren(...Array.from({ length: NUM_CLASSES }, (_, digit) => {
      const button = Object.assign(document.createElement('button'), { type: 'button', disabled: true });
      Object.assign(button.dataset, { teach: String(digit), count: '0' });
      button.setAttribute('aria-label', `That's a ${digit}`);
      button.innerHTML = `<span class="teach-digit">${digit}</span><span class="teach-count" aria-hidden="true"></span>`;
      button.addEventListener('click', () => callbacks.onTeach(digit));
      return button;
    }));
  }

  /**
   * The teach panel's state.
   * @param {{available: boolean, reason: string, counts: number[], target: ({index: number, count: number}|null)}} state
   *   reason: why teaching is off (shown when not available); counts: examples per digit (10);
   *   target: the digit the buttons would teach (index of count read), null when nothing is read
   */
  function showTeaching({ available, reason, counts, target }) {
    byId('teach').dataset.available = String(available);
    byId('teach-unavailable').hidden = available;
    byId('teach-unavailable').textContent = available ? '' : reason;
    const what = target && target.count > 1 ? `digit ${target.index + 1} of ${target.count}` : 'it';
    byId('teach-title').textContent = `Read wrong? Tell it what ${what} is: that's a …`;
    for (const button of byId('teach-buttons').children) {
      const count = counts[Number(button.dataset.teach)];
      button.dataset.count = String(count);
      button.querySelector('.teach-count').textContent = count ? `×${count}` : '';
      button.disabled = !available || !target;
      button.title = `That's a ${button.dataset.teach}: keep ${what} as your example of ${button.dataset.teach}` +
        ` (${count} so far)`;
    }
    const total = counts.reduce((sum, count) => sum + count, 0);
    byId('teach-counts').textContent = total
      ? `Your examples: ${total} (${counts.map((count, digit) => (count ? `${digit}: ${count}` : '')).filter(Boolean).join(', ')}).`
      : 'No examples of yours yet.';
    byId('forget').disabled = !available || total === 0;
    byId('export-examples').disabled = !available || total === 0;
    byId('import-examples').disabled = !available;
  }

  /** One line about teaching (an import, a refused file, storage); '' hides it. */
  function showTeachMessage(text, { isError = false } = {}) {
    byId('teach-message').textContent = text.split('\n')[0];
    byId('teach-message').hidden = !text;
    byId('teach-message').classList.toggle('error', isError);
  }

  /** Offer `text` as a file download (a blob URL and `<a download>`: it works from file://). */
  function downloadText(text, fileName) {
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  /**
   * @param {{onSelectDigit?: function(number), onTeach?: function(number), onForget?: function,
   *   onExport?: function, onImport?: function(File)}} wanted onSelectDigit: a tile was clicked
   */
  function setResultCallbacks(wanted) {
    callbacks = { ...callbacks, ...wanted };
  }

  // ---- compare and controls ------------------------------------------------------------------

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

  /** @param {{onVariant: function, onBackend: function, onCompare: function}} callbacks */
  function setControlCallbacks({ onVariant, onBackend, onCompare }) {
    byId('variant').addEventListener('change', onVariant);
    byId('backend').addEventListener('change', onBackend);
    byId('compare').addEventListener('click', onCompare);
  }

  /** Build the bars and the teach buttons, wire the teach panel's controls, show an empty reading. */
  function bind() {
    createBars();
    createTeachButtons();
    byId('forget').addEventListener('click', () => callbacks.onForget());
    byId('export-examples').addEventListener('click', () => callbacks.onExport());
    byId('import-examples').addEventListener('change', (event) => {
      const file = event.target.files[0];
      event.target.value = ''; // the same file again is imported again
      if (file) callbacks.onImport(file);
    });
    showTeaching({ available: false, reason: 'Loading…', counts: new Array(NUM_CLASSES).fill(0), target: null });
    showEmpty();
  }

  root.MnistUi = {
    loadScript, setStatus, setReady, bind, showEmpty, showPrediction, showReading, showModelInput,
    showTeaching, showTeachMessage, downloadText, setResultCallbacks, showComparison, isComparisonShown,
    fillVariantChoices, selectedVariantId, selectedBackend, setBackendChoices, setBackend, setBackendEnabled,
    setControlCallbacks,
    // The input's view, pixels and video, also here: tests and benchmarks knew one UI object.
    currentView: input.currentView, readPadImage: input.readPadImage, cameraVideo: input.cameraVideo,
  };
})(globalThis);
