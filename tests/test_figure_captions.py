"""The numbers in figure captions and alt texts match the code that draws the figures.

A caption or an alt text (``mystnb`` cell metadata) is written by hand, so "17 simple
cells" or "degree 1, 3 and 12" goes stale when a constant or an argument changes. Each
check below builds a phrase from the code (module constants, the plot function's
defaults bound with the arguments the chapter's cell passes, or the drawn figure) and
asserts that the figure's caption or alt text says exactly it.
"""

import ast
import inspect

import nbformat
import numpy as np
import pytest
import torch
from IPython.core.inputtransformer2 import TransformerManager

from book import models
from book.figures import architectures, conv, diagrams, lenet, padding, parameters
from book.im2col import im2col
from book.models import feature_maps
from book.receptive_field import receptive_field
from book.samples import EXAMPLE_INPUT, EXAMPLE_KERNEL, FILTERS
from book.shapes import output_size
from book.vision import COMPLEX_POSITIONS
from tests.project_metadata import ROOT

NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
                "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]


PYTHON_OF_CELL = TransformerManager()  # a cell's magics and ! lines as Python


class NotLiteral:
    """Stands for an argument the chapter computes (data, a model): no number to check."""


def figure_cell(chapter: str, name: str):
    notebook = nbformat.read(ROOT / "chapters" / f"{chapter}.ipynb", as_version=4)
    cells = [cell for cell in notebook.cells
             if cell.metadata.get("mystnb", {}).get("figure", {}).get("name") == name]
    assert len(cells) == 1, f"{chapter}: {len(cells)} cells named {name}"
    return cells[0]


def figure_text(chapter: str, name: str) -> str:
    """The figure's caption and alt text, one after the other."""
    metadata = figure_cell(chapter, name).metadata.mystnb
    return metadata["figure"]["caption"] + "\n" + metadata.get("image", {}).get("alt", "")


def chapter_arguments(chapter: str, name: str, function) -> dict:
    """The arguments ``function`` draws the figure with: its defaults, overridden by the
    literal arguments of the chapter cell's call to it."""
    tree = ast.parse(figure_cell(chapter, name).source)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Name) and node.func.id == function.__name__]
    assert len(calls) == 1, f"{name}: {len(calls)} calls to {function.__name__}"

    def value(node):
        try:
            return ast.literal_eval(node)
        except ValueError:
            return NotLiteral()

    bound = inspect.signature(function).bind(
        *map(value, calls[0].args),
        **{keyword.arg: value(keyword.value) for keyword in calls[0].keywords})
    bound.apply_defaults()
    return bound.arguments


def chapter_array(chapter: str, variable: str) -> np.ndarray:
    """The array a chapter's code cell writes out as ``variable = np.array(<literal>)``."""
    notebook = nbformat.read(ROOT / "chapters" / f"{chapter}.ipynb", as_version=4)
    values = [ast.literal_eval(node.value.args[0])
              for cell in notebook.cells if cell.cell_type == "code"
              for node in ast.walk(ast.parse(PYTHON_OF_CELL.transform_cell(cell.source)))
              if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
              and [getattr(t, "id", None) for t in node.targets] == [variable]]
    assert len(values) == 1, f"{chapter}: {len(values)} literal assignments to {variable}"
    return np.asarray(values[0])


def spelled(count: int, capital: bool = False) -> str:
    word = NUMBER_WORDS[count]
    return word.capitalize() if capital else word


def listed(values) -> str:
    """1, 3 and 12."""
    *first, last = [str(v) for v in values]
    return f"{', '.join(first)} and {last}" if first else last


def fit_capacity_phrases():
    args = chapter_arguments("02_why_not_fully_connected", "fig-fit-capacity",
                             parameters.plot_fit_capacity)
    return [f"degree {listed(args['degrees'])} fitted to {args['n_train']} noisy points"]


def receptive_fields_phrases():
    spacings = set(np.diff(COMPLEX_POSITIONS))
    assert len(spacings) == 1
    apart = {1: "one pixel apart"}[spacings.pop()]
    return [f"pooled from {len(COMPLEX_POSITIONS)} simple cells {apart}",
            f"the {len(COMPLEX_POSITIONS)} simple cells that the complex cell pools, "
            f"drawn as outlines {apart}"]


def filter_table_phrases():
    figure = conv.plot_filter_table().figure
    # Each filter takes two columns of the grid: its kernel and its result.
    per_row = figure.axes[0].get_subplotspec().get_gridspec().ncols // 2
    return [f"{spelled(len(FILTERS), capital=True)} small kernels with their integer "
            f"weights, {spelled(per_row)} to a row"]


def conv_matrix_phrases():
    args = chapter_arguments("03_convolution", "fig-conv-matrix", conv.plot_conv_matrix)
    k, n = np.asarray(args["k"]).shape[0], args["input_size"]
    outputs, inputs = (n - k + 1) ** 2, n * n
    return [f"A {k}x{k} convolution of a {n}x{n} input as a {outputs}x{inputs} matrix",
            f"A grid of {outputs} rows and {inputs} columns"]


def receptive_field_1d_phrases():
    args = chapter_arguments("03_convolution", "fig-receptive-field-1d",
                             conv.plot_receptive_field_1d)
    kernels = args["kernels"]
    assert len(set(kernels)) == 1, "the caption speaks of one kernel width"
    field = receptive_field(kernels)
    return [f"after {spelled(len(kernels))} stacked {kernels[0]}-wide convolutions, one unit "
            f"sees {field} pixels", f"down to {field} input pixels"]


def im2col_phrases():
    call = ast.parse(figure_cell("03_convolution", "fig-im2col").source).body[0].value
    assert [arg.id for arg in call.args] == ["EXAMPLE_INPUT", "EXAMPLE_KERNEL"]
    (n, _), (k, _) = EXAMPLE_INPUT.shape, EXAMPLE_KERNEL.shape
    rows, windows = im2col(EXAMPLE_INPUT[None, None], k)[0].shape
    out = output_size(n, k)
    return [f"the {spelled(windows)} {k}x{k} windows of the {n}x{n} input become the columns "
            f"of a {rows}x{windows} matrix, and the kernel's {spelled(rows)} weights",
            f"the {out}x{out} output", f"a column of {spelled(rows)} weights beside a "
            f"{rows}x{windows} matrix whose columns are tinted in {spelled(windows)} colours"]


def filter_bank_phrases():
    args = chapter_arguments("03_convolution", "fig-filter-bank", diagrams.plot_filter_bank)
    c, n, f, k = (args[name] for name in ("channels", "size", "filters", "kernel_size"))
    out = output_size(n, k)
    return [f"a {c} × {n} × {n} input, {f} filters of {c} × {k} × {k} each, and a "
            f"{f} × {out} × {out} output with one map per filter",
            f"{n} cells square and {spelled(c)} slices deep with a dashed {k}x{k} window",
            f"{spelled(f)} small coloured cubes", f"{spelled(f)} coloured slices {out} cells "
            "square"]


def dilated_kernel_phrases():
    args = chapter_arguments("04_padding_and_stride", "fig-dilated-kernel",
                             diagrams.plot_dilated_kernel)
    n, f, d = args["n"], args["f"], args["dilation"]
    span, out = d * (f - 1) + 1, output_size(n, f, d=d)
    return [f"A {f}x{f} kernel with dilation {d} over a {n}x{n} input: it reads {f * f} "
            f"pixels", f"spans {span}x{span}", f"the output is {out}x{out}",
            f"A {n} by {n} grid with {spelled(f * f)} blue cells {spelled(d)} apart",
            f"a dashed orange {span} by {span} square", f"a {out} by {out} output grid"]


def padded_grids_phrases():
    args = chapter_arguments("04_padding_and_stride", "fig-padded-grids",
                             padding.plot_padded_grids)
    n = len(chapter_array("04_padding_and_stride", "X"))
    sides = [f"{n + 2 * p}x{n + 2 * p}" for p in args["paddings"]]
    return [f"The {n}x{n} example with zero padding p = {listed(args['paddings'])}: "
            f"{listed(sides)} grids"]


def pixel_usage_phrases():
    args = chapter_arguments("04_padding_and_stride", "fig-pixel-usage",
                             padding.plot_pixel_usage)
    n, f = args["n"], args["f"]
    padded = listed(f"p = {p}" for p in args["paddings"] if p)
    return [f"{n}x{n} input with a {f}x{f} kernel, without padding and with {padded}"]


def feature_maps_phrases():
    model = models.lenet5()
    figure = lenet.plot_feature_maps(model, torch.zeros(1, 28, 28))
    c3, s4 = (next(ax for ax in figure.axes if ax.get_title(loc="left").startswith(stage))
              for stage in ("C3", "S4"))
    maps = feature_maps(model, torch.zeros(1, 28, 28))
    assert maps["C3"].shape[0] == maps["S4"].shape[0]
    count, _, width = maps["S4"].shape
    # The montage puts a one-pixel gap between maps.
    per_row = {(ax.images[0].get_array().shape[1] + 1) // (maps[stage].shape[2] + 1)
               for ax, stage in ((c3, "C3"), (s4, "S4"))}
    assert len(per_row) == 1
    return [f"then {count} smaller C3 maps and {count} S4 maps, "
            f"{spelled(per_row.pop())} to a row"]


def first_digits_phrases():
    args = chapter_arguments("07_lenet", "fig-first-digits", lenet.plot_digits)
    return [f"The first {spelled(args['count'])} training digits",
            f"{spelled(args['count'], capital=True)} handwritten digits"]


def fashion_examples_phrases():
    args = chapter_arguments("07_lenet", "fig-fashion-examples", lenet.plot_digits)
    return [f"{spelled(args['count'], capital=True)} Fashion-MNIST training images",
            f"{spelled(args['count'], capital=True)} small grey pictures"]


def lenet_architecture_phrases():
    """Each box as the alt text lists it: "C1 conv 5x5 padding 2, 6x28x28"."""
    figure = architectures.plot_lenet_architecture(models.lenet5())
    boxes = [text.get_text().splitlines() for text in figure.axes[0].texts]
    first, last = boxes[0][-1], boxes[-1][-1]
    return ([f"{' '.join(lines[:-1])}, {lines[-1]}" for lines in boxes]
            + [f"from a {first} image to {last} class scores"])


def residual_block_phrases():
    args = chapter_arguments("07_lenet", "fig-residual-block",
                             architectures.plot_residual_block)
    shape = "x".join(str(s) for s in args["input_shape"])
    channels = args["input_shape"][0]
    return [f"`ResidualBlock({channels})` on a {shape} input",
            f"conv 3x3 with {channels} filters", f"every arrow is labelled {shape}"]


def window_classes_phrases():
    args = chapter_arguments("07_lenet", "fig-window-classes",
                             architectures.plot_window_classes)
    notebook = nbformat.read(ROOT / "chapters" / "07_lenet.ipynb", as_version=4)
    (chosen,) = [ast.literal_eval(node.value) for cell in notebook.cells
                 if cell.cell_type == "code"
                 for node in ast.walk(ast.parse(PYTHON_OF_CELL.transform_cell(cell.source)))
                 if isinstance(node, ast.Assign)
                 and [getattr(t, "id", None) for t in node.targets] == ["chosen"]]
    window, step = args["window"], args["step"]
    return [f"{spelled(len(chosen), capital=True)} test digits side by side",
            f"each {window}x{window} window, {step} pixels apart",
            f"handwritten digits, {listed(chosen)}", f"reading {listed(chosen)}"]


CHECKS = {
    ("01_seeing", "fig-receptive-fields"): receptive_fields_phrases,
    ("02_why_not_fully_connected", "fig-fit-capacity"): fit_capacity_phrases,
    ("03_convolution", "fig-filter-table"): filter_table_phrases,
    ("03_convolution", "fig-conv-matrix"): conv_matrix_phrases,
    ("03_convolution", "fig-receptive-field-1d"): receptive_field_1d_phrases,
    ("03_convolution", "fig-im2col"): im2col_phrases,
    ("03_convolution", "fig-filter-bank"): filter_bank_phrases,
    ("04_padding_and_stride", "fig-dilated-kernel"): dilated_kernel_phrases,
    ("04_padding_and_stride", "fig-padded-grids"): padded_grids_phrases,
    ("04_padding_and_stride", "fig-pixel-usage"): pixel_usage_phrases,
    ("07_lenet", "fig-feature-maps"): feature_maps_phrases,
    ("07_lenet", "fig-lenet-architecture"): lenet_architecture_phrases,
    ("07_lenet", "fig-residual-block"): residual_block_phrases,
    ("07_lenet", "fig-window-classes"): window_classes_phrases,
    ("07_lenet", "fig-first-digits"): first_digits_phrases,
    ("07_lenet", "fig-fashion-examples"): fashion_examples_phrases,
}


@pytest.mark.parametrize("chapter, name", list(CHECKS), ids=[n for _, n in CHECKS])
def test_caption_and_alt_text_numbers_match_the_code(chapter, name):
    text = figure_text(chapter, name)
    missing = [phrase for phrase in CHECKS[chapter, name]() if phrase not in text]
    assert not missing, f"{name}: the code says {missing}, the text says {text!r}"
