#!/usr/bin/env bash
# SparkVAE beside its peers (submit-scripts/bench.sh --peers): training samples/s of Pyro's MNIST VAE
# as SparkVAE's single-process trainer, a plain PyTorch program and a Pyro program run it
# (submit-scripts/lib/peers.py), 1 and 2 threads each, and SparkVAE in Spark local[2] with 2
# replicas (synchronous rounds, and rounds that overlap compute: --overlap-steps 10), in one
# sitting, alternating the programs REPS times so that a noisy machine hurts them alike. samples/s
# of a run is the median of its epochs after the first (warm-up); a row's figure is the median of
# its REPS runs, with min-max. The FLOP bound (FlopBench) is measured before and after the runs, and
# each SparkVAE row gets its share of the bound that applies to it; the Spark rows also report the
# share of an epoch outside replica compute, where the two cores' time went by thread CPU time
# (submit-scripts/lib/thread-cpu.py) and the first epoch's speed against the steady one.
# The ceiling of 2 replicas on 2 cores is measured too, not only the FLOP bound: two TrainLocal
# processes at once, each on a core of its own (taskset) at the replica's minibatch (the conf's
# batch-size shared by 2 replicas, as scaleOut=auto does), their samples/s summed; each Spark row
# gets its share of that figure.
# Usage: submit-scripts/bench.sh --peers [--epochs E] [--reps N]   (default 3 epochs, 2 repetitions;
#        needs: mvn -B -DskipTests package, and MNIST: submit-scripts/fetch-data.sh mnist)
# Installs what it needs: PyTorch from Debian (python3-torch 1.13 with OpenBLAS, through apt-get;
# PyPI's torch wheels pull gigabytes of CUDA libraries) and pyro-ppl 1.8.6 from PyPI into runs/peers-venv (a
# virtual environment that sees the system's torch). The Markdown report goes to stdout, progress
# to stderr, logs to runs/peers/STAMP/.
set -euo pipefail
cd "$(dirname "$0")/../.."
source submit-scripts/env.sh
source submit-scripts/lib/bench-common.sh

epochs=3
reps=2
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --help|-h) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-peers: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ "$epochs" -ge 2 ] || { echo "bench-peers: --epochs must be at least 2 (the first is warm-up)" >&2; exit 2; }
note() { echo "bench-peers: $*" >&2; }
app_jar=$(ls spark-job/target/spark-job-*-app.jar 2>/dev/null | head -n 1 || true)
[ -n "$app_jar" ] || { echo "bench-peers: build first: mvn -B -DskipTests package" >&2; exit 2; }
find_bench_jar bench-peers
command -v taskset >/dev/null || { echo "bench-peers: needs taskset (Debian: apt-get install util-linux)" >&2; exit 2; }
submit-scripts/fetch-data.sh mnist >/dev/null

# Debian's torch lives in the system Python's dist-packages: the venv is made from that Python
# (a python3 of pyenv or conda on the PATH would not see it).
sys_python=/usr/bin/python3
[ -x "$sys_python" ] || sys_python=$(command -v python3)
# Debian's torch computes its matrix products through libblas.so.3: with the reference BLAS alone
# (all python3-torch pulls in) an epoch takes minutes, so OpenBLAS is installed beside it.
debs=(python3-torch libopenblas0-pthread)
if ! "$sys_python" -c 'import torch' 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  note "installing ${debs[*]} from Debian"
  command -v apt-get >/dev/null || { echo "bench-peers: needs ${debs[*]} (Debian) or torch importable by $sys_python" >&2; exit 2; }
  (apt-get install -y -q --no-install-recommends "${debs[@]}" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${debs[@]}" >/dev/null; }) \
    || { echo "bench-peers: apt-get install ${debs[*]} failed (run as root, or install them)" >&2; exit 2; }
fi
venv=runs/peers-venv
if ! "$venv/bin/python" -c 'import pyro, torch' 2>/dev/null; then
  note "installing pyro-ppl 1.8.6 into $venv"
  "$sys_python" -m venv --system-site-packages "$venv"
  "$venv/bin/pip" install -q pyro-ppl==1.8.6 >&2
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
logs="runs/peers/$stamp"
mkdir -p "$logs"
results="$logs/results.tsv"   # program threads rep samples/s
: > "$results"

median_after_first() { # the median of stdin's numbers but the first
  tail -n +2 | sort -g | awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}

train_local() { # heap log-name threads [TrainLocal options] -> its samples/s (median of epochs 2-E)
  local heap="$1" name="$2" threads="$3"
  shift 3
  # shellcheck disable=SC2086
  java -Xmx"$heap" $SPARKVAE_JAVA_OPTS -Dai.djl.pytorch.num_threads="$threads" -cp "$app_jar" io.sparkvae.model.cli.TrainLocal \
    --epochs "$epochs" --threads "$threads" "$@" > "$logs/$name.tsv" 2> "$logs/$name.log"
  awk -F'\t' '$1 ~ /^[0-9]+$/ {print $3}' "$logs/$name.tsv" | median_after_first
}

run_sparkvae_local() { # threads rep
  train_local 4g "sparkvae-$1-$2" "$1"
}

# The replica's minibatch in the Spark runs: conf/mnist.conf's batch-size shared by their 2 replicas.
replica_batch=$(( $(awk -F'= *' '$1 ~ /^batch-size/ {print $2}' conf/mnist.conf) / 2 ))
pair_row="SparkVAE single process x 2 (2 processes at once, 1 core and 1 thread each, batch $replica_batch)"

run_sparkvae_pair() { # rep -> summed samples/s of two one-thread TrainLocal processes at once, one per core
  local i
  # Each subshell pins itself to its core before starting the JVM, which inherits the pinning; awk
  # reads both medians and sums them once both subshells have closed the pipe.
  for i in 0 1; do
    (taskset -p -c "$i" "$BASHPID" > /dev/null && train_local 2g "sparkvae-pair$i-$1" 1 --batch-size "$replica_batch") &
  done | awk '{s += $1} END {print s}'
}

run_peer() { # impl threads rep
  OMP_NUM_THREADS="$2" "$venv/bin/python" submit-scripts/lib/peers.py --impl "$1" --data data/mnist --epochs "$epochs" \
    --threads "$2" > "$logs/$1-$2-$3.tsv" 2> "$logs/$1-$2-$3.log"
  awk -F'\t' '$3 ~ /^[0-9]+$/ {print $5}' "$logs/$1-$2-$3.tsv" | median_after_first
}

run_spark() { # name rep [trainer options]: Spark local[2], 2 replicas, the quickstart's training
  local name="$1" rep="$2"; shift 2
  # train.sh execs the driver's JVM, whose threads thread-cpu.py samples until it exits.
  submit-scripts/train.sh --master 'local[2]' -- --config conf/mnist.conf --epochs "$epochs" --replicas 2 "$@" \
    --model-out "$logs/$name-model-$rep" --metrics-out "$logs/$name-$rep.jsonl" > "$logs/$name-$rep.log" 2>&1 &
  local pid=$!
  submit-scripts/lib/thread-cpu.py sample "$pid" "$logs/$name-$rep.cpu" &
  wait "$pid"
  wait
  rm -rf "$logs/$name-model-$rep"
  spark_epochs "$logs/$name-$rep.jsonl" | awk '{print $2}' | median_after_first
}

spark_epochs() { # metrics.jsonl -> "epoch samples/s outside-share" per epoch
  paste -d' ' <(jget epoch "$1") <(jget samples_per_sec "$1") <(jget seconds "$1") <(jget averaging_seconds "$1") \
    | awk '$3 > 0 {print $1, $2, $4 / $3}'
}

flop_bounds() { # label -> FlopBench's training bounds into $logs/flopbench-label.log
  # shellcheck disable=SC2086
  java -Xmx1g $SPARKVAE_JAVA_OPTS -cp "$app_jar:$bench_jar" io.sparkvae.bench.FlopBench --threads 2 --reps 5 \
    --seconds 0.1 > "$logs/flopbench-$1.log" 2>&1
}
bound() { # label single|intraop|streams -> the median training bound, samples/s
  awk -v m="$2" '$1 == "bound" && $2 == "train" && $3 == m {print $4; f = 1} END {if (!f) print "nan"}' "$logs/flopbench-$1.log"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
note "FLOP bound before the runs (FlopBench)"
flop_bounds before
for rep in $(seq 1 "$reps"); do
  for threads in 1 2; do
    note "rep $rep, $threads thread(s): SparkVAE TrainLocal ($(date -u +%H:%M:%S))"
    printf 'SparkVAE single process (TrainLocal)\t%s\t%s\t%s\n' "$threads" "$rep" "$(run_sparkvae_local "$threads" "$rep")" >> "$results"
    note "rep $rep, $threads thread(s): plain PyTorch"
    printf 'PyTorch (plain program, tensor minibatches)\t%s\t%s\t%s\n' "$threads" "$rep" "$(run_peer pytorch "$threads" "$rep")" >> "$results"
    note "rep $rep, $threads thread(s): Pyro"
    printf 'Pyro (SVI, Trace_ELBO)\t%s\t%s\t%s\n' "$threads" "$rep" "$(run_peer pyro "$threads" "$rep")" >> "$results"
  done
  note "rep $rep: 2 TrainLocal processes at once, one per core, batch $replica_batch"
  printf '%s\t2\t%s\t%s\n' "$pair_row" "$rep" "$(run_sparkvae_pair "$rep")" >> "$results"
  note "rep $rep: SparkVAE Spark local[2], 2 replicas, synchronous rounds"
  printf 'SparkVAE Spark local[2], 2 replicas\t2\t%s\t%s\n' "$rep" "$(run_spark spark "$rep")" >> "$results"
  note "rep $rep: SparkVAE Spark local[2], 2 replicas, --overlap-steps 10"
  printf 'SparkVAE Spark local[2], 2 replicas, --overlap-steps 10\t2\t%s\t%s\n' "$rep" \
    "$(run_spark spark-overlap "$rep" --overlap-steps 10)" >> "$results"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
note "FLOP bound after the runs (FlopBench)"
flop_bounds after

torch_version=$("$venv/bin/python" -c 'import torch; print(torch.__version__)')
pyro_version=$("$venv/bin/python" -c 'import pyro; print(pyro.__version__)')
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo "#### Peers ($(date -u '+%Y-%m-%d %H:%M UTC'), $(getconf _NPROCESSORS_ONLN) cores of $cpu)"
echo
echo "\`submit-scripts/bench.sh --peers --epochs $epochs --reps $reps\`: MNIST, Pyro's network and settings, batch 256;"
echo "samples/s = median of epochs 2-$epochs of a run, then median (min-max) of $reps alternated runs."
echo "PyTorch $torch_version (Debian), pyro-ppl $pyro_version, DJL 0.33.0 / libtorch 2.5.1. Load average before: $load_before, after: $load_after."
echo
echo "FLOP bound of a training step (FlopBench, fp32 GEMM on the network's own shapes, training = 3 × forward), samples/s before / after the runs:"
echo "one thread $(bound before single) / $(bound after single); one process with 2 threads $(bound before intraop) / $(bound after intraop);"
echo "2 streams of one thread each, the bound of 2 replicas on 2 cores, $(bound before streams) / $(bound after streams). A SparkVAE row's share"
echo "of its bound uses the mean of before and after. The Spark rows' replicas each step minibatches of $replica_batch"
echo "(batch-size $((replica_batch * 2)) shared by 2 replicas); the row \"x 2\" is what two one-core processes at that minibatch do"
echo "with nothing else on the machine: the ceiling of 2 replicas here, of which the last column gives each Spark row's share."
echo
echo "| program | threads | samples/s, median (min-max) | ratio to SparkVAE single process, same threads | share of its FLOP bound | share of 2 one-core processes at batch $replica_batch |"
echo "| --- | --- | --- | --- | --- | --- |"
awk -F'\t' -v b1="$(bound before single)" -v a1="$(bound after single)" -v bi="$(bound before intraop)" \
  -v ai="$(bound after intraop)" -v bs="$(bound before streams)" -v as="$(bound after streams)" -v pair="$pair_row" '
  { key = $1 "\t" $2; if (!(key in n)) order[++k] = key; v[key, ++n[key]] = $4 }
  function median(key,   i, j, t, m, a) {
    m = n[key]; for (i = 1; i <= m; i++) a[i] = v[key, i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    lo[key] = a[1]; hi[key] = a[m]
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
  }
  function share(name, threads,   b) { # the bound a SparkVAE row runs against
    if (name ~ /^SparkVAE Spark/ || name == pair) b = (bs + as) / 2
    else if (name ~ /^SparkVAE single/) b = threads == 1 ? (b1 + a1) / 2 : (bi + ai) / 2
    else return ""
    return b > 0 ? sprintf("%.0f %%", 100 * med[name "\t" threads] / b) : ""
  }
  END {
    for (i = 1; i <= k; i++) med[order[i]] = median(order[i])
    for (i = 1; i <= k; i++) {
      key = order[i]; split(key, f, "\t")
      base = med["SparkVAE single process (TrainLocal)\t" f[2]]
      ratio = (base > 0 && f[1] !~ /^SparkVAE single/) ? sprintf("%.2f", med[key] / base) : (f[1] ~ /^SparkVAE single/ ? "1" : "")
      if (f[1] == pair) ratio = base > 0 ? sprintf("%.2f", med[key] / base) : ""
      ceiling = med[pair "\t2"]
      of_pair = (f[1] ~ /^SparkVAE Spark/ && ceiling > 0) ? sprintf("%.0f %%", 100 * med[key] / ceiling) : ""
      printf "| %s | %s | %.0f (%.0f-%.0f) | %s | %s | %s |\n", f[1], f[2], med[key], lo[key], hi[key], ratio, share(f[1], f[2]), of_pair
    }
  }' "$results"
echo
echo "The Spark runs epoch by epoch: outside = the share of the epoch's seconds outside replica compute"
echo "(\`averaging_seconds\` / \`seconds\`: broadcast, task launch, results, the average, not hidden by overlap);"
echo "epoch 1 = its samples/s against the run's steady figure (median of epochs 2-$epochs)."
echo
echo "By CPU time (submit-scripts/lib/thread-cpu.py): the shares of the 2 cores' time over epochs 2-$epochs that the"
echo "replicas' threads, the JIT's compiler threads and the driver's and Spark's other threads used, the hypervisor's"
echo "steal time (what a virtual machine's host gave to other guests) and idle time."
echo
echo "The metrics file's own CPU fields (\`replica_cpu_seconds\`, \`driver_jit_seconds\` against \`seconds\` × \`task_cores\`):"
echo "the same shares measured by the job itself over the epochs' rounds (validation left out), for epoch 1 apart."
echo
echo "| run | epoch 1 samples/s (share of steady) | steady samples/s | outside, epochs 2-$epochs (median) | by CPU time: replicas / JIT / other / steal / idle | metrics file, replicas / JIT: epoch 1; epochs 2-$epochs | test -ELBO, last epoch |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for f in "$logs"/spark-[0-9]*.jsonl "$logs"/spark-overlap-[0-9]*.jsonl; do
  [ -f "$f" ] || continue
  per_epoch=$(spark_epochs "$f")
  steady=$(awk '{print $2}' <<< "$per_epoch" | median_after_first)
  outside=$(awk '{print $3}' <<< "$per_epoch" | median_after_first)
  first=$(awk '$1 == 1 {print $2}' <<< "$per_epoch")
  val=$(jget val_neg_elbo "$f" | tail -n 1)
  cpu=$(submit-scripts/lib/thread-cpu.py report "${f%.jsonl}.cpu" "${f%.jsonl}.log" --cores 2 2>&1 \
    | awk -F'[:,]' '/replica/ {for (i = 2; i <= NF; i++) {split($i, w, " "); v[w[1]] = w[2]}
                     printf "%s / %s / %.1f / %s / %s %%", v["replica"], v["jit"], v["gc_vm"] + v["other"], v["steal"], v["idle"]}')
  own="$(core_shares "$f" 1 1); $(core_shares "$f" 2)"
  awk -v r="$(basename "$f" .jsonl)" -v e1="$first" -v st="$steady" -v o="$outside" -v val="$val" -v cpu="${cpu:-n/a}" \
    -v own="$own" \
    'BEGIN {printf "| %s | %.0f (%.0f %%) | %.0f | %.1f %% | %s | %s | %s |\n", r, e1, 100 * e1 / st, st, 100 * o, cpu, own, val}'
done
echo
echo "Logs: $logs/ (per-epoch TSV of every run; the peers also print their test -ELBO at the end)."
