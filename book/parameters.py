"""How many parameters a layer has: fully connected, locally connected, convolutional.

Counts follow PyTorch: a weight for every connection, plus one bias per output unit
(fully connected, locally connected) or per filter (convolutional) when ``bias=True``.
Chapter 2 draws them in ``book.figures.parameters``.
"""

from __future__ import annotations

from book.validation import integer, pair


def dense_parameters(n_in: int, n_out: int, bias: bool = True) -> int:
    """Parameters of one fully connected layer ``y = W x + b``.

    Chapter 2, "Why not a fully connected network?".

    n_in inputs, n_out outputs -> n_in * n_out weights (+ n_out biases), as in
    ``torch.nn.Linear``.
    """
    n_in, n_out = integer(n_in, "n_in", minimum=1), integer(n_out, "n_out", minimum=1)
    return n_in * n_out + (n_out if bias else 0)


def fully_connected_parameters(layer_sizes, bias: bool = True) -> int:
    """Parameters of a stack of fully connected layers.

    Chapter 2, "Why not a fully connected network?".

    layer_sizes: [n_inputs, n_hidden_1, ..., n_outputs], at least two sizes; e.g. a
    640x480 image into layers of 100, 100 and 2 units is ``[640 * 480, 100, 100, 2]``.
    """
    sizes = [integer(size, f"layer_sizes[{i}]", minimum=1)
             for i, size in enumerate(layer_sizes)]
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs the input size and at least one layer, "
                         f"got {sizes}")
    return sum(dense_parameters(n_in, n_out, bias)
               for n_in, n_out in zip(sizes, sizes[1:]))


def filter_parameters(kernel_size, in_channels: int = 1, bias: bool = True) -> int:
    """Parameters of one convolution filter: it spans the full depth of its input.

    Chapter 2, "Why not a fully connected network?".

    kernel_size: k or (kh, kw); a k x k x in_channels filter has k*k*in_channels weights
    (+ 1 bias), e.g. 5*5*3 + 1 = 76.
    """
    depth = integer(in_channels, "in_channels", minimum=1)
    height, width = pair(kernel_size, "kernel_size", minimum=1)
    return height * width * depth + int(bias)


def conv2d_parameters(in_channels: int, out_channels: int, kernel_size,
                      bias: bool = True) -> int:
    """Parameters of a convolutional layer, a bank of out_channels filters (nn.Conv2d).

    Chapter 2, "Why not a fully connected network?".

    The count does not depend on the image size: all positions share every filter.
    """
    return integer(out_channels, "out_channels", minimum=1) * filter_parameters(
        kernel_size, in_channels, bias)


def locally_connected_parameters(out_height: int, out_width: int, kernel_size,
                                 in_channels: int = 1, out_channels: int = 1,
                                 bias: bool = False) -> int:
    """Parameters of a locally connected layer: a convolution with NO shared filters.

    Chapter 2, "Why not a fully connected network?".

    Every one of the out_height x out_width x out_channels output units has its own
    kernel_size window of weights over all in_channels (+ its own bias when ``bias``),
    e.g. 200x200 units with 10x10 windows: 40,000 * 100 = 4,000,000 weights.
    """
    positions = (integer(out_height, "out_height", minimum=1)
                 * integer(out_width, "out_width", minimum=1))
    return positions * conv2d_parameters(in_channels, out_channels, kernel_size, bias)


def layer_parameter_counts(side: int, kernel_size: int = 10, filters: int = 1,
                           bias: bool = False) -> dict[str, int]:
    """Parameters of one layer from a side x side grayscale image to side x side units.

    Chapter 2, "Why not a fully connected network?".

    Returns {"fully connected": ..., "locally connected": ..., "convolutional": ...}
    with ``filters`` output maps and kernel_size x kernel_size windows: weights only, as
    chapter 2 counts them (side**4, kernel_size**2 * side**2 and kernel_size**2 for one
    map), plus the biases when ``bias``.
    """
    side = integer(side, "side", minimum=1)
    units = side * side * integer(filters, "filters", minimum=1)
    return {
        "fully connected": dense_parameters(side * side, units, bias),
        "locally connected": locally_connected_parameters(
            side, side, kernel_size, out_channels=filters, bias=bias),
        "convolutional": conv2d_parameters(1, filters, kernel_size, bias),
    }
