"""Where a network's memory goes: activations and parameters, layer by layer.

A layer's **activations** are the values it outputs for one image, which training keeps
for the backward pass; its **parameters** are its weights and biases, stored once
whatever the batch size. :func:`layer_sizes` counts both from a model definition (build
the model under ``torch.device("meta")`` and it costs no memory); ReLU and dropout rows
are left out, as they are usually computed in place over their input.
Chapter 7, "LeNet: a convolutional network that reads digits" (VGG-16).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from torch import nn

from book.models import layer_table
from book.validation import integer


@dataclass(frozen=True)
class LayerSize:
    """One row of :func:`layer_sizes`: shape is one image's output (no batch axis),
    activations its number of values, parameters the layer's weights and biases.

    Chapter 7, "LeNet: a convolutional network that reads digits".
    """

    name: str
    kind: str
    shape: tuple[int, ...]
    activations: int
    parameters: int


def layer_sizes(model: nn.Sequential, input_shape: tuple[int, ...]) -> list[LayerSize]:
    """Activations and parameters of every layer with parameters, and of pooling.

    model: an ``nn.Sequential``; input_shape: one image's shape, e.g. (3, 224, 224).
    Returns the input as the first row, then one row per layer with parameters or
    pooling, in order.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    sizes = [LayerSize("input", "", tuple(input_shape), math.prod(input_shape), 0)]
    for name, kind, shape, parameters in layer_table(model, input_shape,
                                                     skip_parameterless=True):
        sizes.append(LayerSize(name, kind, shape, math.prod(shape), parameters))
    return sizes


def format_layer_sizes(sizes: list[LayerSize], bytes_per_value: int = 4) -> str:
    """The rows of :func:`layer_sizes` as aligned text with a total line; megabytes
    (10^6 bytes) at ``bytes_per_value`` bytes a value (4 for float32).

    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    bytes_per_value = integer(bytes_per_value, "bytes_per_value", minimum=1)

    def megabytes(count: int) -> str:
        return f"{count * bytes_per_value / 1e6:.1f}"

    lines = [f"{'layer':<8} {'output shape':<15} {'activations':>11} {'MB':>6} "
             f"{'parameters':>11} {'MB':>6}"]
    for size in sizes:
        shape = "x".join(str(s) for s in size.shape)
        lines.append(f"{size.name:<8} {shape:<15} {size.activations:>11,} "
                     f"{megabytes(size.activations):>6} {size.parameters:>11,} "
                     f"{megabytes(size.parameters):>6}")
    activations = sum(size.activations for size in sizes)
    parameters = sum(size.parameters for size in sizes)
    lines.append(f"{'total':<24} {activations:>11,} {megabytes(activations):>6} "
                 f"{parameters:>11,} {megabytes(parameters):>6}")
    return "\n".join(lines)
