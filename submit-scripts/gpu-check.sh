#!/usr/bin/env bash
# The GPU check of the throughput issue, for a machine with an NVIDIA GPU and a CUDA driver:
# builds with -Pgpu (libtorch cu124; Maven must reach Central or find it in ~/.m2), then measures
#   1. TrainLocal on the GPU (samples/s per epoch, MNIST, Pyro's network, batch 256),
#   2. Spark local[N] with N replicas, one GPU per task (spark.task.resource.gpu.amount=1; in local
#      mode tasks get the driver's GPUs, found by Spark's discovery script below),
# while nvidia-smi samples GPU utilisation every 200 ms; prints a Markdown summary.
# Usage: submit-scripts/gpu-check.sh [EPOCHS (default 3)] [N (default: the GPUs nvidia-smi lists)]
# Every log stays in runs/gpu-check/STAMP/. A few minutes once built.
set -euo pipefail
cd "$(dirname "$0")/.."
source submit-scripts/env.sh
epochs="${1:-3}"
command -v nvidia-smi >/dev/null || { echo "gpu-check: nvidia-smi not found: no NVIDIA driver here" >&2; exit 2; }
gpus=$(nvidia-smi --query-gpu=index --format=csv,noheader | wc -l)
n="${2:-$gpus}"
[ "$gpus" -ge 1 ] || { echo "gpu-check: nvidia-smi lists no GPU" >&2; exit 2; }
out="runs/gpu-check/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
[ -f data/mnist/t10k-images-idx3-ubyte ] || submit-scripts/fetch-data.sh mnist
if [ ! -f spark-job/target/.gpu-build ] || ! ls spark-job/target/spark-job-*-app.jar >/dev/null 2>&1; then
  mvn -B -q -Pgpu -DskipTests package > "$out/build.log" 2>&1 || { tail -n 20 "$out/build.log" >&2; exit 1; }
  touch spark-job/target/.gpu-build
fi
app_jar=$(ls spark-job/target/spark-job-*-app.jar | head -n 1)
nvidia-smi --query-gpu=timestamp,index,utilization.gpu,memory.used --format=csv,noheader -lms 200 > "$out/gpu-util.csv" &
smi=$!
trap 'kill $smi 2>/dev/null || true' EXIT
mark() { echo "$1 $(date -u +%Y/%m/%d\ %H:%M:%S.%3N)" >> "$out/phases"; }

mark local-start
# shellcheck disable=SC2086
java -Xmx8g $SPARKVAE_JAVA_OPTS -cp "$app_jar" io.sparkvae.model.cli.TrainLocal \
  --epochs "$epochs" --device gpu > "$out/trainlocal.tsv" 2> "$out/trainlocal.log"
mark local-end

cat > "$out/gpus.sh" <<'SH'
#!/usr/bin/env bash
echo "{\"name\": \"gpu\", \"addresses\": [$(nvidia-smi --query-gpu=index --format=csv,noheader | sed 's/.*/"&"/' | paste -sd,)]}"
SH
chmod +x "$out/gpus.sh"
mark spark-start
submit-scripts/train.sh --master "local[$n]" --conf spark.driver.resource.gpu.amount="$n" \
  --conf spark.driver.resource.gpu.discoveryScript="$PWD/$out/gpus.sh" --conf spark.task.resource.gpu.amount=1 -- \
  --config conf/mnist.conf --epochs "$epochs" --replicas "$n" --model-out "$out/model" \
  --metrics-out "$out/metrics.jsonl" > "$out/spark.log" 2>&1 || echo "gpu-check: the Spark run failed (see $out/spark.log)" >&2
mark spark-end
kill $smi 2>/dev/null || true

util() { # util START END -> mean GPU utilisation (%) of the samples between two marks
  local s e; s=$(grep "^$1 " "$out/phases" | cut -d' ' -f2-); e=$(grep "^$2 " "$out/phases" | cut -d' ' -f2-)
  awk -F', ' -v s="$s" -v e="$e" '$1 >= s && $1 <= e {u += $3 + 0; n++} END {if (n) printf "%.0f %% (%d samples)", u / n, n; else print "n/a"}' "$out/gpu-util.csv"
}
{
  echo "## GPU check, $(date -u +%Y-%m-%d) ($(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1), $gpus GPUs)"
  echo
  echo "TrainLocal --device gpu, samples/s by epoch: $(awk -F'\t' '$1 ~ /^[0-9]+$/ {printf "%s%s", s, $3; s=", "}' "$out/trainlocal.tsv"); GPU utilisation $(util local-start local-end)"
  echo
  echo "Spark local[$n], $n replicas, one GPU per task, samples/s by epoch: $(grep -o '"samples_per_sec":[0-9.]*' "$out/metrics.jsonl" 2>/dev/null | cut -d: -f2 | paste -sd, || echo n/a); seconds outside replica compute by epoch: $(grep -o '"averaging_seconds":[0-9.]*' "$out/metrics.jsonl" 2>/dev/null | cut -d: -f2 | paste -sd, || echo n/a); GPU utilisation $(util spark-start spark-end)"
} | tee "$out/summary.md"
