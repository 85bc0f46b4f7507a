"""Time-to-accuracy of the modern LeNet-5 on full Fashion-MNIST, beside a reference.

Usage:
    .venv/bin/python benchmarks/lenet_fashion_mnist.py [--threads N] [--budget SECONDS]

Data: the 60,000 training and 10,000 test images of Fashion-MNIST, from Debian's package
dataset-fashion-mnist when it is installed (else the cache, else a download).

Reference, run first in the same process: the recipe of Dive into Deep Learning's LeNet
chapter (sigmoid activations, average pooling, Xavier-uniform initialisation, pixels in
[0, 1], plain SGD with learning rate 0.9, mini-batches of 256, 10 epochs).
Ours: ``lenet5("relu", "max")`` (ReLU, max pooling, the same 61,706 parameters),
standardized pixels, Adam with learning rate 0.001, mini-batches of 64, trained for
``--budget`` seconds.

Both runs measure test accuracy on the 10,000 test images at regular checkpoints; the
clock counts training only (the checkpoint evaluations are excluded). Targets on a
2-core machine: ours reaches 90% test accuracy within 60 s, and the reference's final
accuracy within a tenth of the reference's training time. Prints figures only; nothing
is asserted.
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F
from torch import nn

from book.data import load_fashion_mnist
from book.models import lenet5
from book.training import evaluate, images_to_tensor, standardize


def run(model, optimizer, x_train, y_train, x_test, y_test, batch_size: int,
        checkpoint_every: int, max_epochs: int, max_seconds: float, seed: int = 0):
    """Train; return [(training seconds, epochs done, test accuracy), ...] at
    checkpoints."""
    generator = torch.Generator().manual_seed(seed)
    curve, elapsed, step = [], 0.0, 0
    steps_per_epoch = -(-len(y_train) // batch_size)
    for _ in range(max_epochs):
        order = torch.randperm(len(y_train), generator=generator)
        model.train()
        start = time.perf_counter()
        for batch in order.split(batch_size):
            loss = F.cross_entropy(model(x_train[batch]), y_train[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            last_of_epoch = step % steps_per_epoch == 0
            if step % checkpoint_every == 0 or last_of_epoch:
                elapsed += time.perf_counter() - start
                _, accuracy = evaluate(model, x_test, y_test)
                curve.append((elapsed, step / steps_per_epoch, accuracy))
                model.train()
                if elapsed >= max_seconds:
                    return curve
                start = time.perf_counter()
    return curve


def time_to(curve, accuracy: float):
    """(seconds, epochs) of the first checkpoint at or above ``accuracy``, or None."""
    for seconds, epochs, reached in curve:
        if reached >= accuracy:
            return seconds, epochs
    return None


def describe(reached) -> str:
    if reached is None:
        return "not reached"
    return f"{reached[0]:6.1f} s ({reached[1]:.2f} epochs)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads for both runs (default 1: for networks "
                             "this small, one thread measured fastest on 2 cores)")
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds of training for the modern LeNet (default 60)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    data = load_fashion_mnist()
    print(data.summary)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU thread(s)\n")
    raw_train = images_to_tensor(data.train_images)
    raw_test = images_to_tensor(data.test_images)
    y_train = torch.from_numpy(data.train_labels)
    y_test = torch.from_numpy(data.test_labels)

    torch.manual_seed(0)
    reference = lenet5("sigmoid", "avg")
    for layer in reference.modules():
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(layer.weight)
    reference_curve = run(reference, torch.optim.SGD(reference.parameters(), lr=0.9),
                          raw_train, y_train, raw_test, y_test, batch_size=256,
                          checkpoint_every=118, max_epochs=10, max_seconds=float("inf"))
    reference_seconds, _, reference_accuracy = reference_curve[-1]

    x_train, x_test = standardize(raw_train, raw_test)
    torch.manual_seed(0)
    modern = lenet5("relu", "max")
    modern_curve = run(modern, torch.optim.Adam(modern.parameters(), lr=1e-3), x_train,
                       y_train, x_test, y_test, batch_size=64, checkpoint_every=94,
                       max_epochs=100, max_seconds=args.budget)
    modern_seconds, modern_epochs, modern_accuracy = modern_curve[-1]

    print("reference: sigmoid LeNet-5, average pooling, SGD lr 0.9, batch 256, "
          "10 epochs")
    print(f"  final test accuracy {reference_accuracy:.2%} after "
          f"{reference_seconds:.1f} s of training")
    print(f"modern: ReLU LeNet-5, max pooling, Adam lr 0.001, batch 64, "
          f"{args.budget:.0f} s budget")
    print(f"  final test accuracy {modern_accuracy:.2%} after {modern_seconds:.1f} s "
          f"({modern_epochs:.2f} epochs)")
    print(f"  best test accuracy {max(a for _, _, a in modern_curve):.2%}")
    print()
    to_reference = time_to(modern_curve, reference_accuracy)
    to_ninety = time_to(modern_curve, 0.90)
    print(f"modern, time to the reference's final {reference_accuracy:.2%}: "
          f"{describe(to_reference)}   target <= {reference_seconds / 10:.1f} s "
          "(a tenth of the reference's time)")
    print(f"modern, time to 90% test accuracy:       {describe(to_ninety)}   "
          "target <= 60 s")
    reference_to_ninety = time_to(reference_curve, 0.90)
    print(f"reference, time to 90% test accuracy:    {describe(reference_to_ninety)}")


if __name__ == "__main__":
    main()
