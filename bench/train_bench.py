#!/usr/bin/python3
"""bench-train: labsweep-train's CPU training throughput against PyTorch, in one run.

Both train the same MLP (784-256-256-10 ReLU by default, no dropout, AdamW, constant learning
rate) on the same Fashion-MNIST rows with the same batch size and number of threads. The rounds
alternate between the two (labsweep-train, then PyTorch, then again), so that load from other
work on the machine falls on both. A figure is the median over every epoch of every round of
samples per second in the training pass (validation excluded on both sides).

Runs under Debian's /usr/bin/python3, where python3-torch (1.13, CPU) lives; `make bench`
installs it (scripts/setup-bench-deps). Prints a table and, as its last line, one JSON object:
samples_per_s, torch_samples_per_s, ratio. Where a GPU is present and bench-train-gpu was built
beside this program, its figures (epoch_over_gemm, gemm_efficiency, ...) join the same object.
"""

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--hidden", default="256,256")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--epochs", type=int, default=2, help="epochs per round")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--limit-train", type=int, default=0, help="training rows (0: all 54,000)")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--trainer", default=os.path.join(HERE, "labsweep-train"))
    return p.parse_args()


def labsweep_round(args):
    """One run of labsweep-train; the samples/s of each epoch from its table."""
    cmd = [args.trainer, "--device=cpu", f"--threads={args.threads}", f"--data={args.data}",
           f"--hidden={args.hidden}", f"--batch-size={args.batch_size}", f"--lr={args.lr}",
           "--optimizer=adamw", "--schedule=constant", "--dropout=0", "--weight-decay=0.01",
           f"--epochs={args.epochs}", f"--limit-train={args.limit_train}"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rates = [float(m.group(1)) for m in re.finditer(r"^\s+\d+ .*\s(\d+)$", out, re.M)]
    if len(rates) != args.epochs:
        sys.exit("bench-train: could not read labsweep-train's table:\n" + out)
    device = out.splitlines()[0]
    return rates, device


def read_idx(path):
    import numpy as np
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndims = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndims).reshape(dims)


def torch_data(args):
    """The training rows labsweep-train uses: the same split and normalisation (the split's
    exact rows do not matter for throughput, only their number)."""
    import torch
    images = read_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz"))
    rows = len(labels) - round(0.1 * len(labels))
    if args.limit_train:
        rows = min(rows, args.limit_train)
    x = torch.tensor(images[:rows].reshape(rows, -1), dtype=torch.float32) / 255.0
    x = (x - x.mean()) / x.std()
    return x, torch.tensor(labels[:rows], dtype=torch.int64)


def torch_round(args, x, y):
    import torch
    torch.manual_seed(0)
    widths = [x.shape[1]] + [int(w) for w in args.hidden.split(",")]
    layers = []
    for i in range(len(widths) - 1):
        layers += [torch.nn.Linear(widths[i], widths[i + 1]), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(widths[-1], 10))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    rates = []
    for _ in range(args.epochs):
        order = torch.randperm(x.shape[0])
        start = time.perf_counter()
        for b in range(0, x.shape[0], args.batch_size):
            idx = order[b:b + args.batch_size]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        rates.append(x.shape[0] / (time.perf_counter() - start))
    return rates


def gpu_figures():
    """bench-train-gpu's JSON (the CUDA backend against cuBLAS alone) where it can run."""
    gpu_bench = os.path.join(HERE, "bench-train-gpu")
    if not os.path.exists(gpu_bench):
        return {}
    try:
        subprocess.run(["nvidia-smi", "-L"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return {}
    out = subprocess.run([gpu_bench], check=True, capture_output=True, text=True).stdout
    print(out, end="")
    return json.loads(out.strip().splitlines()[-1])


def main():
    args = parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("bench-train: PyTorch is missing: run scripts/setup-bench-deps (python3-torch)")
    torch.set_num_threads(args.threads)
    x, y = torch_data(args)
    ours, theirs, device = [], [], ""
    for r in range(args.rounds):
        rates, device = labsweep_round(args)
        ours += rates
        theirs += torch_round(args, x, y)
        print(f"round {r + 1}: labsweep-train {statistics.median(rates):9.0f} samples/s, "
              f"torch {statistics.median(theirs[-args.epochs:]):9.0f} samples/s", flush=True)
    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    print(f"\nMLP 784-{args.hidden.replace(',', '-')}-10 relu, AdamW, batch {args.batch_size}, "
          f"{args.threads} threads, {x.shape[0]} rows, {args.rounds} rounds x {args.epochs} epochs")
    print(f"labsweep-train: {device}; torch {torch.__version__}")
    print(f"  {'trainer':<16}{'samples/s (median)':>20}{'min':>10}{'max':>10}")
    for name, rates in (("labsweep-train", ours), ("pytorch", theirs)):
        print(f"  {name:<16}{statistics.median(rates):>20.0f}{min(rates):>10.0f}{max(rates):>10.0f}")
    print(f"  ratio: {ours_median / theirs_median:.2f}x PyTorch; load average "
          f"{os.getloadavg()[0]:.2f}")
    figures = {"samples_per_s": round(ours_median), "torch_samples_per_s": round(theirs_median),
               "ratio": round(ours_median / theirs_median, 3),
               "load_average": round(os.getloadavg()[0], 2)}
    figures.update(gpu_figures())
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
