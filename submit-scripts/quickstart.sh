#!/usr/bin/env bash
# The README's first command: on a fresh machine, build SparkVAE, fetch MNIST, train Pyro's VAE
# with Spark in local mode (2 replicas), and leave the model and metrics under runs/quickstart/.
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
  --model-out "$out/model" --metrics-out "$out/metrics.jsonl"

echo "== done: model in $out/model, metrics in $out/metrics.jsonl"
tail -n 1 "$out/metrics.jsonl"
