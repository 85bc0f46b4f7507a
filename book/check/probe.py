"""A model's behaviour as a few numbers: its output with known weights on a known input.

Two models compute the same function when, given the same weights, they give the same output.
:func:`probe_parameters` sets every parameter from its shape alone (and, for parameters of
the same shape, from its rank among them), so the weights do not depend on the seed, on how
the student named the layers or on the order they were created in. :func:`probe_input` is
a fixed input (its examples all different) and :func:`probe_output` the output for every
example, computed in float64 on a copy of the model: a model that returns the published
numbers for every input gives itself away on the other examples. A tanh and a ReLU network,
average and max pooling, a final softmax or none: each changes these numbers far beyond
rounding, while the same architecture built in another way gives them to about 1e-12.
"""

from __future__ import annotations

import copy
import math

import numpy as np

_INPUT_SEED = 2**40     # apart from every parameter's seed (shapes and ranks are far smaller)


def _sequence(count: int, seed: int) -> np.ndarray:
    """``count`` numbers in [-1, 1) from SplitMix64 started at ``seed``: integer arithmetic,
    so the same on every machine and NumPy version. Unlike a smooth sequence (a sine), they
    have no structure that a convolution or a pooling window could line up with."""
    with np.errstate(over="ignore"):
        state = np.uint64(seed) + np.arange(1, count + 1, dtype=np.uint64) \
            * np.uint64(0x9E3779B97F4A7C15)
        state = (state ^ (state >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        state = (state ^ (state >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        state ^= state >> np.uint64(31)
    return (state >> np.uint64(11)).astype(np.float64) * 2.0**-52 - 1.0


def _shape_seed(shape: tuple[int, ...], rank: int) -> int:
    seed = rank
    for size in shape:
        seed = (seed * 1_000_003 + size + 1) % 2**40
    return seed


def probe_weights(shape: tuple[int, ...], rank: int) -> np.ndarray:
    """The values :func:`probe_parameters` gives a parameter of ``shape``, the ``rank``-th
    (from 0) of that shape in the model.

    Weights (2 or more axes) have values in +-1.5 / sqrt(fan_in), fan_in = prod(shape[1:]),
    so every layer's pre-activations stay near +-1, where tanh, ReLU and sigmoid differ most;
    vectors (biases, normalisation scales) have values in +-0.5.
    """
    scale = 1.5 / math.sqrt(math.prod(shape[1:])) if len(shape) >= 2 else 0.5
    return scale * _sequence(math.prod(shape), _shape_seed(shape, rank)).reshape(shape)


def probe_parameters(model) -> None:
    """Set every parameter of ``model`` (a torch ``nn.Module``) to :func:`probe_weights`,
    in place, in the parameter's own dtype and device."""
    import torch

    ranks: dict[tuple[int, ...], int] = {}
    with torch.no_grad():
        for parameter in model.parameters():
            shape = tuple(parameter.shape)
            values = probe_weights(shape, ranks.get(shape, 0))
            ranks[shape] = ranks.get(shape, 0) + 1
            parameter.copy_(torch.from_numpy(values))


def probe_input(input_shape: tuple[int, ...]):
    """The probe's input: a float64 tensor of ``input_shape`` (N, ...) with values in +-1."""
    import torch

    values = _sequence(math.prod(input_shape), _INPUT_SEED)
    return torch.from_numpy(values.reshape(tuple(input_shape)))


def probe_output(model, input_shape: tuple[int, ...]) -> np.ndarray:
    """The float64 output for every example of :func:`probe_input`, flattened per example
    (N, K), from a copy of ``model`` in float64 and eval mode holding
    :func:`probe_parameters`.

    Raises whatever the model's forward pass raises; the model itself is left unchanged.
    """
    import torch

    copied = copy.deepcopy(model).double().eval()
    probe_parameters(copied)
    with torch.no_grad():
        output = copied(probe_input(input_shape))
    return output.detach().cpu().numpy().astype(np.float64).reshape(len(output), -1)


def model_probe(build, input_shape: tuple[int, ...], digits: int = 6) -> list[float]:
    """For authors: the ``probe=`` list of ``check_model`` (the first example's output) for
    the model ``build()`` makes, rounded to ``digits`` significant digits (check_model's
    tolerance is relative 1e-5)."""
    first = probe_output(build(), input_shape)[0]
    values = [float(f"{value:.{digits}g}") for value in first]
    print(values)
    return values
