"""The figures of chapter 2 (book.figures.parameters) show what book.parameters counts."""

import pytest

from book.figures.parameters import plot_connections_3x3, plot_fit_capacity, plot_parameter_growth
from book.parameters import layer_parameter_counts


@pytest.mark.parametrize("bias", [False, True])
def test_growth_plot_labels_are_the_counts_at_the_marked_side(bias):
    # Chapter 2 quotes these labels; they must be the counts its table prints.
    figure = plot_parameter_growth(mark_side=200, bias=bias)
    labels = sorted(text.get_text() for text in figure.axes[0].texts)
    counts = layer_parameter_counts(200, bias=bias).values()
    assert labels == sorted(f"{count:,}" for count in counts)
    if not bias:
        assert labels == sorted(["1,600,000,000", "4,000,000", "100"])


def test_count_axis_labels_every_tick_matplotlib_may_format():
    # Matplotlib 3.10 (Colab's) formats ticks below the view, 0.1 and less, too.
    formatter = plot_parameter_growth().axes[0].yaxis.get_major_formatter()
    ticks = [10.0 ** exponent for exponent in range(-2, 13)]
    assert formatter.format_ticks(ticks) == [
        "0.01", "0.1", "1", "10", "100", "1k", "10k", "100k",
        "1M", "10M", "100M", "1B", "10B", "100B", "1T"]


def test_growth_plot_names_a_bad_side():
    with pytest.raises(ValueError, match=r"^side must be at least 1, got 0$"):
        plot_parameter_growth(sides=(16, 0))


def test_connections_drawn_are_the_weights_counted():
    # 9 inputs to 4 outputs: 36 connections fully connected, 4 positions x 4 weights
    # for the 2x2 filter.
    dense, conv = plot_connections_3x3().axes
    assert len(dense.lines) == 36
    assert len(conv.lines) == 16
    assert {line.get_color() for line in conv.lines} == set(
        handle.get_color() for handle in conv.get_legend().legend_handles)


def test_overfitting_picture_shows_overfitting():
    # The highest degree must fit the training points best and the test points worst.
    figure = plot_fit_capacity()
    errors = []
    for ax in figure.axes:
        text = [t.get_text() for t in ax.texts if t.get_text().startswith("train")][0]
        train, test = (float(line.split()[-1]) for line in text.split("\n"))
        errors.append((train, test))
    assert errors[2][0] < errors[1][0] < errors[0][0]
    assert errors[1][1] < errors[0][1] and errors[1][1] < errors[2][1]
    # Chapter 2: the degree-12 fit's test error is "by far the largest".
    assert errors[2][1] > 10 * errors[0][1]
