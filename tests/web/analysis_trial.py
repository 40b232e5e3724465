#!/usr/bin/env python3
"""A trial for the analysis panels' browser test: reports `loss` for a few steps, a value that
depends on --lr alone (lowest at lr = 10^-2.5), whatever --width and --opt are, and exits 0.

Flags (as a sweep's ${args} renders them): --lr=V, --width=N, --opt=NAME.
"""

import argparse
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "clients", "python"))
import labsweep  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, required=True)
    args, _ = parser.parse_known_args()
    final = (math.log10(args.lr) + 2.5) ** 2
    for step in range(3):
        labsweep.report(step, loss=final + 1 / (step + 1))


if __name__ == "__main__":
    main()
