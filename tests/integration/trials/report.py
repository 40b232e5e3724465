#!/usr/bin/env python3
"""A trial for the integration tests: records that it ran, reports metrics, and misbehaves on
request.

Flags (as a sweep's ${args} renders them):
  --x=V            the parameter; the reported loss is (x - 3)^2 + 1/(step + 1)
  --steps=N        how many steps to report (default 10)
  --step_s=S       seconds to sleep after each step (default 0)
  --log=PATH       append "trial <LABSWEEP_TRIAL_ID> pid <pid> gpus <CUDA_VISIBLE_DEVICES>"
  --crash=CODE     after the first step, write "boom" to stderr and exit with CODE
  --wait=1         after each report, wait for labsweep's early-stopping decision on it
  --daemon=PATH    first start a process in its own session that writes its pid to PATH and
                   sleeps; labsweep must end it with the trial
"""

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "clients", "python"))
import labsweep  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--x", type=float, default=0.0)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--step_s", type=float, default=0.0)
    parser.add_argument("--log", default="")
    parser.add_argument("--crash", type=int, default=0)
    parser.add_argument("--daemon", default="")
    parser.add_argument("--wait", type=int, default=0)
    args, _ = parser.parse_known_args()

    if args.log:
        with open(args.log, "a") as log:
            log.write(f"trial {os.environ.get('LABSWEEP_TRIAL_ID')} pid {os.getpid()} "
                      f"gpus {os.environ.get('CUDA_VISIBLE_DEVICES', '-')}\n")
    if args.daemon:
        subprocess.Popen([sys.executable, "-c",
                          "import os, sys, time\n"
                          "open(sys.argv[1], 'w').write(str(os.getpid()))\n"
                          "time.sleep(600)\n", args.daemon],
                         start_new_session=True, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not os.path.exists(args.daemon) and time.monotonic() < deadline:
            time.sleep(0.01)
    for step in range(args.steps):
        labsweep.report(step, loss=(args.x - 3) ** 2 + 1 / (step + 1), x=args.x)
        if args.crash and step == 0:
            print("boom", file=sys.stderr, flush=True)
            sys.exit(args.crash)
        if labsweep.should_stop(wait=bool(args.wait)):
            return
        time.sleep(args.step_s)


if __name__ == "__main__":
    main()
