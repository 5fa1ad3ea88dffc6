"""The exported model outside Spark: numpy reproduces the JVM's z_mean, z_std and neg_elbo on the
MNIST test images, from export/ (safetensors) and from data/ (model-lib format)."""

import os

import numpy as np
import pytest

import sparkvae
from sparkvae import VaeEstimator
from sparkvae.export import read_safetensors
from tests.helpers import MNIST, column, frame, read_idx_images

#: float32 on the JVM, float64 here: agreement to float32 precision.
RTOL = ATOL = 1e-5


def _mnist(name: str, limit: int = 0) -> np.ndarray:
    path = os.path.join(MNIST, name)
    if not os.path.isfile(path):
        pytest.fail(f"{path} is missing: run submit-scripts/fetch-data.sh mnist first")
    return read_idx_images(path, limit)


@pytest.fixture(scope="module")
def trained(spark, tmp_path_factory):
    """Pyro's MNIST VAE (784-400-50) after one epoch on 2,000 training images, saved."""
    train = frame(spark, _mnist("train-images-idx3-ubyte", 2000))
    model = VaeEstimator(epochs=1, replicas=1, seed=3).fit(train)
    path = str(tmp_path_factory.mktemp("export") / "model")
    model.save(path)
    return model, path


def _jvm_noise(spark, seed: int, count: int) -> np.ndarray:
    jvm = spark._jvm
    eps = jvm.io.sparkvae.spark.ml.VaeModel.scoreNoise(seed, 0, count)
    # One py4j call for the whole array: a little-endian byte[] arrives as Python bytes.
    buf = jvm.java.nio.ByteBuffer.allocate(4 * count).order(jvm.java.nio.ByteOrder.LITTLE_ENDIAN)
    buf.asFloatBuffer().put(eps)
    return np.frombuffer(bytes(buf.array()), dtype="<f4")


def test_numpy_reproduces_the_jvm_on_the_mnist_test_images(spark, trained):
    model, path = trained
    x = _mnist("t10k-images-idx3-ubyte")
    test = frame(spark, x, partitions=1)
    seed = 12
    out = model.copy().setNegElboCol("neg_elbo").setScoreSeed(seed).transform(test).cache()
    exported = sparkvae.load_exported(path)
    mean, std = exported.encode(x)
    np.testing.assert_allclose(mean, column(out, "z_mean"), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(std, column(out, "z_std"), rtol=RTOL, atol=ATOL)
    # One partition, one sample: the noise is the partition's stream in row order.
    eps = _jvm_noise(spark, seed, x.shape[0] * 50).reshape(x.shape[0], 50)
    jvm_score = column(out, "neg_elbo").ravel()
    score = exported.neg_elbo(x, eps)
    np.testing.assert_allclose(score, jvm_score, rtol=RTOL, atol=ATOL)
    print(f"max |numpy - JVM|: z_mean {np.max(np.abs(mean - column(out, 'z_mean'))):.2e}, "
          f"neg_elbo {np.max(np.abs(score - jvm_score)):.2e} (mean {jvm_score.mean():.3f} nats)")


def test_importance_weighted_scores_batch_by_batch(spark, trained):
    model, path = trained
    x = _mnist("t10k-images-idx3-ubyte", 1500)
    k, batch, seed = 3, 1024, 4
    out = model.copy().setNegElboCol("s").setNegElboSamples(k).setScoreSeed(seed).transform(
        frame(spark, x, partitions=1))
    noise = _jvm_noise(spark, seed, k * x.shape[0] * 50)
    exported = sparkvae.load_exported(os.path.join(path, "data"))  # the model-lib files this time
    scores, used = [], 0
    for start in range(0, x.shape[0], batch):
        rows = x[start:start + batch]
        n = k * rows.shape[0] * 50
        scores.append(exported.neg_elbo(rows, noise[used:used + n].reshape(k, rows.shape[0], 50)))
        used += n
    np.testing.assert_allclose(np.concatenate(scores), column(out, "s").ravel(), rtol=RTOL, atol=ATOL)


def test_the_safetensors_file_has_pytorch_names_and_the_model_values(trained):
    _, path = trained
    exported = sparkvae.load_exported(path)
    from_data = sparkvae.load_exported(os.path.join(path, "data"))
    assert sorted(exported.tensors) == sorted(from_data.tensors) == sorted([
        "encoder.fc1.weight", "encoder.fc1.bias", "encoder.fc_loc.weight", "encoder.fc_loc.bias",
        "encoder.fc_log_scale.weight", "encoder.fc_log_scale.bias", "decoder.fc1.weight",
        "decoder.fc1.bias", "decoder.fc_out.weight", "decoder.fc_out.bias"])
    for name, t in exported.tensors.items():
        np.testing.assert_array_equal(t, from_data.tensors[name], err_msg=name)
    assert exported.tensors["encoder.fc1.weight"].shape == (400, 784)
    assert exported.config["latentDim"] == 50
    assert [h["epoch"] for h in exported.training_history()] == [1]
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    official = safetensors_numpy.load_file(os.path.join(path, "export", "model.safetensors"))
    ours, meta = read_safetensors(os.path.join(path, "export", "model.safetensors"))
    assert meta["format"] == "sparkvae-vae-export"
    for name, t in ours.items():
        np.testing.assert_array_equal(official[name], t, err_msg=name)
