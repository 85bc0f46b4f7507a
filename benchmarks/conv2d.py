"""How fast is book.conv.conv2d? Against torch.nn.functional.conv2d and the loop version.

All three run in this process on the same float32 inputs, with the same number of threads
for numpy's BLAS and for torch (set explicitly). The loop version is far too slow for whole
batches, so it runs on the first image(s) of each batch only; all times are therefore
reported per image.

    .venv/bin/python benchmarks/conv2d.py [--threads 1] [--repeats 5]

Targets (chapter 3): vectorized numpy within 3x of torch, at least 100x faster than loops.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F
from threadpoolctl import threadpool_limits

from book.conv import conv2d, conv2d_loop

# name, input (N, C, H, W), filters (F, C, kh, kw), padding, images for the loop version
CASES = [
    ("LeNet C1: 1x32x32, 6 filters 5x5", (64, 1, 32, 32), (6, 1, 5, 5), 0, 4),
    ("LeNet C3: 6x14x14, 16 filters 5x5", (64, 6, 14, 14), (16, 6, 5, 5), 0, 4),
    ("CIFAR: 3x32x32, 32 filters 3x3 pad 1", (64, 3, 32, 32), (32, 3, 3, 3), 1, 2),
    ("ResNet stage: 64x56x56, 64 filters 3x3 pad 1", (8, 64, 56, 56), (64, 64, 3, 3), 1, 1),
]


def best_time(function, repeats: int) -> float:
    """The fastest of ``repeats`` runs, in seconds (after one warm-up run)."""
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for both numpy's BLAS and torch (default 1)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    print(f"threads: {args.threads} (numpy BLAS and torch); float32; best of {args.repeats} "
          f"runs; times per image\n")
    header = (f"{'case':<46} {'torch':>10} {'numpy':>10} {'loops':>10} "
              f"{'numpy/torch':>12} {'loops/numpy':>12}")
    print(header)
    print("-" * len(header))
    with threadpool_limits(limits=args.threads):
        for name, x_shape, w_shape, padding, loop_images in CASES:
            x = rng.standard_normal(x_shape, dtype=np.float32)
            w = rng.standard_normal(w_shape, dtype=np.float32)
            b = rng.standard_normal(w_shape[0], dtype=np.float32)
            xt, wt, bt = torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b)
            expected = F.conv2d(xt, wt, bt, padding=padding).numpy()
            np.testing.assert_allclose(conv2d(x, w, b, padding=padding), expected,
                                       rtol=1e-3, atol=1e-3)
            n = x_shape[0]
            with torch.no_grad():
                t_torch = best_time(lambda: F.conv2d(xt, wt, bt, padding=padding),
                                    args.repeats) / n
            t_numpy = best_time(lambda: conv2d(x, w, b, padding=padding), args.repeats) / n
            x_loop = x[:loop_images]
            t_loop = best_time(lambda: conv2d_loop(x_loop, w, b, padding=padding), 1)
            t_loop /= loop_images
            print(f"{name:<46} {t_torch * 1e3:>8.3f}ms {t_numpy * 1e3:>8.3f}ms "
                  f"{t_loop * 1e3:>8.1f}ms {t_numpy / t_torch:>11.2f}x {t_loop / t_numpy:>11.0f}x")


if __name__ == "__main__":
    main()
