"""MNIST-style IDX image files as numpy arrays and Spark DataFrames (for examples and tests)."""

import struct
from typing import Any

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


def images_frame(spark: Any, x: np.ndarray, column: str = "features", partitions: int = 2) -> Any:
    """A DataFrame of ``id`` (row number) and ``column`` (array<float>), built through Arrow, in
    ``partitions`` partitions sorted by ``id``; works in classic PySpark and over Spark Connect."""
    import pandas as pd

    pdf = pd.DataFrame({"id": np.arange(len(x), dtype=np.int64), column: list(x)})
    return spark.createDataFrame(pdf).repartition(partitions, "id").sortWithinPartitions("id")
