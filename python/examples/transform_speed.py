"""transform rows/s from Python (the VaeModel wrapper) against the JVM stage called directly, on
the same cached data in the same local[2] session, alternating sittings.

    python python/examples/transform_speed.py MODEL_DIR [--copies 3] [--sittings 3]

The rows are the 60,000 MNIST training images read by the JVM's IDX reader, repeated ``copies``
times and cached; each sitting scores them into Spark's ``noop`` sink (z_mean, z_std, neg_elbo).
"""

import argparse
import json
import os
import time

import sparkvae
from pyspark.sql import DataFrame, SparkSession
from sparkvae import VaeModel

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def timed(df: DataFrame) -> float:
    t0 = time.time()
    df.write.format("noop").mode("overwrite").save()
    return time.time() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--sittings", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    spark = (SparkSession.builder.master("local[2]").config("spark.jars", sparkvae.jar_path())
             .config("spark.driver.memory", "3g").config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.extraJavaOptions", "-Dai.djl.offline=true").getOrCreate())
    jdf = spark._jvm.io.sparkvae.spark.jobs.IdxRelation.read(
        spark._jsparkSession, os.path.join(REPO, "data", "mnist", "train-images-idx3-ubyte"), 2)
    base = DataFrame(jdf, spark).select("id", "features")
    data = base
    for _ in range(args.copies - 1):
        data = data.unionAll(base)
    data = data.repartition(2).cache()
    rows = data.count()
    model = VaeModel.load(args.model).setNegElboCol("neg_elbo")
    java_model = spark._jvm.io.sparkvae.spark.ml.VaeModel.load(args.model).setNegElboCol("neg_elbo")
    timed(model.transform(data))  # warm-up: the executor's native model, JIT
    py, jvm = [], []
    for _ in range(args.sittings):
        py.append(rows / timed(model.transform(data)))
        jvm.append(rows / timed(DataFrame(java_model.transform(data._jdf), spark)))
    print(json.dumps({"rows": rows, "python_rows_per_s": [round(v) for v in py],
                      "jvm_rows_per_s": [round(v) for v in jvm],
                      "python_over_jvm_median": sorted(py)[len(py) // 2] / sorted(jvm)[len(jvm) // 2]}))
    spark.stop()


if __name__ == "__main__":
    main()
