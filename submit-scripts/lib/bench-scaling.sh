#!/usr/bin/env bash
# The scale-out study (submit-scripts/bench.sh --scaling): quality per epoch and predicted time to
# quality as the replicas grow, on shifted MNIST (600,000 rows; fetch-data.sh mnist-shifted).
# Usage: submit-scripts/bench.sh --scaling [--epochs E] [--replicas "1 2 4 8 16 32"] [--out DIR]
#            [--step-times] [--write-doc] [-- extra job options for every Spark run]
#   R = 1 is the single-process trainer (TrainLocal, 1 thread); R > 1 is Spark local[2] with R
#   replicas and default options except --replicas (and the extra options). Each run keeps its log
#   and metrics in DIR/rR/; a run whose results are complete is not run again, so the study can be
#   resumed, or extended with more R. --step-times measures the one-core time of a training step at
#   each per-replica minibatch (the time model's compute term). The report (DIR/scaling.md, and
#   DIR/scaling.png when matplotlib can be installed into runs/bench-venv) is printed at the end;
#   --write-doc appends it to docs/BENCHMARKS.md.
#   --round-costs measures the cost of an averaging round alone, apart from the quality runs: for
#   each R > 1, 3 epochs of MNIST's 60,000 rows (5 rounds per epoch at every R), once in Spark
#   local[2] and once on a standalone cluster of 2 one-core workers (local-cluster.sh, separate
#   executor JVMs), into DIR/costs-local/rR and DIR/costs-cluster/rR; the time model then takes o(R)
#   from the cluster (else local[2]) runs instead of the quality runs. With --round-costs the quality
#   runs are not run (their results, when DIR has them, are reported). Run it on a quiet machine.
# Environment: SCALING_BANDWIDTH_GBPS (network of the modelled cluster, default 10), SCALING_DRIVER_MEMORY
# (the local[2] driver's heap, default 12g).
set -euo pipefail
cd "$(dirname "$0")/../.."
source submit-scripts/env.sh

epochs=4
replicas="1 2 4 8 16 32"
out="runs/scaling"
step_times=0
round_costs=0
write_doc=0
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs="$2"; shift 2 ;;
    --replicas) replicas="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --step-times) step_times=1; shift ;;
    --round-costs) round_costs=1; shift ;;
    --write-doc) write_doc=1; shift ;;
    --help|-h) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "bench-scaling: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
app_jar=$(ls spark-job/target/spark-job-*-app.jar 2>/dev/null | head -n 1 || true)
[ -n "$app_jar" ] || { echo "bench-scaling: build first: mvn -B -DskipTests package" >&2; exit 2; }
submit-scripts/fetch-data.sh mnist-shifted >/dev/null
mkdir -p "$out"
note() { echo "bench-scaling: $*" >&2; }
# shellcheck disable=SC2086
trainlocal() { java -Xmx8g $SPARKVAE_JAVA_OPTS -Dai.djl.pytorch.num_threads=1 -cp "$app_jar" io.sparkvae.model.cli.TrainLocal "$@"; }

epochs_done() { # epochs_done DIR: epochs recorded by a run
  if [ -f "$1/metrics.jsonl" ]; then grep -c '"epoch"' "$1/metrics.jsonl" || true
  elif [ -f "$1/local.tsv" ]; then awk -F'\t' '$1 ~ /^[0-9]+$/' "$1/local.tsv" | wc -l
  else echo 0; fi
}

spark_train() { # spark_train DIR [spark-submit options] -- [job options]: one train.sh run, its log and metrics in DIR
  local d="$1"
  shift
  echo "train.sh $* ${extra[*]}" > "$d/command"
  submit-scripts/train.sh "$@" --model-out "$d/model" --metrics-out "$d/metrics.jsonl" "${extra[@]}" > "$d/log" 2>&1 \
    || { note "the run in $d failed; its log: $d/log"; tail -n 5 "$d/log" >&2; }
  rm -rf "$d/model"
}

cost_run() { # cost_run MASTER DIR R: 3 epochs of MNIST with R replicas, metrics into DIR
  mkdir -p "$2"
  if [ "$(epochs_done "$2")" -ge 3 ]; then note "round costs $2: done before, kept"; return; fi
  rm -f "$2/metrics.jsonl"
  note "round costs, R=$3 on $1 ($(date -u +%H:%M:%S))"
  spark_train "$2" --master "$1" -- --config conf/mnist.conf --epochs 3 --replicas "$3"
}

if [ "$round_costs" = 1 ]; then
  submit-scripts/fetch-data.sh mnist >/dev/null
  for r in $replicas; do [ "$r" -gt 1 ] && cost_run 'local[2]' "$out/costs-local/r$r" "$r"; done
  cluster_dir="$PWD/$out/local-cluster"
  export SPARKVAE_CLUSTER_DIR="$cluster_dir" SPARKVAE_WORKER_MEMORY=4g
  submit-scripts/local-cluster.sh start 2 >&2
  trap 'submit-scripts/local-cluster.sh stop >&2' EXIT
  for r in $replicas; do
    [ "$r" -gt 1 ] && cost_run "$(cat "$cluster_dir/master-url")" "$out/costs-cluster/r$r" "$r"
  done
  submit-scripts/local-cluster.sh stop >&2
  trap - EXIT
fi

for r in $replicas; do
  [ "$round_costs" = 1 ] && break # --round-costs measures only the round costs (and --step-times)
  d="$out/r$r"
  mkdir -p "$d"
  if [ "$(epochs_done "$d")" -ge "$epochs" ]; then note "R=$r: done before, kept"; continue; fi
  rm -f "$d/metrics.jsonl" "$d/local.tsv"
  note "R=$r: $epochs epochs ($(date -u +%H:%M:%S))"
  if [ "$r" = 1 ]; then
    echo "TrainLocal --input data/mnist-shifted/train-images-idx3-ubyte --epochs $epochs --threads 1" > "$d/command"
    trainlocal --input data/mnist-shifted/train-images-idx3-ubyte --epochs "$epochs" --threads 1 > "$d/local.tsv" 2> "$d/log" \
      || { note "R=1 failed; its log: $d/log"; tail -n 5 "$d/log" >&2; }
  else
    spark_train "$d" --master 'local[2]' --driver-memory "${SCALING_DRIVER_MEMORY:-12g}" -- --config conf/mnist.conf \
      --input data/mnist-shifted/train-images-idx3-ubyte --epochs "$epochs" --replicas "$r"
  fi
done

if [ "$step_times" = 1 ]; then
  # One-core samples/s at each per-replica minibatch, on 20,000 MNIST rows, median of epochs 2-3,
  # alternating the sizes twice (the machine is shared: ratios in one sitting).
  : > "$out/step-times.tsv"
  for rep in 1 2; do
    for b in 16 32 64 128 256; do
      trainlocal --epochs 3 --threads 1 --train-limit 20000 --batch-size "$b" 2>/dev/null \
        | awk -F'\t' -v b="$b" '$1 ~ /^[23]$/ {print b "\t" $3}' >> "$out/step-times.tsv"
    done
  done
fi

python3 submit-scripts/lib/scaling_report.py "$out" > "$out/scaling.md"
if [ ! -x runs/bench-venv/bin/python ] ; then
  python3 -m venv runs/bench-venv >/dev/null 2>&1 && runs/bench-venv/bin/pip install -q matplotlib >/dev/null 2>&1 || true
fi
if [ -x runs/bench-venv/bin/python ] && runs/bench-venv/bin/python -c 'import matplotlib' 2>/dev/null; then
  runs/bench-venv/bin/python submit-scripts/lib/scaling_report.py "$out" --plot "$out/scaling.png" >/dev/null
else
  note "matplotlib unavailable: no plot"
fi
cat "$out/scaling.md"
if [ "$write_doc" = 1 ]; then
  { echo; echo "### Scale-out study, $(date -u +%Y-%m-%d) (\`submit-scripts/bench.sh --scaling\`)"; echo; cat "$out/scaling.md"; } >> docs/BENCHMARKS.md
fi
