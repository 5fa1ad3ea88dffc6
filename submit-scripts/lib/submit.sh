#!/usr/bin/env bash
# Shared launcher of train.sh and score.sh: submit-scripts/lib/submit.sh MAIN_CLASS [spark-submit options] -- [job options]
# Uses $SPARK_HOME/bin/spark-submit when SPARK_HOME is set; otherwise launches the Spark that the
# Maven build brings (org.apache.spark.deploy.SparkSubmit on the classpath it recorded).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/auth.sh"

main_class="$1"; shift
spark_opts=()
job_opts=()
seen_sep=0
for a in "$@"; do
  if [ "$seen_sep" = 0 ] && [ "$a" = "--" ]; then seen_sep=1; continue; fi
  if [ "$seen_sep" = 0 ]; then spark_opts+=("$a"); else job_opts+=("$a"); fi
done
if [ "$seen_sep" = 0 ]; then
  # No separator: everything is a job option (spark-submit options need the "--").
  job_opts=("${spark_opts[@]}"); spark_opts=()
fi

app_jar=$(ls "$SPARKVAE_HOME"/spark-job/target/spark-job-*-app.jar 2>/dev/null | head -n 1 || true)
if [ -z "$app_jar" ]; then
  echo "sparkvae: the application jar is missing; build it first: mvn -B -DskipTests package" >&2
  exit 2
fi

has_master=0
driver_memory="${SPARKVAE_DRIVER_MEMORY:-4g}"
for ((i = 0; i < ${#spark_opts[@]}; i++)); do
  case "${spark_opts[$i]}" in
    --master|--master=*) has_master=1 ;;
    --driver-memory) driver_memory="${spark_opts[$((i + 1))]}" ;;
    --driver-memory=*) driver_memory="${spark_opts[$i]#--driver-memory=}" ;;
  esac
done
[ "$has_master" = 1 ] || spark_opts=(--master 'local[*]' "${spark_opts[@]}")

# Authentication (opt-in, SPARKVAE_AUTH_SECRET_FILE or SPARKVAE_AUTH_SECRET; see lib/auth.sh).
# A driver on a standalone master takes the secret only from its Spark configuration
# (spark.authenticate.secret; secret files are Kubernetes-only in Spark 4.1), so it goes into a
# copy of spark-defaults.conf of mode 600 in a private temporary directory, removed when the job
# ends; the command line names only that file. In local, YARN and Kubernetes modes Spark makes
# its own secret and ignores this one; the encryption settings apply everywhere.
# A script killed with SIGKILL cannot remove its copy (no trap runs): the next run removes the
# copies, of this user, whose script is no longer running (the pid file inside names it).
properties="$SPARKVAE_HOME/conf/spark-defaults.conf"
secret_dir=""
if sparkvae_auth_secret; then
  for stale in "${TMPDIR:-/tmp}"/sparkvae-auth.*; do
    [ -d "$stale" ] && [ -O "$stale" ] && [ -f "$stale/pid" ] || continue
    kill -0 "$(< "$stale/pid")" 2>/dev/null || rm -rf "$stale"
  done
  secret_dir=$(umask 077 && mktemp -d "${TMPDIR:-/tmp}/sparkvae-auth.XXXXXX")
  trap 'rm -rf "$secret_dir"' EXIT
  trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM
  printf '%s\n' "$$" > "$secret_dir/pid"
  # The redirection is inside the subshell, so the file is created under its umask: mode 600.
  (
    umask 077
    {
      cat "$properties"
      printf '\n# Added by submit-scripts/lib/submit.sh (SPARKVAE_AUTH_SECRET*)\n'
      printf 'spark.authenticate                    true\n'
      printf 'spark.network.crypto.enabled          true\n'
      printf 'spark.io.encryption.enabled           true\n'
      # printf is a shell builtin: the secret is no process's argument. Properties files read
      # backslashes as escapes.
      printf 'spark.authenticate.secret             %s\n' "${sparkvae_secret//\\/\\\\}"
    } > "$secret_dir/spark-defaults.conf"
  )
  properties="$secret_dir/spark-defaults.conf"
fi
sparkvae_secret=""

common=(--properties-file "$properties"
        --conf "spark.driver.extraJavaOptions=-Dai.djl.offline=true -Dai.djl.pytorch.num_interop_threads=1 -Dlog4j2.configurationFile=file:$SPARKVAE_HOME/conf/log4j2.properties"
        --class "$main_class")

# With a secret the script stays to remove its properties file; otherwise it becomes the job.
launch() {
  if [ -z "$secret_dir" ]; then exec "$@"; fi
  local status=0
  "$@" || status=$?
  exit "$status"
}

if [ -n "${SPARK_HOME:-}" ]; then
  launch "$SPARK_HOME/bin/spark-submit" "${common[@]}" "${spark_opts[@]}" "$app_jar" "${job_opts[@]}"
fi

cp_file="$SPARKVAE_HOME/spark-job/target/spark-classpath.txt"
if [ ! -f "$cp_file" ]; then
  echo "sparkvae: $cp_file is missing; build first: mvn -B -DskipTests package" >&2
  exit 2
fi
# In-process SparkSubmit: the driver is this JVM, so its heap and flags are set here.
# shellcheck disable=SC2086
launch java -Xmx"$driver_memory" $SPARKVAE_JAVA_OPTS \
  -Dlog4j2.configurationFile="file:$SPARKVAE_HOME/conf/log4j2.properties" \
  -cp "$(cat "$cp_file")" org.apache.spark.deploy.SparkSubmit \
  "${common[@]}" "${spark_opts[@]}" "$app_jar" "${job_opts[@]}"
