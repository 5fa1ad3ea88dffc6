#!/usr/bin/env bash
# Trains a VAE with Spark: submit-scripts/train.sh [spark-submit options] -- [job options]
# Example: submit-scripts/train.sh --master 'local[2]' -- --config conf/mnist.conf --epochs 1 --model-out /tmp/m
# Job options: --help lists every one with its default.
exec "$(dirname "$0")/lib/submit.sh" io.sparkvae.spark.jobs.TrainJob "$@"
