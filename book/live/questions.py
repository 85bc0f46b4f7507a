"""The self-check questions of every chapter, three to six each (``book.live.selfcheck``).

Every number in a question, an answer or an explanation is computed here by the ``book``
function the chapter teaches, never typed; ``tests/test_selfcheck.py`` checks each answer
against an independent computation. ``QUESTIONS[chapter]()`` builds a chapter's list.
"""

import numpy as np
import torch

from book.conv import corr2d
from book.gradients import conv2d_backward, max_pool2d_backward
from book.im2col import im2col
from book.invariance import measure_shift_invariance
from book.live.kinds import Choice, Number
from book.models import fully_convolutional, layer_table, lenet5, parameter_count
from book.padding import kernel_positions, pixel_usage
from book.parameters import (
    conv2d_parameters,
    dense_parameters,
    filter_parameters,
    fully_connected_parameters,
    locally_connected_parameters,
)
from book.pooling import avg_pool2d, max_pool2d
from book.receptive_field import receptive_field
from book.samples import (
    EXAMPLE_INPUT,
    EXAMPLE_KERNEL,
    OVERLAP_EXAMPLE,
    POOLING_EXAMPLE,
    SOBEL,
    letter_a,
    photo_gray,
)
from book.shapes import output_size, same_padding
from book.vision import COMPLEX_POSITIONS, ComplexCell, SimpleCell, position_tuning

# A max-pooling window whose maximum is tied three ways.
TIE_WINDOW = np.array([[7, 7], [1, 7]])


def _one_map(matrix) -> np.ndarray:
    """(H, W) -> (1, 1, H, W) floats: one image, one channel, as book's layers take it."""
    return np.asarray(matrix, dtype=float)[None, None]


def _rows(matrix) -> str:
    """(H, W) -> text as the chapters print it in prose: [[1,1,2,4],[5,6,7,8]], 2.0 as 2."""
    return "[" + ",".join("[" + ",".join(f"{value:g}" for value in row) + "]"
                          for row in np.asarray(matrix)) + "]"


def _minus(value) -> str:
    """A whole number with a true minus sign: −2, not -2."""
    return f"{int(value)}".replace("-", "−")


def _signed(value) -> str:
    """A whole number as a term of a written-out sum: 2, or (−1)."""
    return f"({_minus(value)})" if value < 0 else _minus(value)


def seeing() -> list:
    """Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron": S1 and C1 sizes, simple
    and complex cells, what the Neocognitron lacked, a shuffled fully connected layer."""
    side, detector, block, step = letter_a().shape[0], 9, 3, 2
    s1 = output_size(side, detector)
    c1 = output_size(s1, block, s=step)
    offset = 6
    simple, complex_ = (position_tuning(cell(orientation=90), [offset], orientation=90)[0]
                        for cell in (SimpleCell, ComplexCell))
    return [
        Number(f"The chapter's Neocognitron stage slides a {detector}x{detector} detector over "
               f"the {side}x{side} image of the letter A (no padding, stride 1). How many "
               "positions wide is each S1 plane?",
               s1, f"The detector fits at {side} − {detector} + 1 = {s1} positions along each "
               "side: the output-size formula of chapter 4 with p = 0 and s = 1."),
        Number(f"Each C1 cell takes the maximum over a {block}x{block} block of S1 cells, blocks "
               f"taken every {step} positions. How many cells wide is each C1 plane?",
               c1, f"⌊({s1} − {block}) / {step}⌋ + 1 = {c1}: blocks start at S1 positions "
               f"0, {step}, {2 * step}, … as long as a whole block fits."),
        Choice(f"A vertical bar lies {offset} pixels to the side of the centre of the "
               "chapter's model cells, which both prefer vertical bars. Which of them responds?",
               ["only the simple cell", "only the complex cell", "both", "neither"],
               "only the complex cell",
               f"The simple cell responds {simple:.2f}: the bar is off its excitatory stripe. "
               f"The complex cell responds {complex_:.2f}: it takes the maximum over "
               f"{len(COMPLEX_POSITIONS)} simple cells at positions {COMPLEX_POSITIONS[0]} to "
               f"{COMPLEX_POSITIONS[-1]}, and one of them has the bar on its stripe.",
               why_not={
                   "only the simple cell": "A simple cell responds to a bar at its own "
                   "position only; a small shift silences it.",
                   "both": "The simple cell is silenced by the shift.",
                   "neither": "The complex cell pools simple cells at many positions, one "
                   "of which sees the bar.",
               }),
        Choice("What did the Neocognitron lack that today's convolutional networks have?",
               ["learning all filters together by gradient descent",
                "layers that slide one feature detector over the input",
                "layers that pool over a neighbourhood",
                "a hierarchy of stages"],
               "learning all filters together by gradient descent",
               "Its S-cells learned by a self-organizing, unsupervised rule, layer by layer; "
               "a convolutional network learns all its filters together by gradient descent, "
               "with the gradient computed by backpropagation.",
               why_not={
                   "layers that slide one feature detector over the input": "It had them: "
                   "its S-layers, convolutional layers in today's vocabulary.",
                   "layers that pool over a neighbourhood": "It had them: its C-layers, "
                   "pooling layers in today's vocabulary.",
                   "a hierarchy of stages": "It had one: a cascade of S/C pairs, each "
                   "detecting combinations of the features below.",
               }),
        Choice("The pixels of every image are shuffled, the same shuffle for every image, and "
               "a fully connected network's first-layer weights are shuffled the same way. "
               "What happens to its outputs?",
               ["they become noise",
                "they stay the same only on the images it was trained on",
                "they stay the same, up to rounding"],
               "they stay the same, up to rounding",
               "The layer forms the same products of pixels and weights and only adds them "
               "in another order: a fully connected network does not use which pixels are "
               "neighbours, so it would learn just as well from shuffled images.",
               why_not={
                   "they become noise": "Every pixel still meets the same weight, only at "
                   "another place in the vector.",
                   "they stay the same only on the images it was trained on": "Nothing in "
                   "the argument depends on the image: every image gives the outputs it "
                   "gave before the shuffle.",
               }),
    ]


def why_not_fully_connected() -> list:
    """Chapter 2, "Why not a fully connected network?": weight and parameter counts,
    equivariance, when sharing fits."""
    width, height, layers = 640, 480, [100, 100, 2]
    sizes = [width * height, *layers]
    total = fully_connected_parameters(sizes, bias=False)
    first = dense_parameters(sizes[0], sizes[1], bias=False)
    side, window, filters = 200, 10, 20
    local = locally_connected_parameters(side, side, window, bias=False)
    conv = conv2d_parameters(1, filters, window)
    tiny_side, tiny_kernel = 3, 2
    tiny_out = output_size(tiny_side, tiny_kernel)
    dense_tiny = dense_parameters(tiny_side ** 2, tiny_out ** 2)
    conv_tiny = conv2d_parameters(1, 1, tiny_kernel)
    return [
        Number(f"A {width}x{height} grayscale image goes into a fully connected network with "
               f"layers of {', '.join(map(str, layers))} units. How many weights does it have "
               "(biases left out)?",
               total, f"{width}·{height}·{layers[0]} + {layers[0]}·{layers[1]} + "
               f"{layers[1]}·{layers[2]} = {total:,}; the first layer alone holds {first:,} "
               f"of them ({first / total:.2%})."),
        Number(f"A {side}x{side} grayscale image and a layer with one unit per pixel, each "
               f"unit seeing its own {window}x{window} window (locally connected, no sharing). "
               "How many weights (biases left out)?",
               local, f"{side * side:,} units × {window * window} weights each = {local:,}: "
               "local connections drop the weights to faraway pixels, but every unit still "
               "has its own."),
        Number(f"The same image into a convolutional layer of {filters} filters of "
               f"{window}x{window}. How many parameters, biases included?",
               conv, f"{filters} × ({window}·{window} + 1) = {conv:,}: one set of weights per "
               "filter, shared by every position, so the image size does not appear."),
        Number(f"A {tiny_kernel}x{tiny_kernel} convolution turns a {tiny_side}x{tiny_side} "
               f"input into a {tiny_out}x{tiny_out} output. How many parameters does a fully "
               "connected layer between the same inputs and outputs have, biases included?",
               dense_tiny, f"{tiny_side ** 2}·{tiny_out ** 2} weights + {tiny_out ** 2} "
               f"biases = {dense_tiny}, against {conv_tiny} for the convolution "
               f"({tiny_kernel ** 2} shared weights and a bias)."),
        Choice("An image moves 2 pixels to the right. Away from the borders, what does a "
               "convolution's feature map do?",
               ["it stays the same", "it moves 2 pixels to the right too",
                "it changes differently at every position"],
               "it moves 2 pixels to the right too",
               "A convolution is equivariant to translations, f(Tx) = T f(x): the same filter "
               "at every position finds the pattern at its new place.",
               why_not={
                   "it stays the same": "That is invariance, f(Tx) = f(x): it holds after a "
                   "maximum over all positions, not for the feature map itself.",
                   "it changes differently at every position": "That is a locally connected "
                   "layer, with a different filter at each place.",
               }),
        Choice("For which data does sharing one filter across all positions fit least?",
               ["photographs of objects that can appear anywhere",
                "handwritten digits anywhere on an envelope",
                "faces cropped so that the eyes always sit at the same pixels"],
               "faces cropped so that the eyes always sit at the same pixels",
               "Aligned data are not stationary: the top of every image holds eyebrows, the "
               "bottom mouths, so a detector useful in one place is useless in another. "
               "DeepFace used locally connected layers there.",
               why_not={
                   "photographs of objects that can appear anywhere": "Their statistics are "
                   "close to stationary: a patch looks like a patch from any other place.",
                   "handwritten digits anywhere on an envelope": "A stroke means the same "
                   "everywhere; LeCun's zip-code reader shared its weights for that reason.",
               }),
    ]


def convolution() -> list:
    """Chapter 3, "Convolution": one output entry, a filter's parameters, sizes through a
    stack, the receptive field, 1x1 convolutions, convolution or cross-correlation."""
    row, col = 1, 0
    output = corr2d(EXAMPLE_INPUT, EXAMPLE_KERNEL)
    window = EXAMPLE_INPUT[row:row + 3, col:col + 3]
    products = " + ".join(f"{x}·{k}" for x, k in zip(window.ravel(), EXAMPLE_KERNEL.ravel()))
    kernel, channels = 5, 3
    one_filter = filter_parameters(kernel, channels)
    image, filters = 32, 6
    columns = im2col(np.zeros((1, channels, image, image)), kernel)[0]
    out = output_size(image, kernel)
    stack = [kernel, kernel]
    field = receptive_field(stack)
    return [
        Number(f"Cross-correlate the input {_rows(EXAMPLE_INPUT)} with the kernel "
               f"{_rows(EXAMPLE_KERNEL)}. What is the output in row {row}, column {col} "
               "(counting from 0)?",
               output[row, col], f"The kernel lies over rows {row} to {row + 2} and columns "
               f"{col} to {col + 2}: {products} = {output[row, col]}. The whole output is "
               f"{_rows(output)}."),
        Number(f"How many parameters does one {kernel}x{kernel}x{channels} filter (a "
               f"{kernel}x{kernel} window over {channels} channels) have, bias included?",
               one_filter, f"A filter spans the full depth of its input: "
               f"{kernel}·{kernel}·{channels} = {one_filter - 1} weights + 1 bias = "
               f"{one_filter}."),
        Number(f"conv2d turns a {image}x{image}x{channels} image into im2col's matrix, one "
               f"column per window of a {kernel}x{kernel}x{channels} filter (no padding, "
               "stride 1). How many rows does that matrix have?",
               columns.shape[0], f"One row per weight of a filter: {channels} channels × "
               f"{kernel}·{kernel} = {columns.shape[0]}. There are {out}·{out} = "
               f"{columns.shape[1]:,} windows, so the matrix is {columns.shape[0]}x"
               f"{columns.shape[1]:,}, and {filters} filters, a {filters}x{columns.shape[0]} "
               f"matrix, multiply it in one product."),
        Number(f"Two {kernel}x{kernel} convolutions are stacked (stride 1). How many pixels "
               "wide is the patch of the image that one unit of the second layer sees?",
               field, f"The second layer's unit sees {kernel} units of the first, which "
               f"together span {kernel} + {kernel} − 1 = {field} pixels: a {field}x{field} "
               "receptive field."),
        Choice("What does a 1x1 convolution from C input channels to F output channels "
               "compute?",
               ["a copy of its input", "a blur of each pixel with its eight neighbours",
                "a separate scaling of each channel by its own weight, channels never mixed",
                "a fully connected layer from C to F channels, applied at every pixel"],
               "a fully connected layer from C to F channels, applied at every pixel",
               "Each output pixel is a weighted sum of the C values of the same input pixel, "
               "one set of weights per filter: a linear layer at every pixel, which can mix, "
               "reduce or expand the channels (a bottleneck).",
               why_not={
                   "a copy of its input": "Only with the identity's weights (F = C, filter "
                   "c has weight 1 on channel c and 0 elsewhere) and no bias; in general "
                   "it mixes the channels.",
                   "a blur of each pixel with its eight neighbours": "A 1x1 window holds no "
                   "neighbours: one pixel, all its channels.",
                   "a separate scaling of each channel by its own weight, channels never "
                   "mixed": "Each of its F filters has C weights and mixes all C input "
                   "channels into its output channel.",
               }),
        Choice("When do a convolution (kernel flipped) and a cross-correlation with the same "
               "kernel give different outputs?",
               ["always, since the flip moves every weight",
                "when the kernel is not the same after a half turn",
                "never, since only the order of the sum changes"],
               "when the kernel is not the same after a half turn",
               "True convolution flips the kernel on both axes first. The X kernel of the "
               "worked example is the same after a half turn, so both give one result; a "
               "lopsided kernel gives two.",
               why_not={
                   "always, since the flip moves every weight": "A kernel that is the same "
                   "after a half turn is its own flip: every weight lands on an equal one.",
                   "never, since only the order of the sum changes": "The flip changes which "
                   "weight meets which pixel, not only the order: a lopsided kernel, "
                   "flipped, weights the window differently.",
               }),
    ]


def padding_and_stride() -> list:
    """Chapter 4, "Padding and stride": output sizes, "same" padding, the floor, how
    often a pixel is read, odd kernels."""
    image, kernel = 32, 5
    once = output_size(image, kernel)
    twice = output_size(once, kernel)
    same_side, same_kernel = 28, 5
    same = same_padding(same_kernel)
    alex_in, alex_kernel, alex_stride = 227, 11, 4
    alex = output_size(alex_in, alex_kernel, s=alex_stride)
    floor_in, floor_kernel, floor_stride = 7, 3, 3
    starts = kernel_positions(floor_in, floor_kernel, s=floor_stride)
    last_column_reads = pixel_usage(floor_in, floor_kernel, s=floor_stride)[0, -1]
    small, small_kernel, pad = 5, 3, 1
    corner_reads = pixel_usage(small, small_kernel, p=pad)[0, 0]
    unpadded_corner_reads = pixel_usage(small, small_kernel)[0, 0]
    return [
        Number(f"A {image}x{image} image goes through two {kernel}x{kernel} convolutions "
               "without padding, stride 1. How wide is the result?",
               twice, f"Each layer gives n − f + 1: {image} → {once} → {twice}."),
        Number(f"What padding p keeps a {same_side}x{same_side} input {same_side}x{same_side} "
               f"under a {same_kernel}x{same_kernel} "
               "kernel at stride 1?",
               same, f"p = (f − 1) / 2 = {same}: then n + 2p − f + 1 = n (\"same\" padding)."),
        Number(f"AlexNet's first layer: {alex_kernel}x{alex_kernel} filters with stride "
               f"{alex_stride}, no padding, on a {alex_in}x{alex_in} image. How wide is its "
               "output?",
               alex, f"⌊({alex_in} − {alex_kernel}) / {alex_stride}⌋ + 1 = {alex}."),
        Number(f"A {floor_in}x{floor_in} input, a {floor_kernel}x{floor_kernel} kernel, stride "
               f"{floor_stride}, no padding. How many kernel positions read the last column?",
               last_column_reads, f"The kernel starts at columns "
               f"{', '.join(map(str, starts))} and covers columns 0 to "
               f"{starts[-1] + floor_kernel - 1}; a next step would hang over the edge, so the "
               "floor in the formula drops the last column: it is never read."),
        Number(f"The {small}x{small} example padded by p = {pad}, a {small_kernel}x"
               f"{small_kernel} kernel, stride 1. How many kernel positions read a corner "
               "pixel?",
               corner_reads, f"{corner_reads}, where it was {unpadded_corner_reads} without "
               "padding: the kernel can now also be centred on border pixels."),
        Choice("Why do almost all networks use odd kernel sizes (3x3, 5x5, 7x7)?",
               ["even kernels cannot be computed with a stride",
                "odd kernels have fewer parameters",
                "with p = (f − 1)/2 the size is kept and each output sits on the centre of "
                "its window"],
               "with p = (f − 1)/2 the size is kept and each output sits on the centre of "
               "its window",
               "\"Same\" padding p = (f − 1)/2 is a whole number only for odd f; an even "
               "kernel has no centre pixel and needs uneven padding (PyTorch pads one more "
               "row and column after than before).",
               why_not={
                   "even kernels cannot be computed with a stride": "Any kernel size works "
                   "with any stride; the formula holds for all of them.",
                   "odd kernels have fewer parameters": "The parameters grow with f², odd or "
                   "even: a 4x4 kernel has fewer than a 5x5.",
               }),
    ]


# Why each layer of chapter 5's shift table keeps or changes its outputs.
REASONS = {
    "convolution": "A convolution is equivariant: its whole map moves with the image, so at "
    "a fixed place nearly every output now sees other pixels.",
    "max pooling 3x3, stride 2 (AlexNet)": "A window's maximum survives a shift that keeps "
    "it inside the window, and most of them do.",
    "average pooling 2x2, stride 2": "Every value counts in a mean: a window's output "
    "changes when any of its pixels does, and a shift changes nearly all of them.",
}


def pooling() -> list:
    """Chapter 5, "Pooling": pooled values, which pooled value changes, sizes, padding in
    average pooling, pooling as a convolution, invariance measured on the portrait."""
    average = avg_pool2d(_one_map(POOLING_EXAMPLE), 2)[0, 0]
    row, col = 1, 0  # not the maximum of its 2x2 window
    value, window_max = POOLING_EXAMPLE[row, col], POOLING_EXAMPLE[:2, :2].max()
    raised = POOLING_EXAMPLE.copy()
    raised[row, col] = window_max
    changes = {name: int((pool(_one_map(raised), 2) != pool(_one_map(POOLING_EXAMPLE), 2))
                         .sum()) for name, pool in (("max", max_pool2d), ("avg", avg_pool2d))}
    maps, channels, window, stride = 55, 96, 3, 2
    pooled = output_size(maps, window, s=stride)
    ones, padded_window = np.ones((2, 2)), 3
    padded_average = avg_pool2d(_one_map(ones), padded_window, stride=1, padding=1)[0, 0, 0, 0]
    padded_max = max_pool2d(_one_map(ones), padded_window, stride=1, padding=1)[0, 0, 0, 0]
    side = 2  # the pooling window that is a convolution with weights 1/side²
    shifts = {row.layer: row.changed / row.outputs
              for row in measure_shift_invariance(photo_gray(4).astype(float), SOBEL)}
    compared = list(REASONS)
    steadiest = min(compared, key=shifts.get)
    return [
        Number(f"Average pooling with 2x2 windows and stride 2 on {_rows(POOLING_EXAMPLE)}. "
               "What is the top-right output?",
               average[0, 1], f"The top-right window holds {_rows(POOLING_EXAMPLE[:2, 2:])}, "
               f"whose mean is {average[0, 1]:g}. The whole output is {_rows(average)}."),
        Number(f"In {_rows(POOLING_EXAMPLE)}, the {value} is raised to {window_max}. How "
               "many of the four outputs of 2x2 max pooling (stride 2) change?",
               changes["max"], f"{changes['max']}: the {value} was not its window's maximum, "
               f"and at {window_max} it only ties with it, so the maximum stays "
               f"{window_max}. Average pooling would change {changes['avg']} output: every "
               "value counts in a mean."),
        Number(f"AlexNet's first pooling layer: {window}x{window} windows, stride {stride}, on "
               f"{maps}x{maps}x{channels} maps. How wide are its output maps?",
               pooled, f"⌊({maps} − {window}) / {stride}⌋ + 1 = {pooled}, the formula of "
               f"chapter 4; the {channels} channels are pooled separately and stay {channels}."),
        Number("A 2x2 map of ones is average-pooled with 3x3 windows, stride 1 and padding 1, "
               "with PyTorch's other defaults (as in book.pooling). What is each output? (Two "
               "decimals are enough.)",
               padded_average, f"Each window holds {ones.size} ones among "
               f"{padded_window ** 2} cells, and the padded zeros count in the mean: "
               f"{ones.size}/{padded_window ** 2} = {padded_average:.4f}. Max pooling pads with "
               f"−∞ instead, and gives {padded_max:g}.", tolerance=0.005),
        Choice("Which pooling layer can be written as a convolution with fixed weights?",
               ["max pooling", "average pooling", "both, each with its own fixed kernel",
                "neither: pooling has no weights"],
               "average pooling",
               f"Average pooling with {side}x{side} windows and stride {side} is a convolution "
               f"with weights 1/{side ** 2} and stride {side}, one kernel per channel. A "
               "convolution is linear, and the maximum of a sum is not the sum of the maxima.",
               why_not={
                   "max pooling": "Max pooling is not linear: a convolution of a sum is the "
                   "sum of the convolutions, a maximum is not.",
                   "both, each with its own fixed kernel": "Max pooling is not linear, so "
                   "no convolution computes it.",
                   "neither: pooling has no weights": "Average pooling is a convolution "
                   "with equal weights that add up to 1, per channel.",
               }),
        Choice("The chapter's portrait moves one pixel to the right. As in the chapter's "
               "table, the Sobel convolution comes first, and each pooling layer follows "
               "it and a ReLU. Which of these layers keeps the most of its outputs "
               "unchanged?",
               compared, steadiest,
               f"{steadiest}: only {shifts[steadiest]:.0%} of its outputs change, because a "
               "window's maximum often survives the shift inside the window.",
               why_not={layer: f"{REASONS[layer]} ({shifts[layer]:.0%} of its outputs "
                        "change.)" for layer in compared if layer != steadiest}),
    ]


def gradients() -> list:
    """Chapter 6, "How a CNN learns its filters": dw in one dimension, what a pixel
    collects, routing through max pooling, ties, overlapping windows."""
    x, w, dy = [0, 1, -1, 1, 1], [-1, 1], [1, 2, 0, -1]
    _, dw, db = conv2d_backward(_one_map([dy]), _one_map([x]), _one_map([w]))
    dX_all, _, _ = conv2d_backward(np.ones((1, 1, 3, 3)), _one_map(EXAMPLE_INPUT),
                                   _one_map(EXAMPLE_KERNEL))
    upstream = np.array([[4, 8], [-4, 12]])
    routed = max_pool2d_backward(_one_map(upstream), _one_map(POOLING_EXAMPLE), 2)[0, 0]
    row, col = 1, 0  # the 5, next to its window's maximum 6
    top, left = row - row % 2, col - col % 2  # its 2x2 window
    collected = max_pool2d_backward(np.ones((1, 1, 3, 3)), _one_map(OVERLAP_EXAMPLE), 3,
                                    stride=1)[0, 0]
    peak = np.unravel_index(np.argmax(collected), collected.shape)
    tied = TIE_WINDOW == TIE_WINDOW.max()
    top_value, ties = TIE_WINDOW.max(), tied.sum()
    first_tied = np.zeros_like(tied)
    first_tied.flat[np.argmax(tied)] = True
    shared, each, first = (f"1/{ties} to each {top_value}, shared evenly among the ties",
                           f"1 to each {top_value}",
                           f"all to the first {top_value} in reading order")
    tie_routings = {shared: tied / ties, each: tied * 1.0, first: first_tied * 1.0}
    valid_but_not_chosen = ("A valid subgradient too (fractions not negative, adding up to 1), "
                            "but not the one the libraries choose.")
    tie_reasons = {shared: valid_but_not_chosen,
                   each: f"The fractions would add up to {ties}, not 1: that is no gradient "
                         "of the maximum at all.",
                   first: valid_but_not_chosen}
    tie_routed = max_pool2d_backward(np.ones((1, 1, 1, 1)), _one_map(TIE_WINDOW), 2)[0, 0]
    tie_answer, = (option for option, routed in tie_routings.items()
                   if np.array_equal(routed, tie_routed))
    return [
        Number(f"A 1-D convolution with x = {tuple(x)} and w = {tuple(w)} receives the "
               f"upstream gradient dy = {tuple(dy)}. What is dw_1, the gradient of the second "
               "weight?",
               dw.ravel()[1], f"dw = corr(x, dy), so dw_1 = Σ_i dy_i · x_(i+1) = "
               f"{' + '.join(f'{_signed(g)}·{_signed(v)}' for g, v in zip(dy, x[1:]))} = "
               f"{_minus(dw.ravel()[1])}. The whole dw is "
               f"({', '.join(map(_minus, dw.ravel()))}), and db = Σ dy = {_minus(db[0])}."),
        Number(f"The worked example {_rows(EXAMPLE_INPUT)} with the kernel "
               f"{_rows(EXAMPLE_KERNEL)}: dY = 1 at all nine outputs. What gradient does the "
               "centre pixel of X receive?",
               dX_all[0, 0, 2, 2], f"The centre lies in all nine windows, under a different "
               f"weight each time, so it collects the sum of the kernel, "
               f"{int(EXAMPLE_KERNEL.sum())}. A corner pixel lies in one window and gets one "
               f"weight, {int(dX_all[0, 0, 0, 0])}."),
        Number(f"Max pooling, 2x2 windows, stride 2, on {_rows(POOLING_EXAMPLE)}; the upstream "
               f"gradient is {_rows(upstream)}. What gradient does the "
               f"{POOLING_EXAMPLE[row, col]} in row {row}, column {col} receive?",
               routed[row, col], f"{int(routed[row, col])}: its window "
               f"{_rows(POOLING_EXAMPLE[top:top + 2, left:left + 2])} routes its whole "
               f"upstream gradient, {upstream[top // 2, left // 2]}, to its maximum, the "
               f"{POOLING_EXAMPLE[top:top + 2, left:left + 2].max()}. Average pooling would "
               f"spread it evenly, {upstream[top // 2, left // 2] / 4:g} to each of the four "
               "cells."),
        Choice(f"A 2x2 max-pooling window holds {_rows(TIE_WINDOW)} and receives the "
               "gradient 1. Where does PyTorch (and book.gradients) send it?",
               list(tie_routings), tie_answer,
               "On a tie the maximum is not differentiable, and any fractions that are not "
               "negative and add up to 1 are a valid choice (a subgradient); PyTorch and "
               f"book.gradients send it {tie_answer}.",
               why_not={option: reason for option, reason in tie_reasons.items()
                        if option != tie_answer}),
        Number(f"Max pooling with 3x3 windows and stride 1 on {_rows(OVERLAP_EXAMPLE)}, with "
               f"the upstream gradient 1 at each of the nine outputs. What gradient does the "
               f"{OVERLAP_EXAMPLE[peak]} in row {peak[0]}, column {peak[1]} collect?",
               collected[peak], f"It is the maximum of {int(collected[peak])} overlapping "
               "windows and collects the sum of their gradients, like a shared weight. The "
               f"whole gradient is {_rows(collected.astype(int))}."),
    ]


def lenet() -> list:
    """Chapter 7, "LeNet: a convolutional network that reads digits": parameter counts,
    shapes, the gradient of a shared weight, training curves."""
    model, digit = lenet5(), 28
    total = parameter_count(model)
    table = {name: (shape, count)
             for name, _, shape, count in layer_table(model, (1, digit, digit))}
    c1, c3, c5 = model.C1, model.C3, model.C5
    c3_shape, s2_side = table["C3"][0], table["S2"][0][1]
    c5_count = table["C5"][1]
    s2 = model.S2
    large = 2 * digit
    with torch.no_grad():
        score_map = fully_convolutional(model, (1, digit, digit))(
            torch.zeros(1, 1, large, large))[0]
    step = s2.stride * model.S4.stride  # how far apart two windows of the digit's size lie
    return [
        Number("How many parameters does the chapter's LeNet-5 have?",
               total, f"{total:,}: C1 {table['C1'][1]:,}, C3 {table['C3'][1]:,}, C5 "
               f"{c5_count:,}, F6 {table['F6'][1]:,}, output {table['output'][1]:,}; the "
               "pooling layers have none."),
        Number(f"The chapter's fully convolutional LeNet (its dense layers made convolutions "
               f"for {digit}x{digit} digits) reads a {large}x{large} image. At how many "
               "positions does it give the ten scores?",
               score_map.shape[1] * score_map.shape[2], f"Its windows are {digit}x{digit} "
               f"and lie {step} pixels apart, the product of the two pooling strides: "
               f"({large} − {digit}) / {step} + 1 = {score_map.shape[1]} along each side, "
               f"{score_map.shape[1]}·{score_map.shape[2]} = "
               f"{score_map.shape[1] * score_map.shape[2]} positions, a score map of shape "
               f"{tuple(score_map.shape)}."),
        Number(f"A {digit}x{digit} digit goes through C1 ({c1.kernel_size[0]}x"
               f"{c1.kernel_size[1]}, padding {c1.padding[0]}), S2 ({s2.kernel_size}x"
               f"{s2.kernel_size}, stride {s2.stride}), then C3 ({c3.kernel_size[0]}x"
               f"{c3.kernel_size[1]}, no padding). How high are C3's output maps?",
               c3_shape[1], f"C1 keeps {digit}x{digit}, S2 halves it to {s2_side}x{s2_side}, "
               f"C3 takes {c3.kernel_size[0] - 1} off: {c3_shape[0]} maps of "
               f"{c3_shape[1]}x{c3_shape[2]}."),
        Number(f"How many parameters does C5 ({c5.out_channels} kernels of "
               f"{c5.kernel_size[0]}x{c5.kernel_size[1]} over {c5.in_channels} maps) have?",
               c5_count, f"{c5.out_channels} × ({c5.kernel_size[0]}·{c5.kernel_size[1]}·"
               f"{c5.in_channels} + 1) = {c5_count:,}, {c5_count / total:.0%} of the "
               "network."),
        Choice("A C1 kernel is used at every position of the digit. What is the gradient of "
               "one of its weights?",
               ["the sum of its gradients at all positions",
                "the average of its gradients over the positions",
                "its gradient at the position with the largest contribution"],
               "the sum of its gradients at all positions",
               "By the chain rule, a shared weight's gradient is the sum over every connection "
               "that uses it; the chapter checks this against autograd.",
               why_not={
                   "the average of its gradients over the positions": "The derivative is the "
                   "sum; an average comes only from defining the loss as a mean over a "
                   "batch's examples.",
                   "its gradient at the position with the largest contribution": "Every "
                   "position contributes: the largest one alone is only a part of the total.",
               }),
        Choice("The training loss keeps falling while the validation loss rises, and a large "
               "gap opens between them. What is happening?",
               ["underfitting", "training has converged well", "overfitting"],
               "overfitting",
               "A large gap between training and validation means the network fits its "
               "training data, noise included, better than new data: regularise, or stop "
               "earlier.",
               why_not={
                   "underfitting": "Underfitting shows no gap and poor accuracy on both.",
                   "training has converged well": "A good fit shows a small gap, with the "
                   "validation loss no longer rising.",
               }),
    ]


QUESTIONS = {1: seeing, 2: why_not_fully_connected, 3: convolution, 4: padding_and_stride,
             5: pooling, 6: gradients, 7: lenet}
