/**
 * Painting on canvases for the page: strokes, the 28×28 model inputs, photos and the digit boxes
 * drawn over them. Only `CanvasRenderingContext2D` calls (they work on an OffscreenCanvas too), no
 * document access: ui.js owns the elements and calls these. Exposes `globalThis.MnistPaint`.
 */
(function (root) {
  'use strict';

  const { IMAGE_SIZE } = root.MNIST_SPEC; // spec.js, generated from digits/constants.py
  const COLORS = { box: '#3b82f6', low: '#f0a030', label: '#ffffff', paper: '#2a2f36' }; // visible on black and on paper
  const BOX_LINE = 2; // CSS pixels
  const LABEL_FONT = '600 14px system-ui, sans-serif'; // system fonts only: the page loads none

  /**
   * White strokes on black, the MNIST convention; quadratic curves through the midpoints.
   * @param {CanvasRenderingContext2D} context already scaled to pad units
   * @param {Array<{width: number, points: Array<{x: number, y: number}>}>} strokes in pad units
   * @param {{width: number, height: number}} size the pad in pad units
   */
  function paintStrokes(context, strokes, { width, height }) {
    context.fillStyle = '#000';
    context.fillRect(0, 0, width, height);
    context.strokeStyle = '#fff';
    context.lineCap = 'round';
    context.lineJoin = 'round';
    for (const { width: lineWidth, points } of strokes) {
      context.lineWidth = lineWidth;
      context.beginPath();
      context.moveTo(points[0].x, points[0].y);
      if (points.length === 1) context.lineTo(points[0].x + 0.01, points[0].y); // a dot
      for (let index = 1; index < points.length - 1; index += 1) {
        const middleX = (points[index].x + points[index + 1].x) / 2;
        const middleY = (points[index].y + points[index + 1].y) / 2;
        context.quadraticCurveTo(points[index].x, points[index].y, middleX, middleY);
      }
      if (points.length > 1) context.lineTo(points[points.length - 1].x, points[points.length - 1].y);
      context.stroke();
    }
  }

  /** A model input, Float32Array(784) in [0, 1] (or null: black), onto a 28×28 canvas. */
  function paintPixels(context, pixels) {
    const image = context.createImageData(IMAGE_SIZE, IMAGE_SIZE);
    for (let index = 0; index < IMAGE_SIZE * IMAGE_SIZE; index += 1) {
      const value = pixels ? Math.round(pixels[index] * 255) : 0;
      image.data.set([value, value, value, 255], index * 4);
    }
    context.putImageData(image, 0, 0);
  }

  /**
   * A photo fitted inside the canvas (letterboxed, centred).
   * @param {CanvasRenderingContext2D} context in canvas pixels
   * @param {ImageBitmap} bitmap
   * @return {{scale: number, offsetX: number, offsetY: number}} photo pixels → canvas pixels
   */
  function paintPhoto(context, bitmap) {
    const { width, height } = context.canvas;
    const scale = Math.min(width / bitmap.width, height / bitmap.height);
    const offsetX = (width - bitmap.width * scale) / 2;
    const offsetY = (height - bitmap.height * scale) / 2;
    context.fillStyle = COLORS.paper;
    context.fillRect(0, 0, width, height);
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, offsetX, offsetY, bitmap.width * scale, bitmap.height * scale);
    return { scale, offsetX, offsetY };
  }

  /**
   * Each digit's box and its label ("7 98%", "4? 52%" when unsure) over a drawing or a photo;
   * the selected digit's box is drawn twice as thick.
   * @param {CanvasRenderingContext2D} context in canvas pixels
   * @param {Array<{digit: number, probability: number, box: number[], low: boolean}>} digits
   * @param {{scale: number, offsetX?: number, offsetY?: number, pixelRatio?: number, selected?: number}} mapping
   *   source pixels → canvas pixels; pixelRatio: canvas pixels per CSS pixel; selected: index drawn thicker
   */
  function paintBoxes(context, digits, { scale, offsetX = 0, offsetY = 0, pixelRatio = 1, selected = -1 }) {
    context.save();
    context.font = LABEL_FONT.replace('14px', `${14 * pixelRatio}px`);
    context.textBaseline = 'bottom';
    digits.forEach(({ digit, probability, box, low }, index) => {
      const [x0, y0, x1, y1] = box;
      const left = offsetX + x0 * scale;
      const top = offsetY + y0 * scale;
      const color = low ? COLORS.low : COLORS.box;
      context.strokeStyle = color;
      context.lineWidth = (index === selected ? 2 : 1) * BOX_LINE * pixelRatio;
      context.setLineDash(low ? [6 * pixelRatio, 4 * pixelRatio] : []);
      context.strokeRect(left, top, (x1 - x0) * scale, (y1 - y0) * scale);
      const text = `${digit}${low ? '?' : ''} ${Math.round(probability * 100)}%`;
      const labelHeight = 18 * pixelRatio;
      const labelTop = top >= labelHeight ? top - labelHeight : top; // above the box, inside at the edge
      context.fillStyle = color;
      context.fillRect(left, labelTop, context.measureText(text).width + 8 * pixelRatio, labelHeight);
      context.fillStyle = COLORS.label;
      context.fillText(text, left + 4 * pixelRatio, labelTop + labelHeight - 2 * pixelRatio);
    });
    context.restore();
  }

  root.MnistPaint = { paintStrokes, paintPixels, paintPhoto, paintBoxes };
})(globalThis);
