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
from book import gradients  # noqa: E402

BATCH, LOOP_IMAGES = 64, 2

# name, input (C, H, W), filters (F, C, kh, kw) or None for pooling, torch's forward pass,
# the loop and the vectorized backward pass
CASES = [
    ("C1 conv: 1x32x32, 6 filters 5x5", (1, 32, 32), (6, 1, 5, 5), F.conv2d,
     gradients.conv2d_backward_loop, gradients.conv2d_backward),
    ("S2 max pool 2x2: 6x28x28", (6, 28, 28), None, partial(F.max_pool2d, kernel_size=2),
     partial(gradients.max_pool2d_backward_loop, window=2),
     partial(gradients.max_pool2d_backward, window=2)),
    ("S2 avg pool 2x2: 6x28x28", (6, 28, 28), None, partial(F.avg_pool2d, kernel_size=2),
     partial(gradients.avg_pool2d_backward_loop, window=2),
     partial(gradients.avg_pool2d_backward, window=2)),
    ("C3 conv: 6x14x14, 16 filters 5x5", (6, 14, 14), (16, 6, 5, 5), F.conv2d,
     gradients.conv2d_backward_loop, gradients.conv2d_backward),
]
COLUMNS = ("torch", "numpy", "loops", "numpy/torch", "loops/numpy")


def as_tuple(result) -> tuple:
    """A conv backward pass returns (dx, dw, db), a pooling one dx alone: always a tuple."""
    return result if isinstance(result, tuple) else (result,)


def times_per_image(case, rng, repeats: int) -> tuple[float, float, float]:
    """Seconds per image of torch's backward pass, the vectorized one and the loops."""
    _, x_shape, w_shape, forward, loop, vectorized = case
    arrays = [rng.standard_normal((BATCH,) + x_shape, dtype=np.float32)]
    if w_shape is not None:
        arrays.append(rng.standard_normal(w_shape, dtype=np.float32))
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = forward(*tensors)
    dy = rng.standard_normal(tuple(y.shape), dtype=np.float32)
    dy_torch = torch.from_numpy(dy)

    def torch_backward():
        return torch.autograd.grad(y, tensors, dy_torch, retain_graph=True)

    def numpy_backward():
        return as_tuple(vectorized(dy, *arrays))

    for ours, theirs in zip(numpy_backward(), torch_backward()):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-3, atol=1e-3)
    first_images = [arrays[0][:LOOP_IMAGES]] + arrays[1:]
    return (best_time(torch_backward, repeats) / BATCH,
            best_time(numpy_backward, repeats) / BATCH,
            best_time(lambda: loop(dy[:LOOP_IMAGES], *first_images), 1) / LOOP_IMAGES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for both numpy's BLAS and torch (default 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"float32, batch {BATCH}, {args.threads} thread(s) for numpy's BLAS and torch, "
          f"best of {args.repeats} runs; times per image\n")
    header = f"{'backward pass of':<36}" + "".join(f"{column:>13}" for column in COLUMNS)
    print(header + "\n" + "-" * len(header))
    rng = np.random.default_rng(0)
    with threadpool_limits(limits=args.threads):
        for case in CASES:
            t_torch, t_numpy, t_loop = times_per_image(case, rng, args.repeats)
            print(f"{case[0]:<36}{t_torch * 1e3:>11.3f}ms{t_numpy * 1e3:>11.3f}ms"
                  f"{t_loop * 1e3:>11.1f}ms{t_numpy / t_torch:>12.2f}x"
                  f"{t_loop / t_numpy:>12.0f}x")


if __name__ == "__main__":
    main()
