/**
 * Load a TF.js graph model from bytes already in memory: model.json + its weight shards, joined into
 * the artifacts `tf.io.fromMemory` takes. A page opened from file:// cannot fetch, and node has no
 * fetch for local files, so the page (runtimes.js) and the node runner (export/js/run_tfjs.js) both
 * use this one loader.
 *
 * A classic script (UMD-style): `globalThis.MnistGraphModel` in the page, `module.exports` in node.
 */
(function (root) {
  'use strict';

  /**
   * Concatenate byte arrays into one ArrayBuffer.
   * @param {Uint8Array[]} parts @return {ArrayBuffer}
   */
  function concatenate(parts) {
    const joined = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      joined.set(part, offset);
      offset += part.length;
    }
    return joined.buffer;
  }

  /**
   * The in-memory artifacts of a graph model.
   * @param {Object} modelJson the parsed model.json (modelTopology, weightsManifest, …)
   * @param {function(string): Uint8Array} readShard shard path as written in model.json → its bytes
   * @return {Object} artifacts for `tf.io.fromMemory`: model.json's fields + weightSpecs + weightData
   */
  function graphModelArtifacts(modelJson, readShard) {
    const weightSpecs = [];
    const shards = [];
    for (const group of modelJson.weightsManifest) {
      weightSpecs.push(...group.weights);
      for (const shardPath of group.paths) {
        const shard = readShard(shardPath);
        if (!shard) throw new Error(`weight shard ${shardPath} is missing`);
        shards.push(shard);
      }
    }
    return { ...modelJson, weightSpecs, weightData: concatenate(shards) };
  }

  /**
   * Load a graph model on TF.js's current backend.
   * @param {Object} tf the TF.js namespace
   * @param {Object} modelJson the parsed model.json
   * @param {function(string): Uint8Array} readShard shard path → bytes
   * @return {Promise<Object>} a tf.GraphModel
   */
  function loadGraphModel(tf, modelJson, readShard) {
    return tf.loadGraphModel(tf.io.fromMemory(graphModelArtifacts(modelJson, readShard)));
  }

  const api = { graphModelArtifacts, loadGraphModel };
  root.MnistGraphModel = api;
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
