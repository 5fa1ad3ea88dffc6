#!/usr/bin/env bash
# SparkVAE's benchmark on MNIST with Pyro's settings, in one process tree and one sitting:
# 1. the limit: fp32 GEMM GFLOP/s on the network's own shapes and the FLOP-bound samples/s
#    (FlopBench of the bench module);
# 2. training samples/s: the single-process trainer (1 thread, all threads), Spark local[N] with N
#    replicas, and (full mode) a standalone cluster of 2 workers x 1 core from local-cluster.sh;
#    scaling efficiency and per cent of the FLOP bound;
# 3. seconds and bytes per averaging round and their share of a round (from the metrics file);
# 4. encoding rows/s: model-lib, VaeModel.transform, MLlib PCAModel.transform (k = 50);
# 5. (full mode) wall-clock seconds until test -ELBO <= 105 nats, single process vs Spark;
# 6. peak RSS of drivers and executors; (full mode) executor RSS at round 50 vs round 500.
# Speed rows are medians of REPS runs (3; 1 with --quick) with min-max; every ratio is computed
# from numbers of this run. The targets are reported, never enforced: the script fails only when
# a command fails.
#
# Usage: submit-scripts/bench.sh [--quick] [--write-doc] [EPOCHS]   (needs: mvn -B -DskipTests package)
#        submit-scripts/bench.sh --tabular [TRAIN_ROWS ...]   the flights benchmark (submit-scripts/lib/bench-tabular.sh --help)
#        submit-scripts/bench.sh --scaling [options]   the scale-out study (see submit-scripts/lib/bench-scaling.sh --help)
#        submit-scripts/bench.sh --peers [options]     SparkVAE beside plain PyTorch and Pyro (see submit-scripts/lib/bench-peers.sh --help)
#   --quick      a few minutes, for CI: 1 repetition, 2 epochs, no cluster, no time to quality,
#                no 500-round run (their rows say so)
#   --write-doc  also append the report, dated, to docs/BENCHMARKS.md
#   EPOCHS       epochs of each throughput run (default 4; 2 with --quick); samples/s of a run is
#                the median over its epochs after the first (warm-up)
# Environment: BENCH_REPS (repetitions), BENCH_TTQ_TARGET (105), BENCH_TTQ_MAX_EPOCHS (60),
# BENCH_ROUNDS_H (averaging steps of the long run, 5), BENCH_ROUNDS_EARLY / BENCH_ROUNDS_LATE (the
# rounds whose executor RSS it compares, 50 / 500).
# The Markdown report goes to stdout, progress to stderr; every log stays in runs/bench/STAMP/.
set -euo pipefail
cd "$(dirname "$0")/.."
source submit-scripts/env.sh
source submit-scripts/lib/bench-common.sh

if [ "${1:-}" = "--tabular" ]; then
  shift
  exec submit-scripts/lib/bench-tabular.sh "$@"
fi

if [ "${1:-}" = "--scaling" ]; then
  shift
  exec submit-scripts/lib/bench-scaling.sh "$@"
fi
if [ "${1:-}" = "--peers" ]; then
  shift
  exec submit-scripts/lib/bench-peers.sh "$@"
fi

quick=0
write_doc=0
epochs=""
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    --write-doc) write_doc=1 ;;
    --help|-h) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) epochs="$a" ;;
    *) echo "bench: unknown argument '$a' (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$epochs" ] || epochs=$([ "$quick" = 1 ] && echo 2 || echo 4)
reps="${BENCH_REPS:-$([ "$quick" = 1 ] && echo 1 || echo 3)}"
ttq_target="${BENCH_TTQ_TARGET:-105}"
ttq_max_epochs="${BENCH_TTQ_MAX_EPOCHS:-60}"
rounds_h="${BENCH_ROUNDS_H:-5}"
rounds_early="${BENCH_ROUNDS_EARLY:-50}"
rounds_late="${BENCH_ROUNDS_LATE:-500}"
cores=$(getconf _NPROCESSORS_ONLN)  # not nproc: it honours OMP_NUM_THREADS
app_jar=$(ls spark-job/target/spark-job-*-app.jar 2>/dev/null | head -n 1 || true)
[ -n "$app_jar" ] || { echo "bench: build first: mvn -B -DskipTests package" >&2; exit 2; }
# The benchmark programs are not in the application jar: the bench module's jar goes beside it.
find_bench_jar bench
submit-scripts/fetch-data.sh mnist >/dev/null

stamp=$(date -u +%Y%m%dT%H%M%SZ)
logs="$SPARKVAE_HOME/runs/bench/$stamp"
mkdir -p "$logs"
report="$logs/report.md"
commands="$logs/commands.txt"
: > "$report"; : > "$commands"

# --- cleanup: only what this script started -------------------------------------------------
cluster_dir="$logs/cluster"
cluster_started=0
watch_pid=""
cleanup() {
  if [ -n "$watch_pid" ]; then kill "$watch_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true; fi
  if [ "$cluster_started" = 1 ]; then
    SPARKVAE_CLUSTER_DIR="$cluster_dir" submit-scripts/local-cluster.sh stop >> "$logs/cluster.log" 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- helpers -----------------------------------------------------------------------------------
note() { echo "bench: $*" >&2; }
md() { printf '%s\n' "$*" | tee -a "$report"; }
record() { # the command as the report shows it: the JVM flags and jar by name
  local c="$*"
  c="${c//"$SPARKVAE_JAVA_OPTS"/\$SPARKVAE_JAVA_OPTS}"
  c="${c//"$app_jar"/\$APP_JAR}"
  c="${c//"$bench_jar"/\$BENCH_JAR}"
  c="${c//"$logs"/\$LOGS}"
  printf '%s\n' "$c" >> "$commands"
}
fail() { # fail NAME: shows the end of the log of the command that failed
  echo "bench: '$1' failed; the end of $logs/$1.log:" >&2
  tail -n 30 "$logs/$1.log" >&2 || true
  exit 1
}
timed() { # timed NAME CMD...: output in $logs/NAME.log, peak RSS of the process tree's largest in NAME.rss (kB)
  local name="$1"; shift
  record "$@"
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v -o "$logs/$name.time" "$@" > "$logs/$name.log" 2>&1 || fail "$name"
    awk -F': ' '/Maximum resident set size/ {print $2}' "$logs/$name.time" > "$logs/$name.rss"
  else
    "$@" > "$logs/$name.log" 2>&1 || fail "$name"
    echo "n/a" > "$logs/$name.rss"
  fi
}
stats() { # numbers on stdin, one per line (anything else ignored) -> "median min max" or "n/a n/a n/a"
  awk '$1 ~ /^-?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$/ {print $1}' | sort -g |
    awk '{a[NR] = $1} END {if (NR == 0) print "n/a n/a n/a"; else print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2), a[1], a[NR]}'
}
med() { echo "${1%% *}"; }
fmt3() { # fmt3 "median min max" [DECIMALS] -> "M (min–max)", "M" when one value, "n/a"
  awk -v s="$1" -v d="${2:-0}" 'BEGIN {split(s, a, " "); f = "%." d "f"
    if (a[1] == "n/a") print "n/a"; else if (a[2] == a[3]) printf f "\n", a[1]
    else printf f " (" f "–" f ")\n", a[1], a[2], a[3]}'
}
ratio() { awk -v a="$1" -v b="$2" -v m="${3:-1}" 'BEGIN {if (a == "n/a" || b == "n/a" || a == "" || b == "" || b * m == 0) print "n/a"; else printf "%.2f\n", a / (b * m)}'; }
pct() { awk -v a="$1" -v b="$2" -v m="${3:-1}" 'BEGIN {if (a == "n/a" || b == "n/a" || a == "" || b == "" || b * m == 0) print "n/a"; else printf "%.0f %%\n", 100 * a / (b * m)}'; }
verdict() { # verdict MEASURED OP LIMIT (numbers, "n/a" allowed) -> met / missed / n/a
  awk -v x="${1%% *}" -v op="$2" -v t="$3" 'BEGIN {if (x == "n/a" || x == "") {print "n/a"; exit}
    ok = (op == ">=") ? (x + 0 >= t + 0) : (x + 0 <= t + 0); print (ok ? "met" : "missed")}'
}
mib() { awk -v k="$1" 'BEGIN {if (k == "n/a" || k == "") print "n/a"; else printf "%.0f MiB\n", k / 1024}'; }
after_first() { tail -n +2; }
local_rate() { awk -F'\t' '$1 ~ /^[0-9]+$/ {print $3}' "$1" | after_first | stats | cut -d' ' -f1; }
spark_rate() { jget samples_per_sec "$1" | after_first | stats | cut -d' ' -f1; }
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo 7077
}
watch_executors() { # polls the peak RSS (VmHWM, kB) of this cluster's executors into FILE as "pid kB"
  while true; do
    # The run directory is in the executor's class path, before the main class.
    for pid in $(pgrep -f "$cluster_dir/.*CoarseGrainedExecutorBackend" 2>/dev/null || true); do
      awk -v p="$pid" '/^VmHWM:/ {print p, $2}' "/proc/$pid/status" 2>/dev/null || true
    done
    sleep 0.5
  done >> "$1"
}
executors_peak() { # FILE -> "count max_kB" over the executors seen
  awk '{if ($2 > m[$1]) m[$1] = $2} END {n = 0; x = 0; for (p in m) {n++; if (m[p] > x) x = m[p]}
    if (n == 0) print "0 n/a"; else print n, x}' "$1" 2>/dev/null || echo "0 n/a"
}

# --- header ------------------------------------------------------------------------------------
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //' || echo unknown)
mem=$(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null || echo "?")
java_v=$(java -version 2>&1 | head -n 1 | sed 's/.*version "\(.*\)".*/\1/')
spark_v=$(tr ':' '\n' < spark-job/target/spark-classpath.txt 2>/dev/null | sed -n 's#.*/spark-core_2.13-\(.*\)\.jar$#\1#p' | head -n 1)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
mode=$([ "$quick" = 1 ] && echo "--quick: one repetition, a subset" || echo "full: median of $reps repetitions (min–max)")
cmdline="submit-scripts/bench.sh $*"
md "### Benchmark $(date -u '+%F %H:%M UTC') ($mode)"
md ""
md "Machine: $cores cores ($cpu), $mem, Java $java_v, Spark ${spark_v:-?}, DJL 0.33.0 / PyTorch 2.5.1 (CPU); commit $commit."
md "Command: \`${cmdline% }\`; logs in \`runs/bench/$stamp/\`. Every JVM runs with \`\$SPARKVAE_JAVA_OPTS\` of submit-scripts/env.sh (OMP_NUM_THREADS=1, DJL offline)."
md ""

# --- 1. the limit -----------------------------------------------------------------------------
note "1/6 FLOP bound (FlopBench)"
flop_reps=$([ "$quick" = 1 ] && echo 3 || echo 5)
flop_seconds=$([ "$quick" = 1 ] && echo 0.05 || echo 0.1)
# shellcheck disable=SC2086
timed flopbench java -Xmx1g $SPARKVAE_JAVA_OPTS -cp "$app_jar:$bench_jar" io.sparkvae.bench.FlopBench \
  --threads "$cores" --reps "$flop_reps" --seconds "$flop_seconds"
bound() { # bound train|encode single|intraop|streams -> "median min max"
  awk -v s="$1" -v m="$2" '$1 == "bound" && $2 == s && $3 == m {print $4, $5, $6; f = 1} END {if (!f) print "n/a n/a n/a"}' "$logs/flopbench.log"
}
b_train_1=$(bound train single); b_train_n=$(bound train intraop); b_train_s=$(bound train streams)
b_enc_1=$(bound encode single); b_enc_s=$(bound encode streams)
md "#### 1. The limit: fp32 GEMM on the network's own shapes"
md ""
md "FlopBench, $flop_reps repetitions of ${flop_seconds} s per product. FLOPs per example (matrix products 2·in·out per layer; elementwise operations one FLOP per element each, a lower count; training = 3 × forward):"
md ""
awk '/^\| pass/,/^$/' "$logs/flopbench.log" | sed '/^$/d' | tee -a "$report"
md ""
awk '/^\| product/,/^$/' "$logs/flopbench.log" | sed '/^$/d' | tee -a "$report"
md ""
awk '/^\| mode/,/^$/' "$logs/flopbench.log" | sed '/^$/d' | tee -a "$report"
md ""
md "\"$cores streams × 1 thread\": $cores Java threads each running the products with one intra-op thread at the same time, as $cores Spark replicas of one core each do; it is the bound of the Spark rows below. \"$cores threads\": one process using $cores intra-op threads, the bound of the single-process trainer with \`--threads $cores\`."
md ""

# --- 2. training throughput -------------------------------------------------------------------
note "2-3/6 training throughput and averaging rounds: $reps repetition(s) of $epochs epochs each"
local_train() { # local_train THREADS REP
  # shellcheck disable=SC2086
  timed "local-$1-$2" java -Xmx4g $SPARKVAE_JAVA_OPTS -cp "$app_jar" io.sparkvae.model.cli.TrainLocal \
    --epochs "$epochs" --threads "$1"
}
spark_train() { # spark_train N REP
  timed "spark-$1-$2" submit-scripts/train.sh --master "local[$1]" -- --config conf/mnist.conf --epochs "$epochs" \
    --replicas "$1" --model-out "$logs/model-spark-$1-$2" --metrics-out "$logs/metrics-spark-$1-$2.jsonl"
}
cluster_train() { # cluster_train NAME EPOCHS [job options...]
  local name="$1" ep="$2"; shift 2
  # Executors run in the workers' directories: data paths must be absolute.
  watch_executors "$logs/$name.executors" & watch_pid=$!
  timed "$name" submit-scripts/train.sh --master "$(cat "$cluster_dir/master-url")" \
    --conf spark.cores.max=2 --conf spark.executor.memory=1g -- --config conf/mnist.conf --epochs "$ep" \
    --input "$SPARKVAE_HOME/data/mnist/train-images-idx3-ubyte" --validation-input "$SPARKVAE_HOME/data/mnist/t10k-images-idx3-ubyte" \
    --replicas 2 --model-out "$logs/model-$name" --metrics-out "$logs/metrics-$name.jsonl" "$@"
  kill "$watch_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true; watch_pid=""
}
if [ "$quick" = 0 ]; then
  port=$(free_port)
  note "starting a standalone cluster (2 workers x 1 core) on 127.0.0.1:$port"
  record "SPARKVAE_CLUSTER_DIR=\$LOGS/cluster SPARKVAE_MASTER_PORT=$port submit-scripts/local-cluster.sh start 2"
  cluster_started=1
  SPARKVAE_CLUSTER_DIR="$cluster_dir" SPARKVAE_MASTER_PORT="$port" submit-scripts/local-cluster.sh start 2 \
    > "$logs/cluster.log" 2>&1 || { tail -n 20 "$logs/cluster.log" >&2; exit 1; }
fi
for r in $(seq 1 "$reps"); do
  note "  repetition $r/$reps"
  local_train 1 "$r"
  local_train "$cores" "$r"
  spark_train "$cores" "$r"
  if [ "$quick" = 0 ]; then cluster_train "cluster-$r" "$epochs"; fi
done
one=$(for r in $(seq 1 "$reps"); do local_rate "$logs/local-1-$r.log"; done | stats)
all=$(for r in $(seq 1 "$reps"); do local_rate "$logs/local-$cores-$r.log"; done | stats)
sp=$(for r in $(seq 1 "$reps"); do spark_rate "$logs/metrics-spark-$cores-$r.jsonl"; done | stats)
cl=$([ "$quick" = 0 ] && for r in $(seq 1 "$reps"); do spark_rate "$logs/metrics-cluster-$r.jsonl"; done | stats || echo "n/a n/a n/a")
one_m=$(med "$one")
md "#### 2. Training throughput (MNIST, Pyro's settings, batch 256)"
md ""
md "samples/s of a run = median of its epochs 2..$epochs; the table gives the median of $reps run(s) (min–max). Scaling efficiency = samples/s / (replicas × single process at 1 thread)."
md ""
md "| trainer | samples/s | vs single process, 1 thread | scaling efficiency | FLOP bound used | % of FLOP bound |"
md "| --- | --- | --- | --- | --- | --- |"
md "| single process, 1 thread | $(fmt3 "$one") | 1.00x | | 1 thread: $(fmt3 "$b_train_1") | $(pct "$one_m" "$(med "$b_train_1")") |"
md "| single process, $cores threads | $(fmt3 "$all") | $(ratio "$(med "$all")" "$one_m")x | | $cores threads: $(fmt3 "$b_train_n") | $(pct "$(med "$all")" "$(med "$b_train_n")") |"
md "| Spark local[$cores], $cores replicas (defaults) | $(fmt3 "$sp") | $(ratio "$(med "$sp")" "$one_m")x | $(pct "$(med "$sp")" "$one_m" "$cores") | $cores streams: $(fmt3 "$b_train_s") | $(pct "$(med "$sp")" "$(med "$b_train_s")") |"
if [ "$quick" = 0 ]; then
  md "| Spark standalone, 2 workers × 1 core, 2 replicas | $(fmt3 "$cl") | $(ratio "$(med "$cl")" "$one_m")x | $(pct "$(med "$cl")" "$one_m" 2) | $cores streams: $(fmt3 "$b_train_s") | $(pct "$(med "$cl")" "$(med "$b_train_s")") |"
else
  md "| Spark standalone, 2 workers × 1 core, 2 replicas | not run (--quick) | | | | |"
fi
md ""

# --- 3. averaging rounds ------------------------------------------------------------------------
round_rows() { # metrics files -> per epoch after the first: seconds/round, averaging s/round, share, bytes/round
  local f
  for f in "$@"; do
    paste -d' ' <(jget seconds "$f") <(jget rounds "$f") <(jget averaging_seconds "$f") <(jget round_payload_bytes "$f") | after_first
  done | awk '{if ($1 == "n/a" || $2 == "n/a" || $2 == 0) next
    printf "%s %s %s %s\n", $1 / $2, ($3 == "n/a" ? "n/a" : $3 / $2), ($3 == "n/a" ? "n/a" : 100 * $3 / $1), $4}'
}
averaging_row() { # KEY LABEL metrics files...: a table row; the share's "median min max" in $logs/share-KEY
  local key="$1" label="$2" rows; shift 2
  rows=$(round_rows "$@")
  local rs as sh by
  rs=$(echo "$rows" | cut -d' ' -f1 | stats); as=$(echo "$rows" | cut -d' ' -f2 | stats)
  sh=$(echo "$rows" | cut -d' ' -f3 | stats); by=$(echo "$rows" | cut -d' ' -f4 | stats)
  md "| $label | $(fmt3 "$rs" 3) | $(fmt3 "$as" 3) | $(fmt3 "$sh" 1) % | $(fmt3 "$by") |"
  echo "$sh" > "$logs/share-$key"
}
md "#### 3. Averaging rounds (default averagingSteps, from the training runs above)"
md ""
md "Per epoch after the first, from the metrics file: a round's seconds = \`seconds\` / \`rounds\`; averaging = \`averaging_seconds\` / \`rounds\` (time of the epoch outside replica compute: broadcast, task launch, result transfer, the average); bytes = \`round_payload_bytes\` (broadcast + returned, n/a where the metrics file has no such field). Median over epochs and runs (min–max)."
md ""
md "| Spark | seconds per round | averaging seconds per round | averaging share of a round | bytes per round |"
md "| --- | --- | --- | --- | --- |"
averaging_row local "local[$cores], $cores replicas" $(for r in $(seq 1 "$reps"); do echo "$logs/metrics-spark-$cores-$r.jsonl"; done)
share_local=$(cat "$logs/share-local")
if [ "$quick" = 0 ]; then
  averaging_row cluster "standalone, 2 workers" $(for r in $(seq 1 "$reps"); do echo "$logs/metrics-cluster-$r.jsonl"; done)
else
  md "| standalone, 2 workers | not run (--quick) | | | |"
fi
md ""

# --- 4. encoding --------------------------------------------------------------------------------
note "4/6 encoding (fit a pipeline, check it in a fresh JVM, encode)"
fit_epochs=$([ "$quick" = 1 ] && echo 1 || echo 10)
enc_reps=$([ "$quick" = 1 ] && echo 1 || echo 5)  # the first repetition warms the JIT up
encode_bench() { # NAME mode args...
  local name="$1"; shift
  timed "$name" submit-scripts/lib/submit.sh io.sparkvae.bench.EncodeBench --master "local[$cores]" \
    --jars "$bench_jar" -- "$@"
}
encode_bench fit-pipeline fit-pipeline data/mnist "$logs/pipeline" "$fit_epochs"
encode_bench check-pipeline check-pipeline data/mnist "$logs/pipeline"
encode_bench encode encode data/mnist "$logs/pipeline" "$enc_reps"
rate() { awk -v k="$1" '$1 == "rate" && $2 == k {print $3, $4, $5; f = 1} END {if (!f) print "n/a n/a n/a"}' "$logs/encode.log"; }
e_lib=$(rate lib); e_tr=$(rate transform); e_pca=$(rate pca); e_scan=$(rate scan)
md "#### 4. Encoding the 60,000 training images (784 → 50)"
md ""
md "$(grep -h '^fit:' "$logs/fit-pipeline.log" || true) (pipeline VectorAssembler → VaeEstimator, local[$cores]). $(grep -h '^check:' "$logs/check-pipeline.log" | sed 's/^check: //' || true)."
md ""
md "Median of $enc_reps repetition(s) (min–max), rows/s:"
md ""
md "| encoder | rows/s | FLOP bound used | % of FLOP bound |"
md "| --- | --- | --- | --- |"
md "| model-lib \`VaeInference.encode\`, 1 thread, batches of 1024 | $(fmt3 "$e_lib") | 1 thread: $(fmt3 "$b_enc_1") | $(pct "$(med "$e_lib")" "$(med "$b_enc_1")") |"
md "| \`VaeModel.transform\` (z_mean, z_std), local[$cores], cached DataFrame, no-op sink | $(fmt3 "$e_tr") | $cores streams: $(fmt3 "$b_enc_s") | $(pct "$(med "$e_tr")" "$(med "$b_enc_s")") |"
md "| MLlib \`PCAModel.transform\`, k = 50, same rows | $(fmt3 "$e_pca") | | |"
md "| the cached DataFrame alone, no-op sink (no transform) | $(fmt3 "$e_scan") | | |"
md ""

# --- 5. time to quality -------------------------------------------------------------------------
ttq() { # ttq NAME KIND CMD...: runs until the test -ELBO <= target appears in its output, then stops it
  local name="$1" kind="$2"; shift 2
  record "$@"
  local start end pid found=""
  start=$(date +%s.%N)
  "$@" > "$logs/$name.log" 2>&1 & pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    found=$(ttq_epoch "$kind" "$logs/$name.log")
    if [ -n "$found" ]; then end=$(date +%s.%N); kill "$pid" 2>/dev/null || true; break; fi
    sleep 0.2
  done
  wait "$pid" 2>/dev/null || true
  if [ -z "$found" ]; then
    found=$(ttq_epoch "$kind" "$logs/$name.log"); end=$(date +%s.%N)
  fi
  if [ -z "$found" ]; then echo "n/a n/a n/a"; return; fi
  # epoch, training seconds summed to that epoch (validation excluded), process wall clock
  echo "$found $(ttq_train_seconds "$kind" "$logs/$name.log" "$found") $(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}')"
}
ttq_epoch() { # KIND LOG -> the first epoch whose test -ELBO <= target, or nothing
  if [ "$1" = local ]; then
    awk -F'\t' -v t="$ttq_target" '$1 ~ /^[0-9]+$/ && $5 != "" && $5 + 0 <= t {print $1; exit}' "$2"
  else
    awk -v t="$ttq_target" '/ epoch [0-9]+\/[0-9]+: .*validation -ELBO / {v = $0; sub(/.*validation -ELBO /, "", v); sub(/,.*/, "", v)
      e = $0; sub(/.* epoch /, "", e); sub(/\/.*/, "", e); if (v + 0 <= t) {print e; exit}}' "$2"
  fi
}
ttq_train_seconds() { # KIND LOG EPOCH -> training seconds of epochs 1..EPOCH
  if [ "$1" = local ]; then
    awk -F'\t' -v n="$3" '$1 ~ /^[0-9]+$/ && $1 + 0 <= n {s += $2} END {printf "%.1f", s}' "$2"
  else
    awk -v n="$3" '/ epoch [0-9]+\/[0-9]+: .*outside replica compute/ {e = $0; sub(/.* epoch /, "", e); sub(/\/.*/, "", e)
      x = $0; sub(/ s outside replica compute.*/, "", x); sub(/.* of /, "", x); if (e + 0 <= n) s += x} END {printf "%.1f", s}' "$2"
  fi
}
md "#### 5. Time to quality: test −ELBO ≤ $ttq_target nats"
md ""
if [ "$quick" = 0 ]; then
  note "5/6 time to quality (up to $ttq_max_epochs epochs each)"
  # shellcheck disable=SC2086
  t_local1=$(ttq ttq-local-1 local java -Xmx4g $SPARKVAE_JAVA_OPTS -cp "$app_jar" io.sparkvae.model.cli.TrainLocal \
    --epochs "$ttq_max_epochs" --threads 1)
  # shellcheck disable=SC2086
  t_localn=$(ttq "ttq-local-$cores" local java -Xmx4g $SPARKVAE_JAVA_OPTS -cp "$app_jar" io.sparkvae.model.cli.TrainLocal \
    --epochs "$ttq_max_epochs" --threads "$cores")
  t_spark=$(ttq ttq-spark spark submit-scripts/train.sh --master "local[$cores]" -- --config conf/mnist.conf \
    --epochs "$ttq_max_epochs" --replicas "$cores" --model-out "$logs/model-ttq-spark")
  md "One run each, stopped as soon as the test −ELBO after an epoch is ≤ $ttq_target (at most $ttq_max_epochs epochs). Training seconds: the epochs' own seconds summed (evaluation excluded); wall clock: the process from launch (JVM start, data loading, evaluations included) to the line that reports it."
  md ""
  md "| trainer | epochs | training seconds | wall-clock seconds |"
  md "| --- | --- | --- | --- |"
  for row in "single process, 1 thread|$t_local1" "single process, $cores threads|$t_localn" "Spark local[$cores], $cores replicas (defaults)|$t_spark"; do
    v="${row#*|}"
    if [ "${v%% *}" = "n/a" ]; then
      md "| ${row%%|*} | not reached in $ttq_max_epochs | | |"
    else
      read -r e s w <<< "$v"
      md "| ${row%%|*} | $e | $s | $w |"
    fi
  done
else
  md "Not run (--quick)."
fi
md ""

# --- 6. memory ------------------------------------------------------------------------------------
rss() { for r in $(seq 1 "$reps"); do cat "$logs/$1-$r.rss" 2>/dev/null || true; done | stats | cut -d' ' -f3; }
md "#### 6. Memory"
md ""
md "Peak RSS (\`/usr/bin/time -v\` on each JVM; executors of the standalone cluster: their VmHWM, polled), the largest over the runs:"
md ""
md "| process | peak RSS |"
md "| --- | --- |"
md "| single process, 1 thread ($epochs epochs) | $(mib "$(rss local-1)") |"
md "| single process, $cores threads | $(mib "$(rss "local-$cores")") |"
md "| Spark local[$cores] driver (= the executor in local mode) | $(mib "$(rss "spark-$cores")") |"
md "| EncodeBench encode driver, local[$cores] | $(mib "$(cat "$logs/encode.rss")") |"
if [ "$quick" = 0 ]; then
  ex=$(for r in $(seq 1 "$reps"); do executors_peak "$logs/cluster-$r.executors"; done | awk '{if ($2 != "n/a" && $2 > m) m = $2} END {print (m ? m : "n/a")}')
  md "| standalone cluster: driver | $(mib "$(rss cluster)") |"
  md "| standalone cluster: executors (largest) | $(mib "$ex") |"
else
  md "| standalone cluster: driver, executors | not run (--quick) |"
fi
md ""
rss50="n/a"; rss500="n/a"; rss_change="n/a"
if [ "$quick" = 0 ]; then
  # Rounds per epoch of 2 replicas: ceil(ceil(60000 / 2 / 256) / H); enough epochs for the late round.
  rpe=$(( ( (60000 / 2 + 255) / 256 + rounds_h - 1) / rounds_h ))
  r_epochs=$(( (rounds_late + rpe - 1) / rpe ))
  note "6/6 executor RSS over $((r_epochs * rpe)) rounds (averagingSteps $rounds_h, $r_epochs epochs on the cluster)"
  cluster_train rounds "$r_epochs" --averaging-steps "$rounds_h"
  mf="$logs/metrics-rounds.jsonl"
  paste -d' ' <(jget round "$mf") <(jget rounds "$mf") <(jget executor_rss_bytes "$mf") > "$logs/rounds.txt"
  # The global round at each epoch's end: the round field, else the sum of rounds so far.
  read -r at50 rss50 at500 rss500 <<< "$(awk '{c += ($2 == "n/a" ? 0 : $2); r = ($1 == "n/a" ? c : $1)
      if (!a && r >= e) {a = r; x = $3} if (!b && r >= l) {b = r; y = $3}}
      END {print (a ? a : "n/a"), (a ? x : "n/a"), (b ? b : "n/a"), (b ? y : "n/a")}' e="$rounds_early" l="$rounds_late" "$logs/rounds.txt")"
  rss_change=$(awk -v a="$rss50" -v b="$rss500" 'BEGIN {if (a == "n/a" || b == "n/a" || a == 0) print "n/a"; else printf "%+.1f\n", 100 * (b - a) / a}')
  rex=$(executors_peak "$logs/rounds.executors")
  md "Executor RSS over a long run: the standalone cluster, 2 replicas, \`--averaging-steps $rounds_h\` (so that $rounds_late rounds take minutes), $r_epochs epochs; \`executor_rss_bytes\` of the metrics file (the executors' largest VmRSS at the epoch's last round) at the first epoch end at or after round $rounds_early and round $rounds_late:"
  md ""
  md "| at round | executor RSS |"
  md "| --- | --- |"
  md "| $at50 | $(mib "$(awk -v b="$rss50" 'BEGIN {print (b == "n/a" ? "n/a" : b / 1024)}')") |"
  md "| $at500 | $(mib "$(awk -v b="$rss500" 'BEGIN {print (b == "n/a" ? "n/a" : b / 1024)}')") |"
  md "| change | $([ "$rss_change" = n/a ] && echo n/a || echo "$rss_change %") |"
  md ""
  md "Peak executor RSS over the whole run (VmHWM, polled): $(mib "${rex#* }") over ${rex%% *} executor(s)."
else
  md "Executor RSS at round $rounds_early vs round $rounds_late: not run (--quick)."
fi
md ""

# --- targets ---------------------------------------------------------------------------------------
p_one=$(pct "$one_m" "$(med "$b_train_1")" | cut -d' ' -f1)
x_sp=$(ratio "$(med "$sp")" "$one_m")
p_sp=$(pct "$(med "$sp")" "$(med "$b_train_s")" | cut -d' ' -f1)
p_lib=$(pct "$(med "$e_lib")" "$(med "$b_enc_1")" | cut -d' ' -f1)
p_tr=$(pct "$(med "$e_tr")" "$(med "$b_enc_s")" | cut -d' ' -f1)
s_avg=$(med "$share_local")
abs_change=$(awk -v c="$rss_change" 'BEGIN {if (c == "n/a") print "n/a"; else print (c < 0 ? -c : c)}')
md "#### Targets (issue #7; stated for a 2-core machine, this one has $cores) — measured / target"
md ""
md "| target | measured / target | |"
md "| --- | --- | --- |"
md "| single-process training, 1 thread, % of the 1-core FLOP bound | $p_one % / ≥ 70 % | $(verdict "$p_one" '>=' 70) |"
md "| Spark local[$cores], $cores replicas, vs single process at 1 thread | ${x_sp}x / ≥ 1.8x | $(verdict "$x_sp" '>=' 1.8) |"
md "| Spark local[$cores], $cores replicas, % of the $cores-core FLOP bound ($cores streams) | $p_sp % / ≥ 60 % | $(verdict "$p_sp" '>=' 60) |"
md "| averaging share of a round, default averagingSteps | $(awk -v s="$s_avg" 'BEGIN {if (s == "n/a") print "n/a"; else printf "%.1f", s}') % / ≤ 5 % | $(verdict "$s_avg" '<=' 5) |"
md "| encoding, model-lib, % of the forward FLOP bound (1 thread) | $p_lib % / ≥ 80 % | $(verdict "$p_lib" '>=' 80) |"
md "| encoding, DataFrame transform, % of the FLOP bound ($cores streams) | $p_tr % / ≥ 50 % | $(verdict "$p_tr" '>=' 50) |"
md "| executor RSS, round $rounds_late vs round $rounds_early | $([ "$rss_change" = n/a ] && echo "n/a" || echo "$rss_change %") / within ±5 % | $(verdict "$abs_change" '<=' 5) |"
md ""
md "Commands (in order; \$APP_JAR = \`${app_jar}\`, \$BENCH_JAR = \`${bench_jar}\`, \$LOGS = \`runs/bench/$stamp\`):"
md ""
md '```'
awk '!seen[$0]++' "$commands" | tee -a "$report"
md '```'

if [ "$write_doc" = 1 ]; then
  { echo; cat "$report"; } >> docs/BENCHMARKS.md
  note "appended to docs/BENCHMARKS.md"
fi
note "done; logs and report in $logs"
