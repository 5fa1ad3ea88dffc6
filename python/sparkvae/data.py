"""MNIST-style IDX image files as numpy arrays and Spark DataFrames (for examples and tests)."""

import struct
from typing import Any, Optional

import numpy as np


def read_idx_images(path: str, limit: int = 0) -> np.ndarray:
    """IDX images (uncompressed, as ``submit-scripts/fetch-data.sh`` leaves them) as float32 rows
    of grey levels in [0, 1], ``[images, rows * cols]``: what the JVM's IDX reader yields."""
    with open(path, "rb") as f:
        head = f.read(16)
        if len(head) < 16:
            raise ValueError(f"{path}: not an IDX image file (shorter than its 16-byte header)")
        magic, n, rows, cols = struct.unpack(">IIII", head)
        if magic != 2051:
            raise ValueError(f"{path}: not an IDX image file (magic {magic}, expected 2051)")
        n = min(n, limit) if limit else n
        raw = np.frombuffer(f.read(n * rows * cols), dtype=np.uint8)
    if raw.size != n * rows * cols:
        raise ValueError(f"{path}: truncated, {raw.size} bytes of pixels for {n} images of {rows}x{cols}")
    return (raw.reshape(n, rows * cols) / np.float32(255.0)).astype(np.float32)


def images_frame(spark: Any, x: np.ndarray, column: str = "features", partitions: Optional[int] = None) -> Any:
    """A DataFrame of ``id`` (row number) and ``column`` (array<float>), built through Arrow;
    works in classic PySpark and over Spark Connect.

    ``partitions`` None keeps Spark's own slicing of the local data (in classic PySpark contiguous
    row ranges, one per default parallelism, as the JVM's IDX reader makes them, so training sees
    the same shards); a number range-partitions by ``id`` (contiguous, sorted ranges).
    """
    import pandas as pd

    pdf = pd.DataFrame({"id": np.arange(len(x), dtype=np.int64), column: list(x)})
    df = _create_through_arrow(spark, pdf)
    if partitions is None:
        return df
    return df.repartitionByRange(partitions, "id").sortWithinPartitions("id")


def _create_through_arrow(spark: Any, pdf: Any) -> Any:
    # Classic PySpark converts pandas row by row (and cannot infer ndarray cells) unless Arrow is
    # on; Spark Connect always uses Arrow. The user's setting is restored.
    key = "spark.sql.execution.arrow.pyspark.enabled"
    from pyspark.sql.utils import is_remote

    if is_remote():
        return spark.createDataFrame(pdf)
    before = spark.conf.get(key, None)
    spark.conf.set(key, "true")
    try:
        return spark.createDataFrame(pdf)
    finally:
        if before is None:
            spark.conf.unset(key)
        else:
            spark.conf.set(key, before)
