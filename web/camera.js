/**
 * The camera for the page: open a stream, take a snapshot of the guide box, stop the stream.
 *
 * Chromium treats a `file://` page as a secure context, so `getUserMedia` works there once the
 * camera is allowed (a permission prompt); plain `http://` pages other than localhost have no
 * `navigator.mediaDevices` at all. Every refusal becomes one line a person can act on.
 *
 * The snapshot is the region inside the guide box (GUIDE, fractions of the frame), not the whole
 * frame: a person centres the number in the box, and the desk, the hand and the paper's edges
 * around it never reach the image path. No DOM here: the caller passes its `<video>` element.
 * Exposes `globalThis.MnistCamera`.
 */
(function (root) {
  'use strict';

  /** The guide box in fractions of the frame: wide, for a number; ui.js draws it, grabFrame crops it. */
  const GUIDE = { left: 0.1, top: 0.2, width: 0.8, height: 0.6 };
  /** Ask for a modest back camera: the image path works on about 1000 px at most anyway. */
  const CONSTRAINTS = { video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false };

  /** A one-line message for a refused `getUserMedia`. @param {Error} error */
  function describeCameraError(error) {
    switch (error && error.name) {
      case 'NotAllowedError':
      case 'SecurityError':
        return 'The camera was not allowed: allow it for this page in the browser, or open a photo instead.';
      case 'NotFoundError':
      case 'OverconstrainedError':
        return 'No camera was found: connect one, or open a photo instead.';
      case 'NotReadableError':
      case 'AbortError':
        return 'The camera is busy or could not start (another program may be using it).';
      default:
        return `The camera could not start: ${(error && error.message) || error}`.split('\n')[0];
    }
  }

  /**
   * Open the camera.
   * @return {Promise<MediaStream>}
   * @throws {Error} with a one-line message (insecure page, no camera, permission denied…)
   */
  async function openCamera() {
    const devices = root.navigator && root.navigator.mediaDevices;
    if (!devices || typeof devices.getUserMedia !== 'function') {
      throw new Error('This browser offers no camera to this page (the camera needs https://, localhost or file://).');
    }
    try {
      return await devices.getUserMedia(CONSTRAINTS);
    } catch (error) {
      throw new Error(describeCameraError(error));
    }
  }

  /** Stop every track of a stream (the camera light goes off). @param {MediaStream|null} stream */
  function stopCamera(stream) {
    if (stream) for (const track of stream.getTracks()) track.stop();
  }

  /**
   * The guide box in a frame's pixels.
   * @return {{x: number, y: number, width: number, height: number}} whole pixels
   */
  function guideRegion(frameWidth, frameHeight) {
    const x = Math.round(GUIDE.left * frameWidth);
    const y = Math.round(GUIDE.top * frameHeight);
    return { x, y, width: Math.round(GUIDE.width * frameWidth), height: Math.round(GUIDE.height * frameHeight) };
  }

  /**
   * Snapshot: the guide box of the video's current frame.
   * @param {HTMLVideoElement} video a playing camera view
   * @return {Promise<{bitmap: ImageBitmap, imageData: ImageData}>} the guide box, in the camera's pixels
   */
  async function grabFrame(video) {
    if (!video.videoWidth || !video.videoHeight) throw new Error('The camera has not sent a picture yet: try again.');
    const region = guideRegion(video.videoWidth, video.videoHeight);
    const bitmap = await createImageBitmap(video, region.x, region.y, region.width, region.height);
    return { bitmap, imageData: root.MnistPhoto.toImageData(bitmap) };
  }

  root.MnistCamera = { GUIDE, openCamera, stopCamera, guideRegion, grabFrame, describeCameraError };
})(globalThis);
