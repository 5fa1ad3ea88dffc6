#!/usr/bin/env python3
"""Where a training JVM's CPU time goes, by thread, over its steady epochs.

The metrics file's `averaging_seconds` (time outside replica compute) counts a replica's seconds
as compute even while its thread waits for a core; on a machine with few cores that overstates
how much of the machine trains. This reads the threads' own CPU time instead (Linux /proc), so
that the JIT, the driver and idle cores show up as what they are.

  thread-cpu.py sample PID OUT        every 0.25 s, CPU ticks of PID's threads by kind, until it exits
  thread-cpu.py report OUT LOG [--from K] [--cores N]
                                      shares of N cores' time (default: all online) between the end
                                      of epoch K (default 1) and the last epoch's end, as logged by
                                      EpochLoop in LOG (times in the log's clock: run it in UTC)

Kinds: replica (Spark's task threads, which run the replicas' steps, and SparkVAE's run-ahead
threads), jit (the compiler threads), gc_vm (garbage collection and the VM thread), other (the
driver's own thread, Spark's scheduler, RPC and block manager threads, ...); steal is the time the
hypervisor of a virtual machine gave the machine's cores to others (/proc/stat, all cores, scaled
to N); idle is what is left of the cores' time. Example (docs/BENCHMARKS.md §4):

  submit-scripts/train.sh --master 'local[2]' -- --config conf/mnist.conf --epochs 12 --replicas 2 \\
      --metrics-out /tmp/m.jsonl > /tmp/run.log 2>&1 &
  sleep 1; submit-scripts/lib/thread-cpu.py sample "$(pgrep -f 'metrics-out /tmp/m.jsonl' | head -1)" /tmp/run.cpu
  submit-scripts/lib/thread-cpu.py report /tmp/run.cpu /tmp/run.log --from 6
"""
import datetime
import os
import re
import sys
import time

KINDS = ("replica", "jit", "gc_vm", "other")


def kind(comm):
    # /proc truncates thread names to 15 characters.
    if comm.startswith("Executor task") or comm.startswith("sparkvae-run-ah"):
        return "replica"
    if "CompilerThre" in comm:
        return "jit"
    if comm.startswith(("GC ", "G1 ", "VM Thread")):
        return "gc_vm"
    return "other"


def ticks_by_kind(pid):
    total = dict.fromkeys(KINDS, 0)
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended between the listing and the read
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        total[kind(comm)] += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def steal_ticks():
    """The machine's steal time (all cores), from the first line of /proc/stat."""
    with open("/proc/stat") as f:
        fields = f.readline().split()
    return int(fields[8]) if len(fields) > 8 else 0


def sample(pid, out):
    with open(out, "w") as f:
        while True:
            try:
                t = ticks_by_kind(pid)
            except FileNotFoundError:
                return  # the process exited
            f.write(" ".join([f"{time.time():.3f}"] + [str(t[k]) for k in KINDS] + [str(steal_ticks())]) + "\n")
            f.flush()
            time.sleep(0.25)


def epoch_ends(log):
    """(epoch, seconds since the epoch) of each 'EpochLoop: epoch N/M' line, to the second."""
    today = datetime.datetime.now(datetime.timezone.utc).date()
    ends = []
    with open(log) as f:
        for line in f:
            m = re.match(r"(\d\d):(\d\d):(\d\d) INFO EpochLoop: epoch (\d+)/", line)
            if m:
                h, mi, s, e = (int(g) for g in m.groups())
                at = datetime.datetime(today.year, today.month, today.day, h, mi, s, tzinfo=datetime.timezone.utc)
                ends.append((e, at.timestamp()))
    return ends


def report(out, log, first, cores):
    with open(out) as f:
        rows = [[float(x) for x in line.split()] for line in f if line.strip()]
    ends = epoch_ends(log)
    if len(ends) <= first:
        sys.exit(f"thread-cpu: {log} logs {len(ends)} epoch ends; --from {first} needs more")
    t0, t1 = ends[first - 1][1], ends[-1][1]
    a = min(rows, key=lambda r: abs(r[0] - t0))
    b = min(rows, key=lambda r: abs(r[0] - t1))
    span = b[0] - a[0]
    hz = os.sysconf("SC_CLK_TCK")
    shares = {k: (b[i + 1] - a[i + 1]) / hz / (cores * span) for i, k in enumerate(KINDS)}
    if len(a) > len(KINDS) + 1:  # files written before steal was sampled lack the column
        online = os.sysconf("SC_NPROCESSORS_ONLN")
        shares["steal"] = (b[-1] - a[-1]) / hz / (online * span)
    shares["idle"] = 1 - sum(shares.values())
    print(
        f"epochs {first + 1}-{ends[-1][0]} ({span:.1f} s of {cores} cores): "
        + ", ".join(f"{k} {v * 100:.1f} %" for k, v in shares.items())
    )


def main(argv):
    if len(argv) >= 3 and argv[0] == "sample":
        sample(argv[1], argv[2])
    elif len(argv) >= 3 and argv[0] == "report":
        opts = dict(zip(argv[3::2], argv[4::2]))
        unknown = set(opts) - {"--from", "--cores"}
        if unknown:
            sys.exit(f"thread-cpu: unknown option {sorted(unknown)[0]} (see --help)")
        report(argv[1], argv[2], int(opts.get("--from", 1)), int(opts.get("--cores", os.cpu_count())))
    else:
        print(__doc__)
        sys.exit(0 if argv[:1] in (["--help"], ["-h"]) else 2)


if __name__ == "__main__":
    main(sys.argv[1:])
