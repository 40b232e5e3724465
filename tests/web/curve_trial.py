#!/usr/bin/env python3
"""A trial for the learning curves' browser test: reports `loss` and `acc` for STEPS steps, a
curve whose level depends on --x (x = 3 is best), and exits 0.

Flags (as a sweep's ${args} renders them): --x=V, --steps=N.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "clients", "python"))
import labsweep  # noqa: E402


def loss(x, step):
    return (x - 3) ** 2 + 1 + 2 / (step + 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--x", type=float, required=True)
    parser.add_argument("--steps", type=int, default=30)
    args, _ = parser.parse_known_args()
    for step in range(args.steps):
        value = loss(args.x, step)
        labsweep.report(step, loss=value, acc=1 / value)


if __name__ == "__main__":
    main()
