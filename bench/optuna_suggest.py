#!/usr/bin/python3
"""bench-suggest's peer: Optuna's TPESampler suggesting one trial of the 5-parameter space that
bench/suggest_bench.cc times labsweep's tpe and bayes on, after N finished trials.

Run by bench-suggest with /usr/bin/python3 (Debian's python3-optuna). Each N: an in-memory study
pre-filled with N finished trials (random parameters, the same synthetic objective), then
`asks` suggestions timed as study.ask() + study.tell(), as a live sweep would make them.
Prints a table and, as the last line, one JSON object.
"""

import argparse
import json
import math
import random
import statistics
import sys
import time

try:
    import optuna
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
except ImportError as e:  # bench-suggest reports the peer as unavailable
    print(json.dumps({"bench": "optuna_suggest", "error": f"optuna does not import: {e}"}))
    sys.exit(0)

ACTIVATIONS = ["relu", "gelu", "tanh", "silu"]
ACTIVATION_COST = {"relu": 0.0, "gelu": -0.1, "tanh": 0.3, "silu": 0.05}

# The space of bench/suggest_bench.cc's sweep file, distribution for distribution.
DISTRIBUTIONS = {
    "activation": CategoricalDistribution(ACTIVATIONS),
    "batch_size": FloatDistribution(16, 256, step=16),
    "dropout": FloatDistribution(0.0, 0.5),
    "lr": FloatDistribution(1e-5, 1e-1, log=True),
    "width": IntDistribution(16, 512),
}


def objective(p):
    """The synthetic loss bench/suggest_bench.cc uses (minimized)."""
    return ((math.log10(p["lr"]) + 3) ** 2 + 4 * (p["dropout"] - 0.2) ** 2 +
            0.1 * (math.log2(p["width"]) - 7) ** 2 + ACTIVATION_COST[p["activation"]] +
            ((p["batch_size"] - 128) / 256) ** 2)


def random_params(rng):
    return {
        "activation": rng.choice(ACTIVATIONS),
        "batch_size": 16.0 * rng.randint(1, 16),
        "dropout": rng.uniform(0.0, 0.5),
        "lr": math.exp(rng.uniform(math.log(1e-5), math.log(1e-1))),
        "width": rng.randint(16, 512),
    }


def measure(n, asks, seed):
    rng = random.Random(seed)
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    start = time.perf_counter()
    trials = []
    for _ in range(n):
        params = random_params(rng)
        trials.append(optuna.trial.create_trial(params=params, distributions=DISTRIBUTIONS,
                                                value=objective(params)))
    study.add_trials(trials)
    fill_s = time.perf_counter() - start
    times_ms = []
    for _ in range(asks):
        t0 = time.perf_counter()
        trial = study.ask(DISTRIBUTIONS)
        study.tell(trial, objective(trial.params))
        times_ms.append((time.perf_counter() - t0) * 1e3)
    times_ms.sort()
    return {
        "median_ms": statistics.median(times_ms),
        "p90_ms": times_ms[min(len(times_ms) - 1, int(0.9 * len(times_ms)))],
        "fill_s": fill_s,
        "asks": asks,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", default="1000", help="comma-separated N")
    parser.add_argument("--asks", default="50", help="timed suggestions, one per N or one for all")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    out = {"bench": "optuna_suggest", "optuna": optuna.__version__}
    print(f"Optuna {optuna.__version__} TPESampler (default settings), in-memory study")
    print(f"  {'trials':>8} {'median ms':>10} {'p90 ms':>10} {'fill s':>8}")
    sizes = [int(x) for x in args.trials.split(",")]
    asks = [int(x) for x in args.asks.split(",")]
    for i, n in enumerate(sizes):
        r = measure(n, asks[min(i, len(asks) - 1)], args.seed)
        print(f"  {n:>8} {r['median_ms']:>10.3f} {r['p90_ms']:>10.3f} {r['fill_s']:>8.2f}")
        key = f"{n // 1000}k" if n % 1000 == 0 else str(n)
        out[f"optuna_tpe_ms_{key}"] = r["median_ms"]
        out[f"optuna_tpe_p90_ms_{key}"] = r["p90_ms"]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
