/**
 * Photos for the page: refuse what cannot or must not be decoded, then decode in the browser.
 *
 * A photo's pixel size is read from its header (PNG, JPEG, GIF, WebP, BMP) before any decoding, so
 * a 100-megapixel image (a decompression bomb) is refused from its first bytes, like the Python
 * side does (`digits/image/decode.py`). The rest is decoded by `createImageBitmap` with the EXIF
 * orientation applied and no colour management (Pillow applies neither ICC profiles nor gamma).
 * Every failure is an Error with a one-line message naming the file and the problem.
 *
 * No DOM here (OffscreenCanvas and createImageBitmap work without a document). Exposes
 * `globalThis.MnistPhoto`.
 */
(function (root) {
  'use strict';

  // The same cap as digits/image/decode.py MAX_PIXELS (40 MP). TODO(lead): move it into
  // digits/constants.py so spec.js carries it; until then spec.js wins when it has it.
  const MAX_PIXELS = (root.MNIST_SPEC && root.MNIST_SPEC.MAX_PIXELS) || 40000000;
  const HEADER_BYTES = 1 << 20; // JPEG's size marker may follow a large EXIF block; 1 MiB covers it

  const ascii = (bytes, start, length) => String.fromCharCode(...bytes.subarray(start, start + length));

  /** @param {Uint8Array} bytes @return {{width: number, height: number}|null} */
  function pngSize(bytes) {
    if (bytes.length < 24 || ascii(bytes, 1, 3) !== 'PNG' || ascii(bytes, 12, 4) !== 'IHDR') return null;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }

  function gifSize(bytes) {
    if (bytes.length < 10 || !/^GIF8[79]a$/.test(ascii(bytes, 0, 6))) return null;
    return { width: bytes[6] | (bytes[7] << 8), height: bytes[8] | (bytes[9] << 8) };
  }

  function bmpSize(bytes) {
    if (bytes.length < 26 || ascii(bytes, 0, 2) !== 'BM') return null;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(14, true) === 12) return { width: view.getUint16(18, true), height: view.getUint16(20, true) };
    return { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
  }

  function webpSize(bytes) {
    if (bytes.length < 30 || ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== 'WEBP') return null;
    const chunk = ascii(bytes, 12, 4);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const u24 = (offset) => bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16);
    if (chunk === 'VP8X') return { width: u24(24) + 1, height: u24(27) + 1 };
    if (chunk === 'VP8 ') return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
    if (chunk === 'VP8L') {
      const bits = view.getUint32(21, true);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    return null;
  }

  /** JPEG: walk the marker segments up to the first start-of-frame (SOF0…SOF15 but DHT, JPG, DAC). */
  function jpegSize(bytes) {
    if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 2;
    while (offset + 9 < bytes.length) {
      if (bytes[offset] !== 0xff) break; // a broken segment: a JPEG, size unknown
      const marker = bytes[offset + 1];
      if (marker === 0xff) {
        offset += 1; // fill byte
        continue;
      }
      const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
      if (isFrame) return { width: view.getUint16(offset + 7), height: view.getUint16(offset + 5) };
      offset += 2 + view.getUint16(offset + 2);
    }
    return { width: null, height: null }; // broken, or its frame header lies past HEADER_BYTES
  }

  const READERS = { png: pngSize, jpeg: jpegSize, gif: gifSize, webp: webpSize, bmp: bmpSize };

  /**
   * The format and pixel size from an image's first bytes, without decoding it.
   * @param {Uint8Array} bytes the start of the file (at least the header)
   * @return {{format: string, width: ?number, height: ?number}|null} null for a format not read
   *   here; width and height null when the signature is there but the size is not found
   */
  function readImageSize(bytes) {
    for (const [format, reader] of Object.entries(READERS)) {
      const size = reader(bytes);
      if (size) return { format, width: size.width, height: size.height };
    }
    return null;
  }

  /** Refuse a size above the cap or without pixels. @param {string} name file name, for the message */
  function checkSize(name, width, height, maxPixels) {
    if (width === 0 || height === 0) throw new Error(`${name}: image has no pixels: ${width}×${height}`);
    if (width * height > maxPixels) {
      throw new Error(`${name}: image too large: ${width}×${height} = ${width * height} pixels > ${maxPixels}`);
    }
  }

  /**
   * Draw a decoded image into an RGBA ImageData (full resolution: the image path reduces it).
   * @param {ImageBitmap} bitmap
   * @return {ImageData} {data: Uint8ClampedArray [height, width, 4], width, height}
   */
  function toImageData(bitmap) {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(bitmap, 0, 0);
    return context.getImageData(0, 0, bitmap.width, bitmap.height);
  }

  /**
   * Check, then decode a photo file.
   * @param {Blob|File} file a photo, scan or drawing, as chosen, dropped or pasted
   * @param {{maxPixels?: number}} options
   * @return {Promise<{bitmap: ImageBitmap, imageData: ImageData, format: string}>}
   * @throws {Error} one line: empty file, not an image, too large, truncated or corrupt
   */
  async function decodePhoto(file, { maxPixels = MAX_PIXELS } = {}) {
    const name = file.name || 'the image';
    if (file.size === 0) throw new Error(`${name}: empty file`);
    const header = readImageSize(new Uint8Array(await file.slice(0, HEADER_BYTES).arrayBuffer()));
    if (header && header.width !== null) checkSize(name, header.width, header.height, maxPixels);
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: 'from-image', colorSpaceConversion: 'none' });
    } catch (error) {
      if (header) throw new Error(`${name}: truncated or corrupt ${header.format.toUpperCase()} image`);
      throw new Error(`${name}: not an image (unrecognised format${file.type ? `, ${file.type}` : ''})`);
    }
    try {
      checkSize(name, bitmap.width, bitmap.height, maxPixels); // formats without a header reader
      return { bitmap, imageData: toImageData(bitmap), format: header ? header.format : 'image' };
    } catch (error) {
      bitmap.close();
      throw error;
    }
  }

  root.MnistPhoto = { MAX_PIXELS, readImageSize, decodePhoto, toImageData };
})(globalThis);
