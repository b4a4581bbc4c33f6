/**
 * The page's input UI, one of its two DOM files (ui.js shows results, controls and teaching): the
 * strokes of `canvas#pad`, a photo or the live camera in the same frame, each digit's box drawn
 * over whichever is shown, and the input's own controls (undo, clear, stroke width, photo, drop,
 * paste, camera). Offers index.js verb-named functions: `showPad`, `showPhoto`, `showCamera`,
 * `showBoxes`, `showMessage`, `readPadImage`, `drawStrokes`, `setPadCallbacks`, `setInputCallbacks`, …
 * Painting is MnistPaint (paint.js).
 *
 * Page contract (DESIGN.md): `canvas#pad` (pointer events: mouse, touch, pen), `button#clear`,
 * `button#undo`, `input#photo`, `button#snap`. Exposes `globalThis.MnistInputUi`.
 */
(function (root) {
  'use strict';

  const PAD_WIDTH = 560; // logical pad units (2:1, room for a number); strokes are stored in them
  const PAD_HEIGHT = 280;
  const TAP_DISTANCE = 3; // pad units: a pointer that moved less than this is a tap (selects a box)
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
  const ignore = () => {};
  let padCallbacks = { onStroke: ignore, onStrokeEnd: ignore };
  let inputCallbacks = { onPhoto: ignore, onCamera: ignore, onSnap: ignore, onDraw: ignore, onSelectDigit: ignore, onCameraClosed: ignore };
  let photo = null; // the bitmap shown in photo view
  let shown = { digits: [], selected: -1 }; // the boxes drawn over the input, for hit tests and repaints

  /** One line about the input (a refused photo, the camera); '' hides it. */
  function showMessage(text) {
    byId('input-message').textContent = text.split('\n')[0];
    byId('input-message').hidden = !text;
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

  /** Show a photo (or a snapshot), fitted in the frame; its boxes come with showBoxes. */
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

  /** Replace the pad's strokes (e.g. undo, clear, a replayed drawing) and read the pad again. */
  function setStrokes(next) {
    strokes.splice(0, strokes.length, ...next);
    showPad();
    padCallbacks.onStrokeEnd();
  }

  /**
   * Draw strokes as if written, all at once: a recorded drawing, or a test's or benchmark's strokes.
   * @param {Array<{width: number, points: Array<{x: number, y: number}>}>} drawn in pad units (560 × 280)
   */
  function drawStrokes(drawn) {
    setStrokes(drawn.map(({ width, points }) => ({ width: Number(width), points: points.map(({ x, y }) => ({ x: Number(x), y: Number(y) })) })));
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

  // ---- boxes over the input ------------------------------------------------------------------

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

  /**
   * Each digit's box (in the input's pixels) and label over the pad or the photo; [] removes them.
   * @param {Array<{digit: number, probability: number, box: number[], low: boolean}>} digits @param {number} selected drawn thicker
   */
  function showBoxes(digits, selected) {
    shown = { digits, selected };
    paintInput();
  }

  // ---- bindings ------------------------------------------------------------------------------

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

  /** The first file of a drop or a paste, or null (text, a link). */
  function firstFile(transfer) {
    return (transfer && transfer.files && transfer.files[0]) || null;
  }

  /** input#photo, drag-and-drop onto the page, Ctrl+V, the camera buttons, clicks on photo boxes. */
  function bindSources() {
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

  /** Wire the pad, its tools and keys, the photo and camera sources; show the empty pad. */
  function bind() {
    pad.addEventListener('pointerdown', startStroke);
    pad.addEventListener('pointermove', extendStroke);
    pad.addEventListener('pointerup', finishStroke);
    pad.addEventListener('pointercancel', finishStroke);
    byId('undo').addEventListener('click', () => setStrokes(strokes.slice(0, -1)));
    byId('clear').addEventListener('click', () => setStrokes([]));
    byId('stroke-width').addEventListener('input', (event) => {
      byId('stroke-width-value').textContent = `${event.target.value} px`;
    });
    document.addEventListener('keydown', (event) => {
      if (event.target.closest('select, input')) return;
      if ((event.ctrlKey || event.metaKey) && event.key === 'z') setStrokes(strokes.slice(0, -1));
      else if (event.key === 'Escape') setStrokes([]);
      else return;
      event.preventDefault();
    });
    root.addEventListener('resize', resizeCanvases);
    setView('pad');
    resizeCanvases();
    placeCameraGuide();
    bindSources();
  }

  root.MnistInputUi = {
    PAD_WIDTH, PAD_HEIGHT, bind, showMessage, currentView, showPad, showPhoto, showCamera, cameraVideo,
    showBoxes, readPadImage, drawStrokes, isDrawing, setPadCallbacks, setInputCallbacks,
  };
})(globalThis);
