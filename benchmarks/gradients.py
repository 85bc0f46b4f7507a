"""How fast are the backward passes of book.gradients? Against torch.autograd and the loops.

For LeNet-sized layers, all three compute the same gradients in this process on the same
float32 inputs (checked before timing), with the same number of threads for numpy's BLAS
and for torch. torch's time is its backward pass alone: the forward graph is built once
and ``torch.autograd.grad`` runs on it repeatedly. The loop versions are far too slow for
whole batches, so they run on the first image(s) only; all times are per image.

torch's max-pooling backward pass reuses the argmax indices its forward pass saved;
book.gradients takes x and finds them again, so it does a forward pass's work too.

    .venv/bin/python benchmarks/gradients.py [--threads 1] [--repeats 5]
"""

import argparse
import sys
from functools import partial
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.conv2d import best_time  # noqa: E402
from book.gradients import (  # noqa: E402
    avg_pool2d_backward,
    avg_pool2d_backward_loop,
    conv2d_backward,
    conv2d_backward_loop,
    max_pool2d_backward,
    max_pool2d_backward_loop,
)

BATCH, LOOP_IMAGES = 64, 2

# name, input (C, H, W), filters (F, C, kh, kw) or None for pooling, torch's forward pass,
# the loop and the vectorized backward pass
CASES = [
    ("C1 conv: 1x32x32, 6 filters 5x5", (1, 32, 32), (6, 1, 5, 5), F.conv2d,
     conv2d_backward_loop, conv2d_backward),
    ("S2 max pool 2x2: 6x28x28", (6, 28, 28), None, partial(F.max_pool2d, kernel_size=2),
     partial(max_pool2d_backward_loop, window=2), partial(max_pool2d_backward, window=2)),
    ("S2 avg pool 2x2: 6x28x28", (6, 28, 28), None, partial(F.avg_pool2d, kernel_size=2),
     partial(avg_pool2d_backward_loop, window=2), partial(avg_pool2d_backward, window=2)),
    ("C3 conv: 6x14x14, 16 filters 5x5", (6, 14, 14), (16, 6, 5, 5), F.conv2d,
     conv2d_backward_loop, conv2d_backward),
]


def gradients(result) -> tuple:
    """A conv backward pass returns (dx, dw, db), a pooling one dx alone: always a tuple."""
    return result if isinstance(result, tuple) else (result,)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for both numpy's BLAS and torch (default 1)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    print(f"threads: {args.threads} (numpy BLAS and torch); float32; batch {BATCH}; best of "
          f"{args.repeats} runs; times per image\n")
    header = (f"{'backward pass of':<36} {'torch':>10} {'numpy':>10} {'loops':>10} "
              f"{'numpy/torch':>12} {'loops/numpy':>12}")
    print(header)
    print("-" * len(header))
    with threadpool_limits(limits=args.threads):
        for name, x_shape, w_shape, forward, loop, vectorized in CASES:
            x = rng.standard_normal((BATCH,) + x_shape, dtype=np.float32)
            arrays = [x]
            if w_shape is not None:
                arrays.append(rng.standard_normal(w_shape, dtype=np.float32))
            tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
            y = forward(*tensors)
            dy = rng.standard_normal(tuple(y.shape), dtype=np.float32)
            dy_torch = torch.from_numpy(dy)

            def torch_backward():
                return torch.autograd.grad(y, tensors, dy_torch, retain_graph=True)

            def numpy_backward():
                return gradients(vectorized(dy, *arrays))

            for ours, theirs in zip(numpy_backward(), torch_backward()):
                np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-3, atol=1e-3)
            t_torch = best_time(torch_backward, args.repeats) / BATCH
            t_numpy = best_time(numpy_backward, args.repeats) / BATCH
            first = [x[:LOOP_IMAGES]] + arrays[1:]
            t_loop = best_time(lambda: loop(dy[:LOOP_IMAGES], *first), 1) / LOOP_IMAGES
            print(f"{name:<36} {t_torch * 1e3:>8.3f}ms {t_numpy * 1e3:>8.3f}ms "
                  f"{t_loop * 1e3:>8.1f}ms {t_numpy / t_torch:>11.2f}x "
                  f"{t_loop / t_numpy:>11.0f}x")


if __name__ == "__main__":
    main()
