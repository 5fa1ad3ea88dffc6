#!/usr/bin/env bash
# The tabular benchmark on the flights data (issue "Tabular data"): trains a tabular VAE on a seeded
# sample of January-April 2001 with 2 replicas in local[2], scores a seeded sample of May-June with
# injected anomalies (1 %: another destination, distance kept; 1 %: distance x 3), and prints the
# held-out NLL per row (nats) of the VAE and of the independent-columns baseline and the AUROC of
# each score per anomaly kind (io.sparkvae.bench.TabularBench; see its class comment).
#
# Usage: submit-scripts/bench.sh --tabular [TRAIN_ROWS [HELD_ROWS [EPOCHS [COLUMN_KINDS [LATENT [HIDDEN [SCORE_SAMPLES [BETA [KL_WARMUP_STEPS]]]]]]]]]
#   defaults: 200000 100000 5 "" 16 256 1 1 ""; TRAIN_ROWS 0 = every January-April row; SCORE_SAMPLES: the
#   negElboSamples of the scores (above 1: importance-weighted bound), or several comma-separated ("8,64"):
#   the one model scores the same rows with each; BETA: the KL weight in training (the scores are always
#   the true bound, KL weight 1); KL_WARMUP_STEPS: optimizer steps over which the KL weight rises from 0
#   to BETA ("" = unset: the tabular default, 40 % of the run's steps; 0 = no warm-up).
# Environment: SPARKVAE_DRIVER_MEMORY (default 4g; about 9g for 1,200,000 training rows).
# Needs: mvn -B -DskipTests package, submit-scripts/fetch-data.sh flights. Logs in runs/bench-tabular/STAMP/.
set -euo pipefail
cd "$(dirname "$0")/../.."
case "${1:-}" in --help|-h) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
source submit-scripts/lib/bench-common.sh
find_bench_jar bench
data=data/flights/flights-3m.parquet
[ -f "$data" ] || { echo "bench: fetch the data first: submit-scripts/fetch-data.sh flights" >&2; exit 2; }
logs="runs/bench-tabular/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$logs"
echo "load: $(uptime)" | tee "$logs/load.txt" >&2
submit-scripts/lib/submit.sh io.sparkvae.bench.TabularBench --master 'local[2]' --jars "$bench_jar" -- \
  "$data" "${1:-200000}" "${2:-100000}" "${3:-5}" "${4:-}" "${5:-16}" "${6:-256}" "${7:-1}" "${8:-1}" "${9:-}" \
  > "$logs/result.txt" 2> "$logs/spark.log"
cat "$logs/result.txt"
echo "logs: $logs" >&2
