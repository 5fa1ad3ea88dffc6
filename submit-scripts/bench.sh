#!/usr/bin/env bash
# MNIST with Pyro's settings, measured in one sitting on this machine:
# 1. training throughput: the single-process trainer at 1 and at all threads, Spark local[N] with
#    N replicas;
# 2. the Spark ML API: Pipeline(VectorAssembler -> VaeEstimator) fitted and saved, then loaded in a
#    fresh JVM to score the test set (mean -ELBO against model-lib's own evaluation);
# 3. encoding rows/s: model-lib directly, VaeModel.transform, MLlib PCAModel.transform (k = 50).
# Usage: submit-scripts/bench.sh [--quick] [EPOCHS]   (needs: mvn -B -DskipTests package)
# Prints a Markdown table; the median of the per-epoch samples/s after the first (warm-up) epoch.
set -euo pipefail
cd "$(dirname "$0")/.."
source submit-scripts/env.sh

quick=0
if [ "${1:-}" = "--quick" ]; then quick=1; shift; fi
epochs="${1:-$([ "$quick" = 1 ] && echo 2 || echo 4)}"
cores=$(getconf _NPROCESSORS_ONLN)  # not nproc: it honours OMP_NUM_THREADS
app_jar=$(ls spark-job/target/spark-job-*-app.jar 2>/dev/null | head -n 1 || true)
[ -n "$app_jar" ] || { echo "bench: build first: mvn -B -DskipTests package" >&2; exit 2; }
submit-scripts/fetch-data.sh mnist >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

median_after_first() { # reads numbers, one per line; prints the median of all but the first
  tail -n +2 | sort -g | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
}

local_run() { # local_run THREADS -> samples/s
  # shellcheck disable=SC2086
  java -Xmx4g $SPARKVAE_JAVA_OPTS -cp "$app_jar" io.sparkvae.model.cli.TrainLocal \
    --data data/mnist --epochs "$epochs" --threads "$1" > "$out/local-$1.log" 2>&1
  awk -F'\t' '$1 ~ /^[0-9]+$/ {print $3}' "$out/local-$1.log" | median_after_first
}

spark_run() { # spark_run N -> samples/s
  submit-scripts/train.sh --master "local[$1]" -- --config conf/mnist.conf --epochs "$epochs" \
    --replicas "$1" --model-out "$out/model-$1" --metrics-out "$out/metrics-$1.jsonl" > "$out/spark-$1.log" 2>&1
  grep -o '"samples_per_sec":[0-9.e+]*' "$out/metrics-$1.jsonl" | cut -d: -f2 | median_after_first
}

echo "machine: $cores cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%F)"
echo "command: submit-scripts/bench.sh $([ "$quick" = 1 ] && echo --quick) $epochs"
echo
one=$(local_run 1)
all=$(local_run "$cores")
sp=$(spark_run "$cores")
echo "| trainer | samples/s (median of epochs 2..$epochs) | vs single-process 1 thread |"
echo "| --- | --- | --- |"
echo "| single process, 1 thread | $one | 1.00x |"
echo "| single process, $cores threads | $all | $(awk -v a="$all" -v b="$one" 'BEGIN {printf "%.2fx", a/b}') |"
echo "| Spark local[$cores], $cores replicas (defaults) | $sp | $(awk -v a="$sp" -v b="$one" 'BEGIN {printf "%.2fx", a/b}') |"
echo

bench() { submit-scripts/lib/submit.sh io.sparkvae.spark.bench.EncodeBench --master "local[$cores]" -- "$@" 2>"$out/bench-$1.err"; }
fit_epochs=$([ "$quick" = 1 ] && echo 1 || echo 10)
bench fit-pipeline data/mnist "$out/pipeline" "$fit_epochs" | grep -E '^(fit|pipeline)'
bench check-pipeline data/mnist "$out/pipeline" | grep '^check'
echo
bench encode data/mnist "$out/pipeline" "$([ "$quick" = 1 ] && echo 1 || echo 3)" | grep -E '^(encode|\|)'
