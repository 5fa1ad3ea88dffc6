#!/usr/bin/env bash
# A real Spark standalone cluster on 127.0.0.1, built from the jars the Maven build brings:
# one Master and N Workers, each its own JVM; executors are launched by the workers.
#   submit-scripts/local-cluster.sh start [WORKERS]   (default 2 workers, 1 core each)
#   submit-scripts/local-cluster.sh status
#   submit-scripts/local-cluster.sh stop              (stops only what start started)
# The master URL is printed by start and written to $RUN_DIR/master-url.
# Settings (environment): SPARKVAE_CLUSTER_DIR (run directory, default runs/local-cluster),
# SPARKVAE_MASTER_PORT (7077), SPARKVAE_WORKER_CORES (1), SPARKVAE_WORKER_MEMORY (2g).
# With SPARKVAE_AUTH_SECRET_FILE or SPARKVAE_AUTH_SECRET set, the cluster requires authentication
# (spark.authenticate) and encrypts RPC (spark.network.crypto.enabled); jobs must then be submitted
# with the same variable set (see lib/auth.sh).
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/lib/auth.sh"

cmd="${1:-status}"
workers="${2:-2}"
run_dir="${SPARKVAE_CLUSTER_DIR:-$SPARKVAE_HOME/runs/local-cluster}"
port="${SPARKVAE_MASTER_PORT:-7077}"
cores="${SPARKVAE_WORKER_CORES:-1}"
memory="${SPARKVAE_WORKER_MEMORY:-2g}"
cp_file="$SPARKVAE_HOME/spark-job/target/spark-classpath.txt"

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_port() { # wait_port PORT SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

start() {
  [ -f "$cp_file" ] || { echo "local-cluster: $cp_file missing; build first: mvn -B -DskipTests package" >&2; exit 2; }
  if alive "$run_dir/master.pid"; then echo "local-cluster: already running ($(cat "$run_dir/master-url"))"; return; fi
  # Master and Workers read the secret from the environment (_SPARK_AUTH_SECRET, which Spark's
  # SecurityManager consults when spark.authenticate is on and spark.authenticate.secret is not
  # set); a Worker hands it to the executors it launches the same way. Only the switches, never
  # the secret, are on the command lines.
  local auth=() secured=""
  if sparkvae_auth_secret; then
    auth=(-Dspark.authenticate=true -Dspark.network.crypto.enabled=true)
    secured=", authentication and RPC encryption on"
  fi
  mkdir -p "$run_dir/logs" "$run_dir/work"
  # Workers build executor command lines from SPARK_HOME/jars: give them a Spark home whose jars
  # are the build's own, by absolute path (relative entries break executors: "unread block data").
  local home="$run_dir/spark-home"
  rm -rf "$home"; mkdir -p "$home/jars" "$home/conf"
  tr ':' '\n' < "$cp_file" | while read -r jar; do [ -n "$jar" ] && ln -sf "$(readlink -f "$jar")" "$home/jars/"; done
  # Spark's launcher takes SPARK_HOME/jars only from a release layout (a RELEASE file), and needs
  # the Scala version when it cannot infer it from build directories.
  echo "Spark (jars from the SparkVAE Maven build)" > "$home/RELEASE"
  local cp; cp="$(cat "$cp_file")"
  if [ -n "$secured" ]; then export _SPARK_AUTH_SECRET="$sparkvae_secret"; fi
  sparkvae_secret=""
  # shellcheck disable=SC2086
  nohup java -Xmx512m $SPARKVAE_JAVA_OPTS "${auth[@]}" -Dspark.master.rest.enabled=false -cp "$cp" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$port" --webui-port 0 > "$run_dir/logs/master.log" 2>&1 &
  echo $! > "$run_dir/master.pid"
  wait_port "$port" 60 || { echo "local-cluster: master did not open port $port (see $run_dir/logs/master.log)" >&2; stop; exit 1; }
  local url="spark://127.0.0.1:$port"
  echo "$url" > "$run_dir/master-url"
  local w
  for ((w = 1; w <= workers; w++)); do
    mkdir -p "$run_dir/work/worker-$w"
    # shellcheck disable=SC2086
    SPARK_HOME="$home" SPARK_SCALA_VERSION=2.13 SPARK_WORKER_DIR="$run_dir/work/worker-$w" nohup java -Xmx512m $SPARKVAE_JAVA_OPTS "${auth[@]}" -cp "$cp" \
      org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores "$cores" --memory "$memory" \
      --webui-port 0 --work-dir "$run_dir/work/worker-$w" "$url" > "$run_dir/logs/worker-$w.log" 2>&1 &
    echo $! > "$run_dir/worker-$w.pid"
  done
  # Ready when every worker has registered with the master.
  local i
  for ((i = 0; i < 600; i++)); do
    if [ "$(grep -c 'Successfully registered with master' "$run_dir"/logs/worker-*.log 2>/dev/null | awk -F: '{s+=$NF} END {print s+0}')" -ge "$workers" ]; then
      echo "local-cluster: $url with $workers workers ($cores core, $memory each$secured); logs in $run_dir/logs"
      return
    fi
    sleep 0.1
  done
  echo "local-cluster: workers did not register within 60 s (see $run_dir/logs)" >&2
  stop
  exit 1
}

stop() {
  local f pid stopped=0
  for f in "$run_dir"/worker-*.pid "$run_dir"/master.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      # Workers take their executors down with them.
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      stopped=$((stopped + 1))
    fi
    rm -f "$f"
  done
  # Executors whose worker was killed hard: only those started from this run directory (it is in
  # their class path, which comes before the main class on the command line).
  pkill -9 -f "$run_dir/.*CoarseGrainedExecutorBackend" 2>/dev/null || true
  echo "local-cluster: stopped $stopped processes"
}

status() {
  local f any=0
  for f in "$run_dir"/master.pid "$run_dir"/worker-*.pid; do
    [ -f "$f" ] || continue
    any=1
    if alive "$f"; then echo "$(basename "$f" .pid): running (pid $(cat "$f"))"; else echo "$(basename "$f" .pid): dead"; fi
  done
  [ "$any" = 1 ] || echo "local-cluster: not running"
  if alive "$run_dir/master.pid"; then cat "$run_dir/master-url"; fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status [WORKERS]" >&2; exit 2 ;;
esac
