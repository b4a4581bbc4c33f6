/**
 * The app's drawing pad: a Streamlit v2 component (no iframe; its styles live in a shadow root).
 *
 * The canvas holds data.width × data.height pixels (2:1: room for a number) and is shown at the
 * width of its column, never wider than that (CSS scales it; pointer positions are mapped back),
 * so nothing is ever clipped. White ink on opaque black; pointer events (mouse, touch, pen).
 * After every stroke, undo and clear it sends its state to Python as "drawing":
 *   {strokes: [{width, points: [[x, y], ...]}], png: "data:image/png;base64,…" | null, width, height}
 * Undo and Clear are buttons under the pad, so nothing covers the drawing surface (a hidden toolbar
 * over the pad's top-right corner swallowed strokes that started there).
 * data.boxes: [{box: [x0, y0, x1, y1], label, uncertain}] for the drawing of data.strokeCount
 * strokes: drawn on an overlay while the pad still holds exactly that drawing.
 */

/** @type {WeakMap<HTMLElement, object>} one pad per mounted component */
const pads = new WeakMap();

/** Map a pointer event to canvas pixels: [x, y]. */
function toCanvas(pad, event) {
  const rect = pad.ink.getBoundingClientRect();
  return [
    Math.round(((event.clientX - rect.left) * pad.ink.width * 10) / rect.width) / 10,
    Math.round(((event.clientY - rect.top) * pad.ink.height * 10) / rect.height) / 10,
  ];
}

/** Draw one stroke ({width, points}) in white with round ends (a single point is a dot). */
function paintStroke(context, stroke) {
  const [first, ...rest] = stroke.points;
  context.strokeStyle = context.fillStyle = "#ffffff";
  context.lineWidth = stroke.width;
  context.lineCap = context.lineJoin = "round";
  context.beginPath();
  context.arc(first[0], first[1], stroke.width / 2, 0, 2 * Math.PI);
  context.fill();
  if (rest.length) {
    context.beginPath();
    context.moveTo(first[0], first[1]);
    for (const [x, y] of rest) context.lineTo(x, y);
    context.stroke();
  }
}

/** Repaint the black background and every stroke. */
function repaint(pad) {
  pad.context.fillStyle = "#000000";
  pad.context.fillRect(0, 0, pad.ink.width, pad.ink.height);
  for (const stroke of pad.strokes) paintStroke(pad.context, stroke);
}

/** Draw the boxes Python found, if they belong to the drawing on the pad now; else clear them. */
function paintBoxes(pad) {
  const context = pad.overlay.getContext("2d");
  context.clearRect(0, 0, pad.overlay.width, pad.overlay.height);
  const boxes = pad.boxes;
  if (!boxes || pad.current || pad.boxesStrokeCount !== pad.strokes.length) return;
  context.font = "bold 16px sans-serif";
  context.lineWidth = 2;
  for (const { box, label, uncertain } of boxes) {
    const [x0, y0, x1, y1] = box;
    context.strokeStyle = context.fillStyle = uncertain ? "#ff9f1c" : "#2ec4b6";
    context.setLineDash(uncertain ? [6, 4] : []);
    context.strokeRect(x0 - 3, y0 - 3, x1 - x0 + 6, y1 - y0 + 6);
    context.fillText(label, Math.max(0, x0 - 3), y0 > 22 ? y0 - 7 : Math.min(pad.overlay.height - 4, y1 + 20));
  }
}

/** Send the pad's state to Python (one rerun of the Draw tab). */
function send(pad) {
  const png = pad.strokes.length ? pad.ink.toDataURL("image/png") : null;
  pad.setStateValue("drawing", { strokes: pad.strokes, png, width: pad.ink.width, height: pad.ink.height });
}

function startStroke(pad, event) {
  if (pad.disabled || pad.current || (event.pointerType === "mouse" && event.button !== 0)) return;
  event.preventDefault();
  pad.ink.setPointerCapture(event.pointerId);
  pad.current = { pointerId: event.pointerId, stroke: { width: pad.penWidth, points: [toCanvas(pad, event)] } };
  paintBoxes(pad);
  paintStroke(pad.context, pad.current.stroke);
}

function extendStroke(pad, event) {
  if (!pad.current || event.pointerId !== pad.current.pointerId) return;
  const points = pad.current.stroke.points;
  const last = points[points.length - 1];
  const point = toCanvas(pad, event);
  points.push(point);
  pad.context.strokeStyle = "#ffffff";
  pad.context.lineWidth = pad.current.stroke.width;
  pad.context.lineCap = pad.context.lineJoin = "round";
  pad.context.beginPath();
  pad.context.moveTo(last[0], last[1]);
  pad.context.lineTo(point[0], point[1]);
  pad.context.stroke();
}

function endStroke(pad, event) {
  if (!pad.current || event.pointerId !== pad.current.pointerId) return;
  pad.strokes.push(pad.current.stroke);
  pad.current = null;
  send(pad);
}

/** Build the pad inside the component's root element, wire its events. */
function createPad(parentElement) {
  const root = parentElement.querySelector(".pad-root");
  const ink = root.querySelector("canvas.pad-ink");
  const pad = {
    ink,
    overlay: root.querySelector("canvas.pad-overlay"),
    context: ink.getContext("2d"),
    strokes: [],
    current: null,
    restored: false,
  };
  ink.addEventListener("pointerdown", (event) => startStroke(pad, event));
  ink.addEventListener("pointermove", (event) => extendStroke(pad, event));
  ink.addEventListener("pointerup", (event) => endStroke(pad, event));
  ink.addEventListener("pointercancel", (event) => endStroke(pad, event));
  root.querySelector("button.pad-undo").addEventListener("click", () => {
    if (!pad.strokes.length) return;
    pad.strokes.pop();
    repaint(pad);
    paintBoxes(pad);
    send(pad);
  });
  root.querySelector("button.pad-clear").addEventListener("click", () => {
    if (!pad.strokes.length) return;
    pad.strokes = [];
    repaint(pad);
    paintBoxes(pad);
    send(pad);
  });
  return pad;
}

/** Apply what Python sent: size, pen, the strokes to restore after a remount, the boxes. */
function update(pad, data) {
  if (pad.ink.width !== data.width || pad.ink.height !== data.height) {
    pad.ink.width = pad.overlay.width = data.width;
    pad.ink.height = pad.overlay.height = data.height;
    repaint(pad);
  }
  if (!pad.restored) {
    pad.restored = true;
    pad.strokes = Array.isArray(data.strokes) ? data.strokes : [];
    repaint(pad);
  }
  pad.penWidth = data.penWidth;
  pad.boxes = data.boxes;
  pad.boxesStrokeCount = data.strokeCount;
  paintBoxes(pad);
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let pad = pads.get(parentElement);
  if (!pad) {
    pad = createPad(parentElement);
    pads.set(parentElement, pad);
  }
  pad.setStateValue = setStateValue;
  update(pad, data);
  return () => pads.delete(parentElement);
}
