#!/usr/bin/python3
"""bench-curves' peer: Optuna over the same recorded learning curves (docs/benchmarks.md).

Optuna's TPESampler with its SuccessiveHalvingPruner (min_resource 1, reduction_factor 3, and its
default 4) and with its HyperbandPruner (min_resource 1, max_resource = the table's epochs,
reduction_factor 3), driven with ask/tell over the table
that bench-curves replays: the same categorical space, each trial reporting its recorded
val_accuracy after each epoch and pruned when the pruner says so, until the epoch budget is
spent. Trials run one after another (one worker): Optuna's pruners judge a trial against the
trials before it, and a sequential study is the way Optuna is usually run in one process.

The best trial at a budget is the finished trial (all epochs trained) with the highest
val_accuracy at its last epoch, as in bench-curves; its recorded test accuracy is reported.
The last line printed is one JSON object.
"""

import argparse
import csv
import json
import math
import statistics
import sys
import time

try:
    import optuna
except ImportError:  # bench-curves reports the run as skipped
    print(json.dumps({"skipped": "optuna is not installed (python3-optuna)"}))
    sys.exit(1)


def load_table(path):
    """{config tuple: (val accuracies by epoch, test accuracy)}, the axes and their values."""
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        axes = reader.fieldnames[:reader.fieldnames.index("epoch")]
        rows = list(reader)
    curves = {}
    for r in rows:
        key = tuple(number(r[a]) for a in axes)
        curve = curves.setdefault(key, [{}, None])
        curve[0][int(r["epoch"])] = float(r["val_accuracy"])
        if r["test_accuracy"]:
            curve[1] = float(r["test_accuracy"])
    epochs = max(len(c[0]) for c in curves.values())
    table = {k: ([c[0][e] for e in range(1, epochs + 1)], c[1]) for k, c in curves.items()}
    choices = [sorted({k[i] for k in table}) for i in range(len(axes))]
    return table, axes, choices, epochs


def number(text):
    value = float(text)
    return int(value) if value.is_integer() else value


def run_study(table, axes, choices, epochs, pruner, seed, budget):
    """One sweep; the (epochs spent, val, test) of each improvement of the best finished trial."""
    # A fixed study name: HyperbandPruner picks each trial's bracket from a hash of the study's
    # name, and an unnamed study gets a random one, which would make its runs differ.
    study = optuna.create_study(direction="maximize", study_name=f"curves-seed-{seed}",
                                sampler=optuna.samplers.TPESampler(seed=seed), pruner=pruner)
    spent, best, trace, trials = 0, None, [], 0
    while spent < budget:
        trial = study.ask()
        trials += 1
        key = tuple(trial.suggest_categorical(a, c) for a, c in zip(axes, choices))
        curve, test = table[key]
        state = None
        for epoch in range(1, epochs + 1):
            spent += 1
            trial.report(curve[epoch - 1], epoch)
            if epoch == epochs:
                state = "finished"
            elif trial.should_prune():
                state = "pruned"
            elif spent >= budget:
                state = "cut"
            if state:
                break
        if state == "finished":
            study.tell(trial, curve[-1])
            if best is None or curve[-1] > best:
                best = curve[-1]
                trace.append((spent, curve[-1], test))
        elif state == "pruned":
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    return trace, trials


def best_at(trace, budget):
    found = [t for t in trace if t[0] <= budget]
    return found[-1] if found else None


def summarise(traces, budgets, target):
    out = {"test_mean": [], "test_std": [], "val_mean": [], "seeds_with_result": []}
    for b in budgets:
        found = [best_at(t, b) for t in traces]
        found = [f for f in found if f]
        tests = [f[2] for f in found]
        out["test_mean"].append(statistics.fmean(tests) if tests else None)
        out["test_std"].append(statistics.stdev(tests) if len(tests) > 1 else 0.0 if tests else None)
        out["val_mean"].append(statistics.fmean(f[1] for f in found) if found else None)
        out["seeds_with_result"].append(len(found))
    out["epochs_to_random_final"] = epochs_to_reach(traces, budgets[-1], target)
    return out


def epochs_to_reach(traces, budget, target):
    """The fewest epochs after which the mean best test accuracy over the seeds reaches target."""
    if target is None:
        return None
    points = sorted({t[0] for trace in traces for t in trace})
    for k in points:
        if k > budget:
            break
        found = [best_at(t, k) for t in traces]
        if all(found) and statistics.fmean(f[2] for f in found) >= target:
            return k
    return None


def cell(mean, sd, n, seeds):
    if mean is None:
        return "-"
    return f"{100 * mean:.2f}% ±{100 * sd:.2f}" + (f"({n})" if n < seeds else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", required=True)
    parser.add_argument("--budgets", default="100,300,1000,3000")
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--target", type=float, default=None,
                        help="the accuracy whose epochs-to-reach is reported (random's final)")
    args = parser.parse_args()
    budgets = sorted(int(b) for b in args.budgets.split(","))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    table, axes, choices, epochs = load_table(args.table)
    pruners = {
        "tpe_sha": lambda: optuna.pruners.SuccessiveHalvingPruner(min_resource=1,
                                                                  reduction_factor=3),
        # The pruner's own default reduction factor.
        "tpe_sha4": lambda: optuna.pruners.SuccessiveHalvingPruner(min_resource=1,
                                                                   reduction_factor=4),
        "tpe_hyperband": lambda: optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=epochs, reduction_factor=3),
    }
    methods = {}
    print(f"optuna {optuna.__version__}, TPESampler, 1 worker, {args.seeds} seeds")
    for name, make in pruners.items():
        start, traces, trials = time.perf_counter(), [], 0
        for seed in range(args.seeds):
            trace, n = run_study(table, axes, choices, epochs, make(), seed, budgets[-1])
            traces.append(trace)
            trials += n
        m = summarise(traces, budgets, args.target)
        m.update(trials=trials, seconds=time.perf_counter() - start)
        methods[name] = m
        cells = "  ".join(f"{cell(m['test_mean'][i], m['test_std'][i], m['seeds_with_result'][i], args.seeds):>18}"
                          for i in range(len(budgets)))
        reach = m["epochs_to_random_final"]
        print(f"{'optuna ' + name:<24}  {cells}  {reach if reach else 'not reached':>16}  "
              f"{m['seconds']:8.1f}")
    print(json.dumps({"budgets": budgets, "seeds": args.seeds, "workers": 1, "methods": methods}))


if __name__ == "__main__":
    main()
