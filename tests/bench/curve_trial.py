#!/usr/bin/env python3
"""A trial for the confirmation replay (tests/bench/confirm_replay_test.cc): it "trains" the
recorded curve of its configuration, as bench-curves' replay does in simulated time.

Flags: --table=CSV (a table of recorded curves, bench/curve_table.h), then one --AXIS=VALUE per
axis of the table (as a sweep's ${args} renders them). For epoch 1..E of the configuration's
curve it reports val_accuracy at step=epoch and waits for labsweep's early-stopping decision on
that report; on a stop it exits 0 at once, otherwise it exits 0 after epoch E. A configuration
the table lacks is an error (exit 2).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "clients", "python"))
import labsweep  # noqa: E402


def read_axes(path):
    """The table's axes: the columns before `epoch`."""
    with open(path) as f:
        header = f.readline().strip().split(",")
    return header[:header.index("epoch")]


def read_curve(path, key):
    """The configuration's val_accuracy by epoch; {} when the table lacks it."""
    curve = {}
    with open(path) as f:
        header = f.readline().strip().split(",")
        axes = header.index("epoch")
        epoch_col, value_col = axes, header.index("val_accuracy")
        for line in f:
            row = line.rstrip("\n").split(",")
            if tuple(float(v) for v in row[:axes]) == key:
                curve[int(row[epoch_col])] = float(row[value_col])
    return curve


def main():
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--table", required=True)
    known, rest = first.parse_known_args()
    axes = read_axes(known.table)
    parser = argparse.ArgumentParser()
    for axis in axes:
        parser.add_argument("--" + axis, type=float, required=True)
    args = parser.parse_args(rest)
    key = tuple(getattr(args, axis) for axis in axes)
    curve = read_curve(known.table, key)
    if not curve:
        print("curve_trial: the table has no configuration %r" % (key,), file=sys.stderr)
        sys.exit(2)
    for epoch in sorted(curve):
        labsweep.report(epoch, val_accuracy=curve[epoch])
        if labsweep.should_stop(wait=True):
            return


if __name__ == "__main__":
    main()
