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

# core_shares FILE FROM [TO]: from a metrics file, the shares of the task cores' time (seconds x
# task_cores) that the replicas' steps (replica_cpu_seconds) and the driver JVM's JIT compiler
# threads (driver_jit_seconds) used over epochs FROM to TO (default: the last), as "R % / J %"; n/a
# where the file has no such fields (written before they were recorded).
core_shares() {
  paste -d' ' <(jget epoch "$1") <(jget seconds "$1") <(jget task_cores "$1") <(jget replica_cpu_seconds "$1") \
      <(jget driver_jit_seconds "$1") \
    | awk -v from="$2" -v to="${3:-1000000000}" '$1 >= from && $1 <= to && $3 != "n/a" && $4 != "n/a" && $5 != "n/a" {c += $2 * $3; r += $4; j += $5}
        END {if (c > 0) printf "%.1f %% / %.1f %%", 100 * r / c, 100 * j / c; else printf "n/a"}'
}
