"""Data and session settings shared by the classic and the Spark Connect tests."""

import os

import numpy as np

from sparkvae.data import images_frame, read_idx_images  # noqa: F401 (re-exported for tests)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MNIST = os.path.join(REPO, "data", "mnist")

# DJL must never reach the network, on the driver and the executors (one JVM in local mode).
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("DJL_OFFLINE", "true")
os.environ.setdefault("OPT_OUT_TRACKING", "true")

#: Spark settings of every test session: small, quiet, no UI, no retries hiding a failure.
SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.stage.maxConsecutiveAttempts": "1",
    "spark.driver.memory": "1g",
    "spark.driver.extraJavaOptions": "-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1",
    "spark.executorEnv.OMP_NUM_THREADS": "1",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}

#: A small network for the fast tests: 16 inputs, 8 hidden, 2 latent, 1 epoch.
SMALL = dict(encoderHidden=[8], decoderHidden=[8], latentDim=2, epochs=1, replicas=2, batchSize=32, seed=7)


def synthetic(n: int = 256, d: int = 16, seed: int = 0) -> np.ndarray:
    """``n`` rows of ``d`` grey levels in [0, 1] (valid Bernoulli targets)."""
    return np.random.default_rng(seed).uniform(0.0, 1.0, size=(n, d)).astype(np.float32)


def frame(spark, x: np.ndarray, column: str = "features", partitions: int = 2):
    """A DataFrame with an ``id`` and an array<float> column, built through Arrow."""
    return images_frame(spark, x, column, partitions)


def column(df, name: str) -> np.ndarray:
    """A vector or array column of a DataFrame, ordered by ``id``, as a 2-D array."""
    rows = df.orderBy("id").select(name).collect()
    return np.array([np.asarray(r[0].toArray() if hasattr(r[0], "toArray") else r[0]) for r in rows])
