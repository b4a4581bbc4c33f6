/**
 * Runtimes of the static page: load one manifest variant (TF.js graph model or ONNX) from the
 * bytes embedded by `web/build.py`, and predict digit probabilities and the embedding (the
 * penultimate activations, for the teach feature). Outputs are selected by the manifest's names. No DOM access here: the
 * caller (ui.js) passes a `loadScript(src) -> Promise` that adds classic `<script>` tags, which is
 * the only way a `file://` page can load anything.
 *
 * Globals read: `MNIST_SPEC` (spec.js), `MnistGraphModel` (graph_model.js), `tf` (vendor/tf.min.js), `ort` (vendor/ort.wasm.min.js, loaded on demand),
 * `MNIST_EMBEDDED_MODELS[id]` (models/embedded/<id>.js: {path: base64}),
 * `MNIST_ORT_WASM_BASE64` and `MNIST_ORT_WASM_GLUE` (vendor/ort-wasm-*.js, loaded on demand).
 * Exposes `globalThis.MnistRuntimes`.
 */
(function (root) {
  'use strict';

  const { NUM_CLASSES, FLAT_SIZE } = root.MNIST_SPEC; // spec.js, generated from digits/constants.py
  /** Classic scripts that bring TF.js's wasm backend (XNNPACK kernels) and its SIMD binary. */
  const TFJS_WASM_SCRIPTS = ['vendor/tf-backend-wasm.min.js', 'vendor/tfjs-wasm-binary.js'];
  /** Classic scripts that bring onnxruntime-web, in load order (relative to index.html). */
  const ORT_SCRIPTS = ['vendor/ort.wasm.min.js', 'vendor/ort-wasm-glue.js', 'vendor/ort-wasm-binary.js'];

  /** Decode base64 text to bytes. @param {string} text @return {Uint8Array} */
  function decodeBase64(text) {
    if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
    return bytes;
  }

  /** The path of the embedded script of a variant. @param {string} variantId */
  function embeddedScriptPath(variantId) {
    return `models/embedded/${variantId}.js`;
  }

  /**
   * The embedded files of a variant, loading its script when needed.
   * @return {Promise<Object<string, Uint8Array>>} manifest path -> bytes
   */
  async function loadEmbeddedFiles(entry, loadScript) {
    const registry = () => root.MNIST_EMBEDDED_MODELS || {};
    if (!registry()[entry.id]) await loadScript(embeddedScriptPath(entry.id));
    const encoded = registry()[entry.id];
    if (!encoded) throw new Error(`models/embedded/${entry.id}.js did not register the model: run make web`);
    const files = {};
    for (const path of entry.files) {
      if (!(path in encoded)) throw new Error(`variant ${entry.id}: ${path} is not embedded`);
      files[path] = decodeBase64(encoded[path]);
    }
    return files;
  }

  /**
   * The input shape of one batch, from the manifest: `[n, 784]` (flat) or `[n, 28, 28, 1]` (nhwc).
   * @param {Object} entry manifest entry @param {number} batchSize
   */
  function batchShape(entry, batchSize) {
    const shape = entry.input.shape.slice(1).map(Number);
    const size = shape.reduce((product, dimension) => product * dimension, 1);
    if (size !== FLAT_SIZE) throw new Error(`variant ${entry.id}: input shape ${entry.input.shape} is not ${FLAT_SIZE} pixels`);
    return [batchSize, ...shape];
  }

  /** Check a batch of pixels: Float32Array of n * 784 values in [0, 1]. @return {number} n */
  function checkPixels(pixels) {
    if (!(pixels instanceof Float32Array) || pixels.length === 0 || pixels.length % FLAT_SIZE !== 0) {
      throw new Error(`expected a Float32Array of n * ${FLAT_SIZE} pixels, got length ${pixels && pixels.length}`);
    }
    return pixels.length / FLAT_SIZE;
  }

  /**
   * Make `backend` TF.js's current backend. The wasm backend is loaded on first use; its binary
   * goes in as a `data:` URL (Emscripten decodes those itself), one thread (no cross-origin
   * isolation on a file:// page).
   */
  async function useTfjsBackend(backend, loadScript) {
    const tf = root.tf;
    if (!tf) throw new Error('TF.js (vendor/tf.min.js) is not loaded: run make setup');
    if (backend === 'wasm' && !tf.findBackendFactory('wasm')) {
      for (const src of TFJS_WASM_SCRIPTS) await loadScript(src);
      if (!tf.wasm || !root.MNIST_TFJS_WASM_SIMD_BASE64) throw new Error('TF.js wasm backend is not built: run make setup');
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      // Only the SIMD binary is shipped (every current browser has wasm SIMD; threads are off), but
      // setWasmPaths wants an entry for each of the three names.
      const simdUrl = `data:application/octet-stream;base64,${root.MNIST_TFJS_WASM_SIMD_BASE64}`;
      tf.wasm.setWasmPaths({
        'tfjs-backend-wasm.wasm': simdUrl,
        'tfjs-backend-wasm-simd.wasm': simdUrl,
        'tfjs-backend-wasm-threaded-simd.wasm': simdUrl,
      });
    }
    if (tf.getBackend() !== backend) {
      const ok = await tf.setBackend(backend);
      if (!ok) throw new Error(`TF.js backend ${backend} is not available here`);
    }
    await tf.ready();
  }

  /**
   * The output names of a variant, from the manifest: the probabilities (the contract's `output`)
   * and, when the export has one, the embedding. Outputs are always selected by these names.
   * @return {{probabilities: string, embedding: (string|null), embeddingSize: number}}
   */
  function outputNames(entry) {
    const embedding = (entry.outputs && entry.outputs.embedding) || null;
    return {
      probabilities: entry.output.name,
      embedding: embedding ? embedding.name : null,
      embeddingSize: embedding ? embedding.size : 0,
    };
  }

  /** A TF.js graph model from its model.json + weight shards, held in memory. */
  async function loadTfjsModel(entry, files, backend, loadScript) {
    const tf = root.tf;
    await useTfjsBackend(backend, loadScript);
    const modelJsonPath = entry.files.find((path) => path.endsWith('model.json'));
    if (!modelJsonPath) throw new Error(`variant ${entry.id} has no model.json`);
    const modelJson = JSON.parse(new TextDecoder().decode(files[modelJsonPath]));
    const folder = modelJsonPath.slice(0, modelJsonPath.length - 'model.json'.length);
    const model = await root.MnistGraphModel.loadGraphModel(tf, modelJson, (shardPath) => files[folder + shardPath]);
    const names = outputNames(entry);
    const wanted = names.embedding ? [names.probabilities, names.embedding] : [names.probabilities];
    return {
      backend: tf.getBackend(),
      /**
       * @param {Float32Array} pixels n * 784
       * @return {{probabilities: Float32Array, embedding: (Float32Array|null)}} n * 10 and n * d values
       */
      async run(pixels, batchSize) {
        // Another variant may have switched the global backend; the weights live on this one.
        if (tf.getBackend() !== backend) await tf.setBackend(backend);
        const outputs = tf.tidy(() => {
          const result = model.execute(tf.tensor(pixels, batchShape(entry, batchSize), 'float32'), wanted);
          return Array.isArray(result) ? result : [result]; // one name: TF.js gives the tensor itself
        });
        const [probabilities, embedding] = outputs.map((output) => Float32Array.from(output.dataSync()));
        tf.dispose(outputs);
        return { probabilities, embedding: embedding || null };
      },
      dispose() {
        model.dispose();
      },
    };
  }

  let ortReady = null;

  /** Load onnxruntime-web once (wasm binary + glue from scripts, one thread, no proxy worker). */
  function loadOrt(loadScript) {
    if (!ortReady) {
      ortReady = (async () => {
        for (const src of ORT_SCRIPTS) await loadScript(src);
        const ort = root.ort;
        if (!ort || !root.MNIST_ORT_WASM_BASE64 || !root.MNIST_ORT_WASM_GLUE) {
          throw new Error('onnxruntime-web (web/vendor/) is not built: run make setup');
        }
        const glue = new Blob([root.MNIST_ORT_WASM_GLUE], { type: 'text/javascript' });
        ort.env.wasm.wasmBinary = decodeBase64(root.MNIST_ORT_WASM_BASE64);
        ort.env.wasm.wasmPaths = { mjs: URL.createObjectURL(glue) };
        ort.env.wasm.numThreads = 1;
        ort.env.wasm.proxy = false;
        ort.env.logLevel = 'error';
        delete root.MNIST_ORT_WASM_BASE64; // the decoded copy is all ort needs; free 19 MB of text
        return ort;
      })();
      ortReady.catch(() => {
        ortReady = null;
      });
    }
    return ortReady;
  }

  /** An onnxruntime-web session on the wasm backend. */
  async function loadOnnxModel(entry, files, loadScript) {
    const ort = await loadOrt(loadScript);
    const session = await ort.InferenceSession.create(files[entry.files[0]], {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
    const inputName = session.inputNames.includes(entry.input.name) ? entry.input.name : session.inputNames[0];
    const names = outputNames(entry);
    if (!session.outputNames.includes(names.probabilities)) {
      throw new Error(`variant ${entry.id}: the model has no output ${names.probabilities} (it has ${session.outputNames})`);
    }
    const embeddingName = session.outputNames.includes(names.embedding) ? names.embedding : null;
    return {
      backend: 'wasm',
      /** Same as the TF.js model's run: `{probabilities, embedding}` for n images. */
      async run(pixels, batchSize) {
        const input = new ort.Tensor('float32', pixels, batchShape(entry, batchSize));
        const results = await session.run({ [inputName]: input });
        const probabilities = Float32Array.from(results[names.probabilities].data);
        const embedding = embeddingName ? Float32Array.from(results[embeddingName].data) : null;
        input.dispose && input.dispose();
        for (const output of Object.values(results)) output.dispose && output.dispose();
        return { probabilities, embedding };
      },
      dispose() {
        session.release();
      },
    };
  }

  /**
   * Load a manifest variant and warm it up (one blank prediction).
   * @param {Object} entry manifest `models[]` entry
   * @param {{loadScript: function(string): Promise, backend?: string}} options
   *   backend: TF.js backend: 'cpu' (default, plain JS, the parity reference), 'wasm' (XNNPACK) or
   *   'webgl'; ONNX always runs on onnxruntime-web's wasm.
   * @return {Promise<{entry, backend: string, predict: function, predictBatch: function, dispose: function}>}
   */
  async function loadVariant(entry, { loadScript, backend = 'cpu' } = {}) {
    if (typeof loadScript !== 'function') throw new Error('loadVariant needs options.loadScript');
    const files = await loadEmbeddedFiles(entry, loadScript);
    let model;
    if (entry.format === 'tfjs') model = await loadTfjsModel(entry, files, backend, loadScript);
    else if (entry.format === 'onnx') model = await loadOnnxModel(entry, files, loadScript);
    else throw new Error(`variant ${entry.id}: unknown format ${entry.format}`);
    await model.run(new Float32Array(FLAT_SIZE), 1); // warm: first runs compile kernels / allocate
    // One run at a time per variant (a live prediction and the compare view may overlap; an
    // onnxruntime session must not run twice at once), timed without the wait in the queue.
    let queue = Promise.resolve();
    const timed = (pixels, batchSize) => {
      const result = queue.then(async () => {
        const start = performance.now();
        const { probabilities, embedding } = await model.run(pixels, batchSize);
        return { probabilities, embedding, ms: performance.now() - start };
      });
      queue = result.catch(() => {});
      return result;
    };
    return {
      entry,
      backend: model.backend,
      /** Width d of the embedding output (manifest `outputs.embedding.size`); 0 when the export has none. */
      embeddingSize: outputNames(entry).embeddingSize,
      /**
       * @param {Float32Array} pixels 784 values in [0, 1], row-major 28x28, white ink on black
       * @return {Promise<{probabilities: Float32Array, embedding: (Float32Array|null), ms: number}>}
       *   probabilities: 10 values; embedding: the d penultimate activations (null without one)
       */
      async predict(pixels) {
        if (checkPixels(pixels) !== 1) throw new Error(`predict takes one image (${FLAT_SIZE} values), got ${pixels.length}`);
        return timed(pixels, 1);
      },
      /**
       * @param {Float32Array} pixels n * 784 values
       * @return {Promise<{probabilities: Float32Array, embedding: (Float32Array|null), ms: number}>}
       *   probabilities: n * 10 values, embedding: n * d values (null without one), both row-major
       */
      async predictBatch(pixels) {
        return timed(pixels, checkPixels(pixels));
      },
      dispose: model.dispose,
    };
  }

  /** Whether TF.js can use a backend here (WebGL may not exist headless). @param {string} backend */
  function hasTfjsBackend(backend) {
    if (!root.tf) return false;
    if (backend === 'wasm') return typeof WebAssembly === 'object';
    return Boolean(root.tf.findBackendFactory(backend)) && (backend !== 'webgl' || webglWorks());
  }

  function webglWorks() {
    try {
      return Boolean(root.tf.env().getNumber('WEBGL_VERSION') > 0);
    } catch (error) {
      return false;
    }
  }

  root.MnistRuntimes = { loadVariant, hasTfjsBackend, NUM_CLASSES, FLAT_SIZE };
})(globalThis);
