#!/usr/bin/env bash
# The README's first command: on a fresh machine, build SparkVAE, fetch MNIST, train Pyro's VAE
# with Spark in local mode (2 replicas), score the 10,000 test images to Parquet, and leave the
# model, the metrics, the scores and the report under runs/quickstart/.
# Usage: submit-scripts/quickstart.sh [EPOCHS]   (default 10: about a minute of training on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
source submit-scripts/env.sh

epochs="${1:-10}"
out="${SPARKVAE_QUICKSTART_DIR:-$SPARKVAE_HOME/runs/quickstart}"

if ! ls spark-job/target/spark-job-*-app.jar >/dev/null 2>&1 || [ ! -f spark-job/target/spark-classpath.txt ]; then
  echo "== building (mvn -B -DskipTests package)"
  mvn -B -q -DskipTests package
fi
echo "== fetching MNIST"
submit-scripts/fetch-data.sh mnist

mkdir -p "$out"
echo "== training: Spark local[2], 2 replicas, $epochs epochs (one line per epoch)"
submit-scripts/train.sh --master 'local[2]' -- \
  --config conf/mnist.conf --epochs "$epochs" --replicas 2 \
  --model-out "$out/model" --metrics-out "$out/metrics.jsonl" --report-dir "$out/report" --overwrite

echo "== scoring the test set into $out/scores (partition run_date=$(date +%F))"
submit-scripts/score.sh --master 'local[2]' -- \
  --model "$out/model" --input data/mnist/t10k-images-idx3-ubyte --input-format idx \
  --output "$out/scores" --run-date "$(date +%F)"

echo "== done"
echo "model:   $out/model"
echo "metrics: $out/metrics.jsonl"
echo "scores:  $out/scores"
echo "report:  $out/report/index.html"
tail -n 1 "$out/metrics.jsonl"
