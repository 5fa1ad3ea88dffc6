# Shell functions the benchmark scripts share (bench.sh, lib/bench-peers.sh, lib/bench-tabular.sh);
# sourced from the project root.

# jget KEY FILE: the key's value on each line of a JSON-lines file (a metrics file), n/a when absent
# or null.
jget() {
  awk -v k="\"$1\":" '{i = index($0, k); if (i == 0) {print "n/a"; next}
    v = substr($0, i + length(k)); sub(/[,}].*/, "", v); print (v == "null" ? "n/a" : v)}' "$2"
}

# find_bench_jar NAME: sets bench_jar to the bench module's jar (the benchmark programs, which the
# application jar does not hold), or exits saying how to build it, as NAME.
find_bench_jar() {
  bench_jar=$(ls bench/target/bench-*.jar 2>/dev/null | grep -v -- '-sources\|-tests' | head -n 1 || true)
  [ -n "$bench_jar" ] || { echo "$1: build first: mvn -B -DskipTests package (bench/target/bench-*.jar is missing)" >&2; exit 2; }
}
