/**
 * The page's logic: read the manifest, load the chosen variant, read the input (the drawing, live
 * while drawing and on every finished stroke; a photo; a camera snapshot) digit by digit with
 * your personal examples applied, compare every variant (`MnistVariants`, variants.js). No DOM
 * here: it goes through `MnistUi` (ui.js: results, teaching, controls) and `MnistInputUi` (ui_input.js: the pad, photos, the camera);
 * reading is `MnistReading` (reading.js: the image path `MnistPreprocess.findDigits`, then one
 * batched model call, then your examples), teaching `MnistTeaching` (teaching.js, over teach.js),
 * photos `MnistPhoto` (photo.js), the camera `MnistCamera` (camera.js), inference `MnistRuntimes`
 * (runtimes.js), the manifest `MNIST_MANIFEST` (models/embedded/manifest.js).
 *
 * URL parameters: `?variant=<manifest id>&backend=wasm|cpu|webgl`. Tests and benchmarks use
 * `globalThis.MnistPage` (the end of this file).
 */
(function (root) {
  'use strict';

  const LIVE_INTERVAL_MS = 120; // live recognition while drawing, at most this often
  const DEFAULT_BACKEND = 'wasm'; // TF.js: XNNPACK kernels, ~20x faster than plain JS for the CNN

  const ui = root.MnistUi;
  const inputUi = root.MnistInputUi;
  const { describeVariant, runtimeName, defaultVariantId, compareRows } = root.MnistVariants;
  const manifest = root.MNIST_MANIFEST;
  const runtimes = new Map(); // `${id}@${backend}` -> Promise of a loaded variant
  let current = null; // the loaded variant the page predicts with
  let reading = null; // the last MnistReading of the input, or null when blank
  let selectedIndex = null; // the digit whose bars show, chosen by a click; null: the least confident
  let lastPixels = null; // the selected digit's 28x28 input, Float32Array(784), or null when blank
  let photo = null; // the photo or snapshot's pixels (ImageData) while the photo view shows
  let cameraStream = null; // the open camera's MediaStream, or null
  let decoding = 0; // photos or snapshots being decoded, camera starts in flight
  let busy = false;
  let pending = false;
  let lastLiveAt = 0;
  let teaching = null; // MnistTeaching.create(...), made at start

  // ---- recognition ---------------------------------------------------------------------------

  /** The pixels to read: the pad's, or the photo's / snapshot's; null when there is nothing. */
  function currentImage() {
    const view = inputUi.currentView();
    if (view === 'photo') return photo;
    return view === 'pad' ? inputUi.readPadImage() : null;
  }

  /** Show the last reading, its selected digit in the bars (by default the least confident one). */
  function showReading() {
    if (!reading || !reading.digits.length) {
      lastPixels = null;
      teaching.setTarget(null, -1);
      ui.showEmpty();
      return;
    }
    const selected = selectedIndex !== null && selectedIndex < reading.digits.length ? selectedIndex : reading.leastConfident;
    lastPixels = reading.digits[selected].pixels;
    teaching.setTarget(reading, selected);
    ui.showReading(reading, { selected, ms: reading.ms.model + reading.ms.adapt, runtimeLabel: runtimeName(current) });
  }

  /** Read the input now; if a reading is running, read once more when it ends. */
  async function readInput() {
    if (busy) {
      pending = true;
      return;
    }
    busy = true;
    try {
      do {
        pending = false;
        const image = currentImage();
        if (!image || !current) {
          if (!image) [reading, lastPixels] = [null, null];
          if (!image && inputUi.currentView() !== 'camera') showReading();
          continue;
        }
        const previousCount = reading ? reading.digits.length : 0;
        const drawing = inputUi.currentView() === 'pad'; // clean ink: the image path skips the photo cleaning
        reading = await root.MnistReading.readImage(image, current, { adapt: teaching.adapt, drawing });
        if (reading.digits.length !== previousCount) selectedIndex = null; // another number: default again
        showReading();
      } while (pending);
      if (ui.isComparisonShown() && !inputUi.isDrawing()) await compareVariants();
    } catch (error) {
      inputUi.showMessage(`Could not read this ${inputUi.currentView() === 'pad' ? 'drawing' : 'picture'}: ${error.message}`);
      console.error(error);
    } finally {
      busy = false;
    }
  }

  function readWhileDrawing() {
    if (performance.now() - lastLiveAt < LIVE_INTERVAL_MS) return;
    lastLiveAt = performance.now();
    readInput();
  }

  function selectDigit(index) {
    selectedIndex = index;
    showReading();
  }

  // ---- photos and the camera -----------------------------------------------------------------

  /** Show a decoded photo or snapshot and read it. @param {{bitmap: ImageBitmap, imageData: ImageData}} picture */
  async function readPicture(picture) {
    photo = picture.imageData;
    selectedIndex = null;
    reading = null;
    inputUi.showPhoto(picture.bitmap);
    await readInput();
  }

  /** A chosen, dropped or pasted file: refused with one line, or shown and read. */
  async function openPhoto(file) {
    decoding += 1;
    inputUi.showMessage('');
    try {
      const picture = await root.MnistPhoto.decodePhoto(file);
      stopCamera();
      await readPicture(picture);
    } catch (error) {
      inputUi.showMessage(error.message); // the page keeps what it showed
    } finally {
      decoding -= 1;
      root.MnistPage.inputs += 1;
    }
  }

  async function openCamera() {
    decoding += 1;
    inputUi.showMessage('');
    try {
      stopCamera();
      cameraStream = await root.MnistCamera.openCamera();
      await inputUi.showCamera(cameraStream);
    } catch (error) {
      stopCamera();
      inputUi.showMessage(error.message);
      if (inputUi.currentView() === 'camera') inputUi.showPad();
    } finally {
      decoding -= 1;
      root.MnistPage.inputs += 1;
    }
  }

  /** The guide box of the current frame goes through the image path; the camera stops. */
  async function takeSnapshot() {
    decoding += 1;
    try {
      const picture = await root.MnistCamera.grabFrame(inputUi.cameraVideo());
      stopCamera();
      await readPicture(picture);
    } catch (error) {
      inputUi.showMessage(error.message);
    } finally {
      decoding -= 1;
      root.MnistPage.inputs += 1;
    }
  }

  function stopCamera() {
    root.MnistCamera.stopCamera(cameraStream);
    cameraStream = null;
  }

  function backToDrawing() {
    inputUi.showPad(); // leaving the camera view stops the camera (onCameraClosed)
    readInput();
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
      await teaching.useVariant(loaded); // your examples of this model, before the first reading
      if (ui.selectedVariantId() !== entry.id || ui.selectedBackend() !== backend) return;
      current = loaded;
      const seconds = ((performance.now() - start) / 1000).toFixed(2);
      ui.setStatus(`Ready: ${describeVariant(entry)} on ${runtimeName(loaded)} (loaded in ${seconds} s).`);
      ui.setReady(true);
      if (root.MnistPage.readyAt === null) root.MnistPage.readyAt = performance.now();
      await readInput();
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

  // ---- compare -------------------------------------------------------------------------------

  /** Run the selected digit's 28x28 input through every variant and show the table. */
  async function compareVariants() {
    const backend = ui.selectedBackend();
    const loadEach = (entry) => loadRuntime(entry, backend);
    const options = { loadRuntime: loadEach, pixels: lastPixels, selectedId: ui.selectedVariantId() };
    ui.showComparison(await compareRows(manifest.models, options));
  }

  // ---- start ---------------------------------------------------------------------------------

  function reportError(prefix) {
    return (error) => {
      ui.setStatus(`${prefix}: ${error.message}`, { isError: true });
      console.error(error);
    };
  }

  function start() {
    if (!manifest || !root.MnistRuntimes || !root.MnistPreprocess || !root.MnistPreprocess.findDigits) {
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
      manifest.models.some((e) => e.id === requested) ? requested : defaultVariantId(manifest)
    );
    ui.bind();
    inputUi.bind();
    teaching = root.MnistTeaching.create({ ui, manifest, loadScript: ui.loadScript, onChange: readInput });
    ui.setResultCallbacks({ onSelectDigit: selectDigit });
    inputUi.setPadCallbacks({ onStroke: readWhileDrawing, onStrokeEnd: readInput });
    inputUi.setInputCallbacks({
      onPhoto: openPhoto,
      onCamera: openCamera,
      onSnap: takeSnapshot,
      onDraw: backToDrawing,
      onSelectDigit: selectDigit,
      onCameraClosed: stopCamera,
    });
    root.addEventListener('pagehide', stopCamera);
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
    isIdle: () => !busy && !pending && decoding === 0 && !inputUi.isDrawing(),
    /** How many photos, snapshots and camera starts have been handled (read or refused). */
    inputs: 0,
    /** The last reading shown (MnistReading.readImage), or null. */
    lastReading: () => reading,
    /** The page's teaching (MnistTeaching): `teacher()`, `timings.teachMs` of the last teach. */
    teaching: () => teaching,
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
