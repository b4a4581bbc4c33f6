"""The page's runtimes give the embedding too, equal to Python's, selected by its manifest name.

`MnistPage.loadVariant(id).predictBatch(pixels)` resolves to `{probabilities, embedding, ms}`; the
teach feature stores and compares the embedding. MNIST test images go through the page's own
runtimes from file:// (conftest's `page`) and are compared with Python (Keras for TF.js,
onnxruntime for ONNX), like the probabilities in test_web.py.
"""

import base64
import json

import numpy as np
import pytest

from bench import browser as web_page

pytestmark = pytest.mark.browser

PARITY_IMAGES = 200  # MNIST test images per variant
tol = 1e-5  # max |Δ| of the fp32 embedding (values up to ~12) against Python, fp32 both sides
EMBEDDING_SIZE = 128  # both release models
MANIFEST = json.loads((web_page.WEB_DIR / "models" / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def images(mnist_data_dir) -> np.ndarray:
    from export.evaluate import load_test_set

    return load_test_set(mnist_data_dir)[0][:PARITY_IMAGES]


def page_outputs(page, variant_id: str, images: np.ndarray, *, backend: str) -> dict:
    """`predictBatch` in the page: probabilities `(n, 10)`, embedding `(n, d)`, and `embeddingSize`."""
    encoded = base64.b64encode(np.ascontiguousarray(images, dtype="<f4").tobytes()).decode("ascii")
    result = page.evaluate(
        """async ([id, backend, encoded]) => {
          const bytes = Uint8Array.from(atob(encoded), c => c.charCodeAt(0));
          const variant = await MnistPage.loadVariant(id, { backend });
          const result = await variant.predictBatch(new Float32Array(bytes.buffer));
          return { probabilities: Array.from(result.probabilities), embeddingSize: variant.embeddingSize,
                   embedding: result.embedding ? Array.from(result.embedding) : null };
        }""",
        [variant_id, backend, encoded],
    )
    assert result["embedding"] is not None, f"{variant_id}: the page returned no embedding"
    return {
        "probabilities": np.asarray(result["probabilities"], np.float32).reshape(len(images), 10),
        "embedding": np.asarray(result["embedding"], np.float32).reshape(len(images), -1),
        "embeddingSize": result["embeddingSize"],
    }


@pytest.mark.parametrize("model", ["mlp", "cnn"])
@pytest.mark.parametrize("model_format, backend", [("tfjs", "cpu"), ("tfjs", "wasm"), ("onnx", "wasm")])
def test_fp32_embedding_in_the_page_equals_python(page, images, model, model_format, backend):
    from export.runtimes import load_predictor

    variant_id = f"{model}-{model_format}-fp32"
    reference_id = f"{model}-keras" if model_format == "tfjs" else variant_id
    reference = load_predictor(reference_id, models_dir=web_page.WEB_DIR / "models")
    expected = reference.predict_with_embedding(images)
    actual = page_outputs(page, variant_id, images, backend=backend)
    assert actual["embeddingSize"] == EMBEDDING_SIZE
    assert actual["embedding"].shape == expected["embedding"].shape == (len(images), EMBEDDING_SIZE)
    difference = float(np.abs(actual["embedding"] - expected["embedding"]).max())
    assert difference <= tol, f"{variant_id} ({backend}) vs {reference_id}: max |Δembedding| {difference:.2e}"
    assert (actual["probabilities"].argmax(axis=1) == expected["probabilities"].argmax(axis=1)).all()


@pytest.mark.parametrize(
    "variant_id", [entry["id"] for entry in MANIFEST["models"] if entry["precision"] != "fp32"]
)
def test_quantized_variants_give_an_embedding_in_the_page(page, images, variant_id):
    actual = page_outputs(page, variant_id, images[:20], backend="wasm")
    assert actual["embeddingSize"] == EMBEDDING_SIZE and actual["embedding"].shape == (20, EMBEDDING_SIZE)
    norms = np.linalg.norm(actual["embedding"], axis=1)
    assert np.all(actual["embedding"] >= 0) and np.all(norms > 0)  # after a ReLU, and not all zero
