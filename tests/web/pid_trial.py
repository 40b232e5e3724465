#!/usr/bin/env python3
"""A trial for the dashboard's steering test: writes its pid to <pids>/pid-<x>, then reports
`loss` every fifth of a second until it is stopped. It never asks whether to stop, so only the
agent's signals end it: the test checks from outside that stopping the trial from the page ended
this very process.

Flags (as a sweep's ${args} renders them): --x=V, --pids=DIR.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "clients", "python"))
import labsweep  # noqa: E402

GIVE_UP_S = 120  # a test that died never stops its trials


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--x", type=float, required=True)
    parser.add_argument("--pids", required=True)
    args, _ = parser.parse_known_args()
    # Written beside and renamed, so the test never reads half a pid.
    name = os.path.join(args.pids, f"pid-{args.x:g}")
    with open(name + ".next", "w") as f:
        f.write(str(os.getpid()))
    os.rename(name + ".next", name)
    deadline = time.monotonic() + GIVE_UP_S
    step = 0
    while time.monotonic() < deadline:
        labsweep.report(step, loss=args.x / (step + 1))
        step += 1
        time.sleep(0.2)
    sys.exit(3)


if __name__ == "__main__":
    main()
