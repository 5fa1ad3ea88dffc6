#!/usr/bin/env bash
# Shared launcher of train.sh and score.sh: submit-scripts/lib/submit.sh MAIN_CLASS [spark-submit options] -- [job options]
# Uses $SPARK_HOME/bin/spark-submit when SPARK_HOME is set; otherwise launches the Spark that the
# Maven build brings (org.apache.spark.deploy.SparkSubmit on the classpath it recorded).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"

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

common=(--properties-file "$SPARKVAE_HOME/conf/spark-defaults.conf"
        --conf "spark.driver.extraJavaOptions=-Dai.djl.offline=true -Dai.djl.pytorch.num_interop_threads=1 -Dlog4j2.configurationFile=file:$SPARKVAE_HOME/conf/log4j2.properties"
        --class "$main_class")

if [ -n "${SPARK_HOME:-}" ]; then
  exec "$SPARK_HOME/bin/spark-submit" "${common[@]}" "${spark_opts[@]}" "$app_jar" "${job_opts[@]}"
fi

cp_file="$SPARKVAE_HOME/spark-job/target/spark-classpath.txt"
if [ ! -f "$cp_file" ]; then
  echo "sparkvae: $cp_file is missing; build first: mvn -B -DskipTests package" >&2
  exit 2
fi
# In-process SparkSubmit: the driver is this JVM, so its heap and flags are set here.
# shellcheck disable=SC2086
exec java -Xmx"$driver_memory" $SPARKVAE_JAVA_OPTS \
  -Dlog4j2.configurationFile="file:$SPARKVAE_HOME/conf/log4j2.properties" \
  -cp "$(cat "$cp_file")" org.apache.spark.deploy.SparkSubmit \
  "${common[@]}" "${spark_opts[@]}" "$app_jar" "${job_opts[@]}"
