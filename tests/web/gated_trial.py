#!/usr/bin/env python3
"""A trial for the dashboard's browser test: reports `loss` for three steps, then waits until
the test lets it finish (a file named release-<x> or release-all in --gate), reports a last
step and exits 0. So the test decides when each trial goes from running to completed.

Flags (as a sweep's ${args} renders them): --x=V, --gate=DIR.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "clients", "python"))
import labsweep  # noqa: E402

GIVE_UP_S = 120  # a test that died never releases its trials


def loss(x, step):
    return (x - 3) ** 2 + 1 / (step + 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--x", type=float, required=True)
    parser.add_argument("--gate", required=True)
    args, _ = parser.parse_known_args()
    for step in range(3):
        labsweep.report(step, loss=loss(args.x, step), accuracy=1 / (1 + loss(args.x, step)))
    names = [f"release-{args.x:g}", "release-all"]
    deadline = time.monotonic() + GIVE_UP_S
    while not any(os.path.exists(os.path.join(args.gate, n)) for n in names):
        if time.monotonic() > deadline:
            sys.exit(3)
        time.sleep(0.05)
    labsweep.report(3, loss=loss(args.x, 3), accuracy=1 / (1 + loss(args.x, 3)))


if __name__ == "__main__":
    main()
