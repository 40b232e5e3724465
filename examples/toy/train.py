#!/usr/bin/env python3
"""A small, real training job for labsweep's examples: logistic regression with polynomial
features on two interleaved half-moons, trained by minibatch SGD with momentum in plain Python.

It takes its hyperparameters as flags (`--lr=0.1 --batch_size=16 ...`, as a sweep's `${args}`
renders them), reports train and validation loss and accuracy after every epoch through the
labsweep client, and stops between epochs when labsweep asks it to. Outside labsweep it prints
the same numbers.
"""

import argparse
import math
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "clients", "python"))
import labsweep  # noqa: E402


def make_moons(n, noise, rng):
    points = []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2 == 0:
            x, y, label = math.cos(t), math.sin(t), 0
        else:
            x, y, label = 1 - math.cos(t), 0.5 - math.sin(t), 1
        points.append((x + rng.gauss(0, noise), y + rng.gauss(0, noise), label))
    return points


def features(x, y, degree):
    return [x ** i * y ** (d - i) for d in range(degree + 1) for i in range(d + 1)]


def sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def evaluate(w, data):
    loss, correct = 0.0, 0
    for f, label in data:
        p = min(max(sigmoid(sum(a * b for a, b in zip(w, f))), 1e-12), 1 - 1e-12)
        loss -= math.log(p) if label else math.log(1 - p)
        correct += (p >= 0.5) == bool(label)
    return loss / len(data), correct / len(data)


def train_epoch(w, velocity, data, args, rng):
    rng.shuffle(data)
    for start in range(0, len(data), args.batch_size):
        batch = data[start:start + args.batch_size]
        grad = [args.weight_decay * wi for wi in w]
        for f, label in batch:
            err = sigmoid(sum(a * b for a, b in zip(w, f))) - label
            for j, fj in enumerate(f):
                grad[j] += err * fj / len(batch)
        for j in range(len(w)):
            velocity[j] = args.momentum * velocity[j] - args.lr * grad[j]
            w[j] += velocity[j]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--batch_size", type=int, default=16)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--weight_decay", type=float, default=1e-4)
    parser.add_argument("--degree", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epoch_delay", type=float, default=0.0,
                        help="seconds to wait after each epoch, so that a demo can be watched")
    args = parser.parse_args()

    data_rng, rng = random.Random(1234), random.Random(args.seed)
    moons = [(features(x, y, args.degree), label) for x, y, label in make_moons(600, 0.2, data_rng)]
    train, val = moons[:480], moons[480:]
    w = [0.0] * len(moons[0][0])
    velocity = [0.0] * len(w)

    print(f"{'epoch':>5} {'train_loss':>10} {'val_loss':>9} {'val_acc':>8}")
    for epoch in range(1, args.epochs + 1):
        started = time.monotonic()
        train_epoch(w, velocity, train, args, rng)
        train_loss, _ = evaluate(w, train)
        val_loss, val_acc = evaluate(w, val)
        if not all(math.isfinite(v) for v in w):
            train_loss = val_loss = float("nan")
        labsweep.report(epoch, train_loss=train_loss, val_loss=val_loss, val_acc=val_acc,
                        epoch_s=time.monotonic() - started)
        print(f"{epoch:>5} {train_loss:>10.4f} {val_loss:>9.4f} {val_acc:>8.3f}", flush=True)
        if labsweep.should_stop():
            print(f"stopping: {labsweep.stop_reason()}", flush=True)
            return
        time.sleep(args.epoch_delay)


if __name__ == "__main__":
    main()
