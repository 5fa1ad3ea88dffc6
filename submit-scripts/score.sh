#!/usr/bin/env bash
# Scores rows with a trained model into one date partition of a Parquet dataset:
#   submit-scripts/score.sh [spark-submit options] -- --model PATH --input PATH [--input-format FMT] \
#       --output PATH --run-date YYYY-MM-DD
# Only that partition is replaced (atomically); other dates are untouched. --help lists every option.
exec "$(dirname "$0")/lib/submit.sh" io.sparkvae.spark.jobs.ScoreJob "$@"
