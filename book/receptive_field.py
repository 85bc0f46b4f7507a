"""Receptive fields: how much of the input one unit of a stacked convolution sees."""

from __future__ import annotations

from dataclasses import dataclass

from book.validation import integer, shown


@dataclass(frozen=True)
class Layer:
    """One convolution or pooling layer: kernel size, stride, dilation (one axis).

    Chapter 3, "Convolution".
    """

    kernel: int
    stride: int = 1
    dilation: int = 1

    def __post_init__(self):
        for name in ("kernel", "stride", "dilation"):
            # Frozen, so the checked value (a numpy integer becomes an int) is set
            # through object.
            object.__setattr__(self, name, integer(getattr(self, name), name, minimum=1))


@dataclass(frozen=True)
class FieldAfter:
    """The receptive field after one layer of a stack.

    Chapter 3, "Convolution".

    size: how many input pixels (along one axis) one output unit sees;
    jump: the distance in input pixels between neighbouring output units (the product of
    the strides).
    """

    size: int
    jump: int


def _as_layer(layer) -> Layer:
    """A Layer from a Layer, a kernel size or a (kernel, stride, dilation) tuple."""
    if isinstance(layer, Layer):
        return layer
    if not isinstance(layer, (tuple, list)):
        return Layer(layer)  # a kernel size, checked as one
    if 1 <= len(layer) <= 3:
        return Layer(*layer)
    raise ValueError(f"each layer must be a kernel size, a (kernel, stride, dilation) "
                     f"tuple or a Layer, got {shown(layer)}")


def receptive_fields(layers) -> list[FieldAfter]:
    """The receptive field after each layer of a stack, first layer first.

    Chapter 3, "Convolution".

    layers: a list of kernel sizes, ``(kernel, stride, dilation)`` tuples (stride and
    dilation may be left out) or :class:`Layer` objects.

    A layer with kernel k and dilation d reaches ``d*(k-1)`` more units of its own
    input; one unit of its input is ``jump`` input pixels apart from the next, so::

        size_l = size_{l-1} + d_l * (k_l - 1) * jump_{l-1},    jump_l = jump_{l-1} * s_l

    starting from size 1 and jump 1 (a pixel sees itself).
    """
    layers = [_as_layer(layer) for layer in layers]
    size, jump, fields = 1, 1, []
    for layer in layers:
        size += layer.dilation * (layer.kernel - 1) * jump
        jump *= layer.stride
        fields.append(FieldAfter(size, jump))
    return fields


def receptive_field(layers) -> int:
    """Side of the input patch one unit on top of the stack sees (1 for no layers).

    Chapter 3, "Convolution".
    """
    fields = receptive_fields(layers)
    return fields[-1].size if fields else 1


def empirical_receptive_field(layers) -> int:
    """Measure the receptive field with PyTorch: which input pixels move one output?

    Chapter 3, "Convolution".

    Builds the stack as ``torch.nn.Conv2d`` layers with all-one weights on an input
    large enough for any such stack, takes the gradient of one output unit near the
    middle with respect to the input, and returns the height of the box of pixels with a
    non-zero gradient. It shares no code with :func:`receptive_fields`, so each checks
    the other.
    """
    import math

    import torch

    layers = [_as_layer(layer) for layer in layers]
    # Every layer widens the field by at most dilation*(kernel-1) times all strides
    # together.
    all_strides = math.prod(layer.stride for layer in layers)
    widening = sum(layer.dilation * (layer.kernel - 1) for layer in layers)
    bound = 1 + widening * all_strides
    size = 2 * bound + all_strides
    x = torch.zeros(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    y = x
    for layer in layers:
        conv = torch.nn.Conv2d(1, 1, layer.kernel, stride=layer.stride,
                               dilation=layer.dilation, bias=False).double()
        with torch.no_grad():
            conv.weight.fill_(1.0)
        y = conv(y)
    height, width = y.shape[2:]
    y[0, 0, height // 2, width // 2].backward()
    rows, _ = (x.grad[0, 0] != 0).nonzero(as_tuple=True)
    return int(rows.max() - rows.min() + 1)
