#!/usr/bin/env python3
"""A tiny labsweep trial: reports a falling loss for a few steps, asks whether to stop at each
step, and stops early when told to. Needs clients/python on PYTHONPATH.

    python3 demo_trial.py [--steps N] [--sleep SECONDS]

Parameters (params.json): lr (default 0.1). Used by the agent tests and as a demo workload.
"""

import argparse
import sys
import time

import labsweep


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--sleep", type=float, default=0.0)
    args = parser.parse_args()
    lr = float(labsweep.params().get("lr", 0.1))
    loss = 1.0
    for step in range(args.steps):
        loss *= 1.0 - lr
        labsweep.report(step, loss=loss, lr=lr)
        if labsweep.should_stop(wait=True):
            print(f"stopped at step {step}: {labsweep.stop_reason()}", file=sys.stderr)
            return 0
        time.sleep(args.sleep)
    print(f"finished: loss {loss:.4f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
