#!/usr/bin/env bash
# The Python package's tests against a real classic PySpark session and a real Spark Connect
# session. Needs the application jar (mvn -B -DskipTests package, or mvn -B verify) and, for the
# export test, MNIST (submit-scripts/fetch-data.sh mnist). Creates the virtual environment
# $SPARKVAE_VENV (default .venv-python at the repository root) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${SPARKVAE_VENV:-.venv-python}"
case "$venv" in /*) ;; *) venv="$PWD/$venv" ;; esac  # absolute: the tests run from python/
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import sparkvae, pytest, pyspark.sql.connect.session' >/dev/null 2>&1; then
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -e 'python[test]'
fi
export SPARK_LOCAL_IP=127.0.0.1 DJL_OFFLINE=true OPT_OUT_TRACKING=true
cd python
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
