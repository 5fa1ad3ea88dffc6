"""Pyro's MNIST VAE from Python, as submit-scripts/quickstart.sh trains it from the JVM.

    python python/examples/quickstart.py [--connect] [--epochs 10] [--out runs/python-quickstart]

Trains 784-400-50 (conf/mnist.conf: Adam 1e-3, minibatches of 256, seed 42) with 2 replicas in
local[2], saves the model, scores the 10,000 test images and prints the test -ELBO (the mean of
neg_elbo, nats) and the parameters' SHA-256 from data/model.json, which equals the Java
quickstart's when the bits are the same. Classic PySpark by default; --connect runs the same over
a local Spark Connect server.
"""

import argparse
import json
import os
import time

import sparkvae
from pyspark.sql import SparkSession
from sparkvae import VaeEstimator, VaeModel
from sparkvae.data import images_frame, read_idx_images

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--connect", action="store_true")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--out", default=os.path.join(REPO, "runs", "python-quickstart"))
    ap.add_argument("--idx-reader", action="store_true",
                    help="classic only: read the IDX files with the JVM's reader, as TrainJob does")
    args = ap.parse_args()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("DJL_OFFLINE", "true")
    os.environ.setdefault("OPT_OUT_TRACKING", "true")
    builder = SparkSession.builder.remote("local[2]") if args.connect else SparkSession.builder.master("local[2]")
    spark = (builder.config("spark.jars", sparkvae.jar_path())
             .config("spark.driver.memory", "2g")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.extraJavaOptions", "-Dai.djl.offline=true")
             .getOrCreate())
    mnist = os.path.join(REPO, "data", "mnist")
    if args.idx_reader:
        from pyspark.sql import DataFrame

        jdf = spark._jvm.io.sparkvae.spark.jobs.IdxRelation.read(
            spark._jsparkSession, os.path.join(mnist, "train-images-idx3-ubyte"), 2)
        train = DataFrame(jdf, spark)
    else:
        train = images_frame(spark, read_idx_images(os.path.join(mnist, "train-images-idx3-ubyte")))
    test = images_frame(spark, read_idx_images(os.path.join(mnist, "t10k-images-idx3-ubyte")))
    t0 = time.time()
    model = VaeEstimator(epochs=args.epochs, replicas=2, seed=42, negElboCol="neg_elbo").fit(train)
    fit_s = time.time() - t0
    path = os.path.join(args.out, "model")
    model.write().overwrite().save(path)
    t0 = time.time()
    mean = VaeModel.load(path).transform(test).agg({"neg_elbo": "avg"}).first()[0]
    score_s = time.time() - t0
    with open(os.path.join(path, "data", "model.json"), encoding="utf-8") as f:
        sha = json.load(f)["parameters"]["sha256"]
    history = sparkvae.training_history(path)
    print(json.dumps({"mode": "connect" if args.connect else "classic", "epochs": args.epochs,
                      "fit_seconds": round(fit_s, 1), "score_seconds": round(score_s, 1),
                      "test_neg_elbo": mean, "last_train_neg_elbo": history[-1]["trainNegElbo"],
                      "parameters_sha256": sha}))
    spark.stop()


if __name__ == "__main__":
    main()
