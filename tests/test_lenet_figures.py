"""book.figures.lenet: chapter 7's figures draw what they are given, and the explorer
refuses settings it has no frame for."""

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from book.figures import lenet as lenet_figures
from book.interactive.frames import figure_style
from book.models import lenet5
from book.training import History


def digits(count):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (count, 28, 28)).astype(np.uint8), rng.integers(0, 10, count)


def test_plot_history_draws_both_curves_in_each_panel():
    history = History([1.0, 0.5], [0.5, 0.9], [1.1, 0.6], [0.4, 0.8], [1.0, 2.0])
    loss_ax, accuracy_ax = lenet_figures.plot_history(history, title="t").axes
    assert [list(line.get_ydata()) for line in loss_ax.lines] == [[1.0, 0.5], [1.1, 0.6]]
    assert [list(line.get_ydata()) for line in accuracy_ax.lines] == [[0.5, 0.9],
                                                                     [0.4, 0.8]]


def test_digit_figures_show_the_images_they_are_asked_for():
    images, labels = digits(20)
    shown = lenet_figures.plot_digits(images, labels, count=7, columns=5)
    assert [ax.get_title() for ax in shown.axes if ax.images] == [str(y) for y in labels[:7]]
    predicted = labels.copy()
    predicted[[2, 5, 11]] = (labels[[2, 5, 11]] + 1) % 10
    wrong = lenet_figures.plot_misclassified(images, labels, predicted, count=5)
    assert [ax.get_title() for ax in wrong.axes if ax.images] == [
        f"{labels[i]}→{predicted[i]}" for i in (2, 5, 11)]
    with pytest.raises(ValueError, match="count must be at least 1"):
        lenet_figures.plot_digits(images, labels, count=0)
    with pytest.raises(ValueError, match="columns must be an integer"):
        lenet_figures.plot_misclassified(images, labels, predicted, columns=2.5)


def test_filters_and_feature_maps_are_figures():
    images, _ = digits(1)
    model = lenet5()
    assert len(lenet_figures.plot_filters(model.C1.weight).axes) == 6
    x = torch.from_numpy(images.astype(np.float32))
    assert isinstance(lenet_figures.plot_feature_maps(model, x, raw_image=images[0]), Figure)


@pytest.mark.parametrize("settings, message", [
    ({"digit": 10}, "digit must be at most 9"), ({"digit": -1}, "digit must be at least 0"),
    ({"digit": True}, "digit must be an integer"), ({"layer": "F7"}, "layer must be one of")])
def test_the_explorer_rejects_unknown_settings(settings, message):
    with pytest.raises(ValueError, match=message):
        lenet_figures.draw_lenet_layers(**settings)


def test_the_explorer_output_frame_keeps_its_class_label_inside():
    with figure_style():  # the style every frame is drawn in
        figure = lenet_figures.draw_lenet_layers(digit=3, layer="output")
        figure.draw_without_rendering()
    label = figure.axes[1].xaxis.label
    assert label.get_text() == "class"
    assert figure.bbox.y0 <= label.get_window_extent().y0
