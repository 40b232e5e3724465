#!/usr/bin/env python3
"""A trial for the trial page's browser test: prints a numbered line to stdout and one to stderr
every 0.1 s and reports `loss` every tenth line, until the test lets it finish (a file named
`release` in --gate); then prints a last line and exits 0. So the test sees output arrive while
the trial runs, and decides when it ends.

Flags (as a sweep's ${args} renders them): --lr=V, --gate=DIR.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "clients", "python"))
import labsweep  # noqa: E402

GIVE_UP_S = 120  # a test that died never releases its trial


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--gate", required=True)
    args, _ = parser.parse_known_args()
    deadline = time.monotonic() + GIVE_UP_S
    line = 0
    while not os.path.exists(os.path.join(args.gate, "release")):
        if time.monotonic() > deadline:
            sys.exit(3)
        print(f"stdout line {line} (lr {args.lr:g})", flush=True)
        print(f"stderr line {line}", file=sys.stderr, flush=True)
        if line % 10 == 0:
            labsweep.report(line // 10, loss=args.lr / (1 + line))
        line += 1
        time.sleep(0.1)
    labsweep.report(line // 10 + 1, loss=args.lr / (2 + line))
    print("stdout: done", flush=True)


if __name__ == "__main__":
    main()
