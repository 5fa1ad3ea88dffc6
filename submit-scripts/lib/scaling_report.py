#!/usr/bin/env python3
"""Report of the scale-out study (submit-scripts/bench.sh --scaling): reads DIR/r*/ and prints Markdown.

Quality: test -ELBO after each epoch per R, epochs and examples to 115 and 110 nats.
Cost: per round at each R as measured in Spark local[2] (R replicas share 2 cores there).
Time model for a cluster with R executor cores (one replica per core):
    epoch(R) = rounds(R) * (H * t(b_R) + o(R) + net(R))
  t(b)  one-core time of a training step at per-replica minibatch b: a + c*b, fitted by least squares
        to the measured step times (--step-times);
  o(R)  the round's fixed cost on the driver and in Spark (task launch, serialization, the driver's
        sums): seconds per round minus the replicas' compute spread over the 2 task slots, taken from
        the round-cost runs (--round-costs: 3 epochs of MNIST alone on a quiet machine) on the
        standalone cluster when there are some, else in local[2], else from the quality runs;
  net(R) bytes over the driver's link at SCALING_BANDWIDTH_GBPS: one broadcast copy of the state plus
        ceil(sqrt(R)) partial sums (treeAggregate, depth 2), each of the size of one replica's result.
  time to 115 nats = (epochs to 115) * epoch(R).
With --plot FILE (needs matplotlib) it also draws the curves and the predicted time against R.
"""
import glob
import json
import math
import os
import statistics
import sys

TARGETS = (115.0, 110.0)


def read_run(d):
    """-> dict(r, epochs=[test -ELBO...], metrics=[...], batch, rounds, command)"""
    r = int(os.path.basename(d)[1:])
    run = {"r": r, "epochs": [], "metrics": [], "command": ""}
    if os.path.exists(os.path.join(d, "command")):
        run["command"] = open(os.path.join(d, "command")).read().strip()
    mfile, lfile = os.path.join(d, "metrics.jsonl"), os.path.join(d, "local.tsv")
    if os.path.exists(mfile):
        for line in open(mfile):
            line = line.strip()
            if line.startswith("{"):
                m = json.loads(line)
                run["metrics"].append(m)
                run["epochs"].append(m.get("val_neg_elbo"))
    elif os.path.exists(lfile):
        for line in open(lfile):
            f = line.rstrip("\n").split("\t")
            if f[0].isdigit():
                run["epochs"].append(float(f[4]))
                run["metrics"].append({"seconds": float(f[1]), "samples_per_sec": float(f[2])})
    log = os.path.join(d, "log")
    run["batch"], run["rounds_per_epoch"] = (256, None) if r == 1 else (None, None)
    if os.path.exists(log):
        for line in open(log, errors="replace"):
            if "training rows in" in line and "minibatches of" in line:
                words = line.split()
                run["batch"] = int(words[words.index("of") + 1])
                run["rounds_per_epoch"] = int(words[words.index("rounds") - 1])
    return run


def first_epoch_below(values, target):
    for i, v in enumerate(values):
        if v is not None and v <= target:
            return i + 1
    return None


def step_time_fit(path):
    """-> (a, c) with t(b) = a + c*b seconds, from lines 'b<TAB>samples/s'; None without data."""
    pts = {}
    if not os.path.exists(path):
        return None, {}
    for line in open(path):
        f = line.split()
        if len(f) == 2:
            pts.setdefault(int(f[0]), []).append(int(f[0]) / float(f[1]))
    med = {b: statistics.median(v) for b, v in pts.items()}
    if len(med) < 2:
        return None, med
    xs, ys = list(med), [med[b] for b in med]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    c = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return (my - c * mx, c), med


def read_cost_runs(d):
    """-> {R: run} of DIR/costs-*/rR (the round-cost runs)."""
    runs = {}
    for p in glob.glob(os.path.join(d, "r*")):
        if os.path.basename(p)[1:].isdigit():
            run = read_run(p)
            if len(run["metrics"]) > 1:
                runs[run["r"]] = run
    return runs


def round_costs(run, honest_averaging=False):
    """-> (seconds/round, compute/round per replica, overhead/round, payload bytes) medians after epoch 1.

    honest_averaging: the metrics' averaging_seconds already leaves out replicas waiting for a task
    slot (ceil(R/S) waves of compute; written since 2026-12-02 evening, as the round-cost runs are);
    older files count that wait as averaging, so their overhead is recomputed from the mean compute.
    """
    ms = run["metrics"][1:] or run["metrics"]
    if not ms or "rounds" not in ms[0]:
        return None
    slots = min(2, run["r"])
    waves = math.ceil(run["r"] / slots)
    per_round = [m["seconds"] / m["rounds"] for m in ms]
    if honest_averaging:
        compute = [(m["seconds"] - m["averaging_seconds"]) / m["rounds"] / waves for m in ms]
        overhead = [m["averaging_seconds"] / m["rounds"] for m in ms]
    else:
        compute = [(m["seconds"] - m["averaging_seconds"]) / m["rounds"] for m in ms]
        overhead = [max(0.0, s - c * run["r"] / slots) for s, c in zip(per_round, compute)]
    return (statistics.median(per_round), statistics.median(compute), statistics.median(overhead),
            ms[-1].get("round_payload_bytes"))


def fmt(v, spec="%.2f"):
    return "n/a" if v is None else spec % v


def main():
    d = sys.argv[1]
    plot = sys.argv[sys.argv.index("--plot") + 1] if "--plot" in sys.argv else None
    bw = float(os.environ.get("SCALING_BANDWIDTH_GBPS", "10")) * 1e9 / 8
    runs = sorted((read_run(p) for p in glob.glob(os.path.join(d, "r*")) if os.path.basename(p)[1:].isdigit()),
                  key=lambda x: x["r"])
    runs = [r for r in runs if r["epochs"]]
    n_rows = 600_000
    fit, med = step_time_fit(os.path.join(d, "step-times.tsv"))
    out = []
    ep = max((len(r["epochs"]) for r in runs), default=0)
    out.append("Test −ELBO (nats, 10,000 MNIST test images) after each epoch on shifted MNIST (600,000 rows); "
               "R = 1 is the single-process trainer, R > 1 Spark `local[2]` with default options but `--replicas`.")
    out.append("")
    out.append("| R | minibatch per replica | rounds per epoch | " + " | ".join("epoch %d" % (i + 1) for i in range(ep))
               + " | epochs (examples) to 115 | epochs to 110 |")
    out.append("| --- " * (5 + ep) + "|")
    for r in runs:
        e115, e110 = (first_epoch_below(r["epochs"], t) for t in TARGETS)
        cells = [fmt(v) for v in r["epochs"]] + [""] * (ep - len(r["epochs"]))
        out.append("| %d | %s | %s | %s | %s | %s |" % (
            r["r"], r["batch"] or "n/a", r["rounds_per_epoch"] or ("%d steps" % math.ceil(n_rows / 256) if r["r"] == 1 else "n/a"),
            " | ".join(cells), "%d (%s)" % (e115, format(e115 * n_rows, ",")) if e115 else "> %d" % len(r["epochs"]),
            e110 if e110 else "> %d" % len(r["epochs"])))
    out.append("")
    costs, source = {}, "the quality runs above"
    cost_runs = {n: read_cost_runs(os.path.join(d, "costs-" + n)) for n in ("local", "cluster")}
    cost_runs = {n: cr for n, cr in cost_runs.items() if cr}
    measured_costs = {n: {r: round_costs(run, honest_averaging=True) for r, run in cr.items()}
                      for n, cr in cost_runs.items()}
    have_cost_runs = bool(cost_runs)
    if not have_cost_runs:
        out.append("Cost per round measured in the quality runs (`local[2]`: R replicas share 2 cores; medians over"
                   " epochs after the first):")
        out.append("")
        out.append("| R | seconds per round | replica compute per round | fixed cost o(R) | bytes per round |")
        out.append("| --- | --- | --- | --- | --- |")
        for r in runs:
            c = round_costs(r)
            if c:
                costs[r["r"]] = c
                out.append("| %d | %.3f | %.3f | %.3f | %s |" % (r["r"], c[0], c[1], c[2],
                                                                  format(c[3], ",") if c[3] else "n/a"))
        out.append("")
    for name, where in (("local", "Spark `local[2]`"), ("cluster", "the standalone cluster (2 workers of 1 core, own executor JVMs)")):
        if name not in cost_runs:
            continue
        out.append("Round costs measured alone on %s: 3 epochs of MNIST (60,000 rows), medians of epochs 2-3:" % where)
        out.append("")
        out.append("| R | minibatch per replica | rounds per epoch | seconds per round | replica compute per round"
                   " | fixed cost o(R) | bytes per round | epoch measured | epoch predicted from t(b) and o(R) |")
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for r, run in sorted(cost_runs[name].items()):
            c = measured_costs[name][r]
            rounds = run["metrics"][1]["rounds"]
            measured = statistics.median(m["seconds"] for m in run["metrics"][1:])
            pred = "n/a"
            if fit and run["batch"]:
                steps = math.ceil(60_000 / r / run["batch"])
                predicted = steps * (fit[0] + fit[1] * run["batch"]) * r / min(2, r) + c[2] * rounds
                pred = "%.2f s (ratio %.2f)" % (predicted, measured / predicted)
            out.append("| %d | %s | %d | %.3f | %.3f | %.3f | %s | %.2f s | %s |" % (
                r, run["batch"] or "n/a", rounds, c[0], c[1], c[2],
                format(c[3], ",") if c[3] else "n/a", measured, pred))
        out.append("")
    for name in ("cluster", "local"):
        if name in cost_runs:
            source = "the round-cost runs on " + ("the standalone cluster" if name == "cluster" else "`local[2]`")
            costs = measured_costs[name]
            break
    if fit:
        a, c = fit
        out.append("One-core step time (TrainLocal, 1 thread, 20,000 MNIST rows, median of 2 sittings x epochs 2-3): "
                   + ", ".join("b=%d: %.2f ms" % (b, 1e3 * t) for b, t in sorted(med.items()))
                   + "; fitted t(b) = %.3f ms + %.4f ms x b." % (1e3 * a, 1e3 * c))
    else:
        out.append("No step times measured (run with --step-times): no prediction.")
    out.append("")
    preds = []
    if fit:
        a, c = fit
        # o(R) measured on 2 task slots grows about linearly in R: o(R) = alpha + beta * R. Which part
        # of beta is the driver's (serial on any cluster: scheduling, the sums) and which the tasks'
        # (parallel on R cores: a task's launch, its replica's state in and out) this machine cannot
        # tell apart, so the prediction is given twice: o(R) as measured (all of it serial), and
        # alpha + 2 * beta (each of the 2 slots here ran R/2 tasks one after another; on R cores each
        # runs one: the per-task part paid once).
        pts = sorted((r, v[2]) for r, v in costs.items())
        alpha, beta = None, None
        if len(pts) >= 2:
            mx = statistics.mean(p[0] for p in pts)
            my = statistics.mean(p[1] for p in pts)
            beta = sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)
            alpha = my - beta * mx
            out.append("Fixed cost per round fitted to the round-cost runs: o(R) = %.3f s + %.4f s x R." % (alpha, beta))
            out.append("")
        out.append("Predicted wall time on a cluster with R executor cores (network %.0f Gbit/s; o(R) from %s;"
                   " \"parallel\": o = alpha + 2 beta, the per-replica part of o paid once per round):"
                   % (bw * 8 / 1e9, source))
        out.append("")
        out.append("| R | compute per epoch | o(R) per epoch | network per epoch | epoch | epochs to 115 | time to 115"
                   " | o per epoch, parallel | time to 115, parallel |")
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for r in runs:
            b = r["batch"] or 256
            steps = math.ceil(n_rows / r["r"] / b)
            rounds = r["rounds_per_epoch"] or 1
            compute = steps * (a + c * b)
            o = costs[r["r"]][2] * rounds if r["r"] in costs else 0.0
            o_par = (alpha + 2 * beta) * rounds if r["r"] > 1 and alpha is not None else o
            payload = costs[r["r"]][3] if r["r"] in costs and costs[r["r"]][3] else 0
            unit = payload / (r["r"] + 1)
            net = rounds * unit * (1 + math.ceil(math.sqrt(r["r"]))) / bw if r["r"] > 1 else 0.0
            epoch = compute + o + net
            e115 = first_epoch_below(r["epochs"], 115.0)
            t115 = e115 * epoch if e115 else None
            t115_par = e115 * (compute + o_par + net) if e115 else None
            preds.append((r["r"], t115, t115_par))
            out.append("| %d | %.1f s | %.1f s | %.1f s | %.1f s | %s | %s | %.1f s | %s |" % (
                r["r"], compute, o, net, epoch, e115 or "> %d" % len(r["epochs"]), fmt(t115, "%.1f s"),
                o_par, fmt(t115_par, "%.1f s")))
        out.append("")
        two = next((r for r in runs if r["r"] == 2 and len(r["metrics"]) > 1), None)
        if two and two["r"] in costs and not have_cost_runs:
            measured = statistics.median(m["seconds"] for m in two["metrics"][1:])
            b = two["batch"] or 256
            predicted = math.ceil(n_rows / 2 / b) * (a + c * b) + costs[2][2] * (two["rounds_per_epoch"] or 1)
            out.append("Check of the model on this machine (R = 2 on its 2 cores, no network): predicted epoch %.1f s,"
                       " measured %.1f s (ratio %.2f)." % (predicted, measured, measured / predicted))
    print("\n".join(out))
    if plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
        for r in runs:
            ax1.plot(range(1, len(r["epochs"]) + 1), r["epochs"], marker="o", label="R=%d" % r["r"])
        ax1.axhline(115, color="grey", ls=":")
        ax1.set_xlabel("epoch")
        ax1.set_ylabel("test -ELBO (nats)")
        ax1.legend()
        pts = [p for p in preds if p[1]]
        if pts:
            ax2.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label="o(R) as measured")
            ax2.plot([p[0] for p in pts], [p[2] for p in pts], marker="s", ls="--", label="per-replica part of o parallel")
            ax2.legend()
            ax2.set_xscale("log", base=2)
            ax2.set_xlabel("executor cores R")
            ax2.set_ylabel("predicted time to 115 nats (s)")
        fig.tight_layout()
        fig.savefig(plot, dpi=100)


if __name__ == "__main__":
    main()
