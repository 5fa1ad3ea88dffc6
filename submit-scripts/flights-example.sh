#!/usr/bin/env bash
# The tabular end-to-end example (issue "Tabular data") on the flights data (vega-datasets@3.2.1,
# 3,000,000 US flights of January-June 2001): trains a tabular VAE on January-April (date, delay,
# distance, origin, destination; hour of day and day of week from the date; contamination 1 %),
# scores every day of May and June into daily partitions with ScoreJob (one application, each
# partition replaced atomically), and writes a report: learning curve, per-column contributions,
# each day's most anomalous flights with the column that made them anomalous.
#
# Usage: submit-scripts/flights-example.sh [EPOCHS]   (default 3)
# Environment: SPARKVAE_FLIGHTS_SAMPLE (train on 1 in N January-April flights, by a hash of the
# row; default 10: the one-hot rows of 229 airports are ~500 floats, and all 2 million rows would
# need ~4 GiB packed, more than the default 4g driver heap in local mode: the job says so and names
# --driver-memory), SPARKVAE_FLIGHTS_DIR (default runs/flights).
set -euo pipefail
cd "$(dirname "$0")/.."
source submit-scripts/env.sh

epochs="${1:-3}"
sample="${SPARKVAE_FLIGHTS_SAMPLE:-10}"
out="${SPARKVAE_FLIGHTS_DIR:-$SPARKVAE_HOME/runs/flights}"
data=data/flights/flights-3m.parquet

if ! ls spark-job/target/spark-job-*-app.jar >/dev/null 2>&1; then
  echo "== building (mvn -B -DskipTests package)"
  mvn -B -q -DskipTests package
fi
submit-scripts/fetch-data.sh flights
mkdir -p "$out"

echo "== training on January-April (1 in $sample flights), local[2], 2 replicas, $epochs epochs"
submit-scripts/train.sh --master 'local[2]' -- \
  --tabular --input "$data" --input-format parquet \
  --feature-columns date,delay,distance,origin,destination --timestamp-features --contamination 0.01 \
  --input-filter "date < timestamp_ntz'2001-05-01 00:00:00' AND pmod(hash(date, origin, destination, delay), $sample) = 0" \
  --latent-dim 16 --encoder-hidden 256 --decoder-hidden 256 --batch-size 512 --epochs "$epochs" --replicas 2 \
  --model-out "$out/model" --metrics-out "$out/metrics.jsonl" --overwrite

echo "== scoring every day of May and June into $out/scores/run_date=YYYY-MM-DD"
submit-scripts/score.sh --master 'local[2]' -- \
  --model "$out/model" --input "$data" --input-format parquet --date-column date \
  --run-date 2001-05-01..2001-06-30 --id-columns date,origin,destination,delay,distance --output "$out/scores"

echo "== report"
rm -rf "$out/report.tmp"
submit-scripts/lib/submit.sh io.sparkvae.spark.report.TabularReport --master 'local[2]' -- \
  "$out/model" "$out/scores" "$out/report.tmp" 5
rm -rf "$out/report" && mv "$out/report.tmp" "$out/report"
echo "== done: $out/report/index.html"
