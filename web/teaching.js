/**
 * The page's side of "Teach it your handwriting" (issue 11): which model's examples are in use,
 * what the ten "That's a …" buttons teach, forget, export and import. The rule and the storage are
 * `MnistTeach` (teach.js); this file only wires them to the page. No DOM here: it shows through
 * `MnistUi` (ui.js), which index.js hands over.
 *
 * The examples belong to a model (its embedding), not to a variant: every variant of the CNN uses
 * the CNN's examples. A model can be taught when the release ships its MNIST anchors (the
 * manifest's `anchors` block; `models/embedded/<model>-anchors.js`, loaded when it is first
 * chosen) and the chosen variant outputs an embedding of the anchors' width.
 *
 * Exposes `globalThis.MnistTeaching.create(...)`.
 */
(function (root) {
  'use strict';

  const { NUM_CLASSES } = root.MNIST_SPEC; // spec.js, generated from digits/constants.py
  const MAX_IMPORT_BYTES = 8e6; // 500 examples (MnistTeach's limit) take about 4 MB
  const anchorsScript = (model) => `models/embedded/${model}-anchors.js`;

  /** First line of an error's message. */
  function oneLine(error) {
    return String((error && error.message) || error).split('\n')[0];
  }

  /**
   * @param {{ui: Object, manifest: Object, loadScript: function(string): Promise, onChange: function}} options
   *   ui: MnistUi; manifest: MNIST_MANIFEST; onChange: the examples changed (read the input again)
   */
  function create({ ui, manifest, loadScript, onChange }) {
    const teachers = new Map(); // model -> Promise<Teacher>, loaded once per page
    let teacher = null; // the chosen variant's model's Teacher, or null when it cannot be taught
    let reason = 'Loading…'; // why teaching is off (teacher === null)
    let target = null; // {index, count, pixels, embedding}: the digit the buttons teach, or null
    const timings = { teachMs: null }; // the last teach, storage included (benchmarks read it)

    function show() {
      const counts = teacher ? teacher.counts() : new Array(NUM_CLASSES).fill(0);
      ui.showTeaching({ available: teacher !== null, reason, counts, target: teacher && target });
    }

    /** The Teacher of `model`, its anchors loaded once; rejects with a one-line reason. */
    function teacherOf(model) {
      if (!teachers.has(model)) {
        const loading = (async () => {
          if (!(manifest.anchors && manifest.anchors[model])) {
            throw new Error(`this release has no MNIST anchors for the ${model.toUpperCase()}: ` +
              're-export it (python -m export) and rebuild the page (make web)');
          }
          const registry = () => root.MNIST_ANCHORS || {};
          if (!registry()[model]) await loadScript(anchorsScript(model));
          if (!registry()[model]) throw new Error(`${anchorsScript(model)} did not register the anchors: run make web`);
          return root.MnistTeach.load({ model, anchors: registry()[model] });
        })();
        loading.catch(() => teachers.delete(model));
        teachers.set(model, loading);
      }
      return teachers.get(model);
    }

    /** A variant was chosen: use its model's examples when it can be taught. @param {Object} variant loaded */
    async function useVariant(variant) {
      [teacher, target] = [null, null];
      reason = 'Loading your examples…';
      show();
      try {
        const loaded = await teacherOf(variant.entry.model);
        if (variant.embeddingSize !== loaded.embeddingSize) {
          throw new Error(`${variant.entry.id} has no embedding output of ${loaded.embeddingSize} values: choose another variant`);
        }
        teacher = loaded;
        if (teacher.loadError) ui.showTeachMessage(`${teacher.loadError} (kept aside; new examples start afresh)`, { isError: true });
      } catch (error) {
        reason = `Teaching is off: ${oneLine(error)}`;
      }
      show();
    }

    /** What the buttons would teach: the selected digit of the reading (null: nothing read). */
    function setTarget(reading, selected) {
      const digit = reading && reading.digits[selected];
      target = digit && digit.embedding ? { index: selected, count: reading.digits.length, pixels: digit.pixels, embedding: digit.embedding } : null;
      show();
    }

    /** The reading's adapt hook (MnistReading.readImage): n*10 probabilities, n*d embeddings → n results. */
    function adapt(probabilities, embeddings) {
      return teacher && teacher.size ? teacher.adaptBatch(probabilities, embeddings) : null;
    }

    /** "That's a `digit`": keep the selected digit's input and embedding as an example. */
    function teach(digit) {
      if (!teacher || !target) return;
      const what = target.count > 1 ? `Digit ${target.index + 1} of ${target.count}` : 'This drawing';
      try {
        const start = performance.now();
        const counts = teacher.add(digit, target.pixels, target.embedding);
        timings.teachMs = performance.now() - start;
        ui.showTeachMessage(`${what} is now your example of ${digit} (${counts[digit]} of ${digit}).`);
      } catch (error) {
        ui.showTeachMessage(`Could not keep it: ${oneLine(error)}`, { isError: true }); // e.g. storage full
      }
      show();
      onChange();
    }

    function forget() {
      if (!teacher) return;
      try {
        teacher.forget();
        ui.showTeachMessage('Your examples are gone: these are the model\'s own answers.');
      } catch (error) {
        ui.showTeachMessage(`Could not forget: ${oneLine(error)}`, { isError: true });
      }
      show();
      onChange();
    }

    function exportExamples() {
      if (!teacher || !teacher.size) return;
      ui.downloadText(teacher.exportJson(), `mnist-anywhere-examples-${teacher.model}.json`);
      ui.showTeachMessage(`Exported ${teacher.size} example${teacher.size === 1 ? '' : 's'}.`);
    }

    /** Add a file's examples; a bad file gives one line and changes nothing. @param {File} file */
    async function importExamples(file) {
      if (!teacher) return;
      try {
        if (file.size > MAX_IMPORT_BYTES) throw new Error(`it is ${(file.size / 1e6).toFixed(1)} MB, more than an examples file can be`);
        const added = teacher.importJson(await file.text());
        ui.showTeachMessage(`Imported ${added} example${added === 1 ? '' : 's'} from ${file.name}.`);
      } catch (error) {
        ui.showTeachMessage(`Could not import ${file.name}: ${oneLine(error)}. Your examples are unchanged.`, { isError: true });
      }
      show();
      onChange();
    }

    ui.setResultCallbacks({ onTeach: teach, onForget: forget, onExport: exportExamples, onImport: importExamples });
    return {
      useVariant, setTarget, adapt, timings,
      /** The current model's Teacher, or null (tests and benchmarks). */
      teacher: () => teacher,
    };
  }

  root.MnistTeaching = { create };
})(globalThis);
