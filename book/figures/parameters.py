"""Figures of chapter 2, "Why not a fully connected network?".

Parameter count against image size, the 3x3 worked example drawn as connections, and
polynomial fits that under- and overfit. All are still pictures (``plot_``).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from book.parameters import layer_parameter_counts

# x_00, y_00, w_00: mathtext draws their subscripts at 70 %, so 14 pt keeps those at
# 9 px or more where the figure is shrunk to a phone's column.
INDEXED_NAME_PT = 14
COUNT_SUFFIXES = ((12, "T"), (9, "B"), (6, "M"), (3, "k"), (0, ""))

LAYER_STYLES = {
    "fully connected": dict(color="#d62728", marker="o"),
    "locally connected": dict(color="#ff7f0e", marker="s"),
    "convolutional": dict(color="#1f77b4", marker="^"),
}


def plot_parameter_growth(sides=(16, 32, 64, 128, 200, 512, 1024, 2048),
                          kernel_size: int = 10, mark_side: int = 200,
                          bias: bool = False) -> Figure:
    """Log-log plot: weights of one layer against the image side, for three layer kinds.

    Chapter 2, "Why not a fully connected network?".

    sides: image sides n (images are n x n, grayscale, into n x n units); the counts at
    ``mark_side`` are written next to the curves; ``bias`` adds the biases to each
    count.
    """
    sides = list(sides)
    counts = [layer_parameter_counts(s, kernel_size, bias=bias) for s in sides]
    figure = Figure(figsize=(4.9, 4))
    ax = figure.subplots()
    for kind, style in LAYER_STYLES.items():
        ax.plot(sides, [c[kind] for c in counts], label=kind, markersize=4, **style)
        if mark_side in sides:
            value = counts[sides.index(mark_side)][kind]
            ax.annotate(f"{value:,}", (mark_side, value), textcoords="offset points",
                        xytext=(-6, 7), ha="right", fontsize=10, color=style["color"])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(sides)
    ax.set_xticklabels([str(s) for s in sides], fontsize=10)
    ax.minorticks_off()
    # 10^12 draws its exponent too small to read on a phone.
    ax.yaxis.set_major_formatter(FuncFormatter(_count_label))
    ax.set_xlabel("image side n (an n x n grayscale image\ninto n x n units)")
    ax.set_ylabel("weights and biases of one layer" if bias else "weights of one layer")
    ax.set_title(f"One layer, {kernel_size}x{kernel_size} windows\nfor the local layers",
                 fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", fontsize=10)
    figure.tight_layout()
    return figure


def _count_label(count: float, _position=None) -> str:
    """A power of ten as a count is said aloud: 100, 10k, 1M, 100M, 10B, 1T.

    Matplotlib 3.10 also formats ticks outside the view, down to 0.1, so those read as
    decimals rather than failing.
    """
    exponent = round(np.log10(count))
    if exponent < 0:
        return f"{10.0 ** exponent:g}"
    power, suffix = next((p, s) for p, s in COUNT_SUFFIXES if exponent >= p)
    return f"{10 ** (exponent - power)}{suffix}"


def plot_connections_3x3() -> Figure:
    """The 3x3-input example: 9 inputs to 4 outputs, fully connected vs convolutional.

    Chapter 2, "Why not a fully connected network?".

    Left: all 36 connections, each its own weight (grey). Right: the 16 connections of a
    2x2 filter sliding over the 3x3 input, coloured by which of the 4 shared weights
    they use.
    """
    figure = Figure(figsize=(4.9, 3.6))
    axes = figure.subplots(1, 2)
    weight_colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]

    def layout(ax, title):
        in_xy = np.array([(0.0, 2.2 - i * 0.55) for i in range(9)])
        out_xy = np.array([(2.0, 1.6 - j * 0.75) for j in range(4)])
        ax.scatter(*in_xy.T, s=140, color="white", edgecolor="black", zorder=3)
        ax.scatter(*out_xy.T, s=140, color="#dddddd", edgecolor="black", zorder=3)
        for i, (x, y) in enumerate(in_xy):
            ax.text(x - 0.25, y, f"$x_{{{i // 3}{i % 3}}}$", ha="right", va="center",
                    fontsize=INDEXED_NAME_PT)
        for j, (x, y) in enumerate(out_xy):
            ax.text(x + 0.25, y, f"$y_{{{j // 2}{j % 2}}}$", ha="left", va="center",
                    fontsize=INDEXED_NAME_PT)
        ax.set_xlim(-0.8, 2.8)
        ax.set_ylim(-2.6, 2.6)
        ax.axis("off")
        ax.set_title(title, fontsize=10)
        return in_xy, out_xy

    in_xy, out_xy = layout(axes[0], "fully connected:\n36 weights + 4 biases")
    for (x0, y0) in in_xy:
        for (x1, y1) in out_xy:
            axes[0].plot([x0, x1], [y0, y1], color="#999999", linewidth=0.6, zorder=1)

    in_xy, out_xy = layout(axes[1], "convolution:\n4 shared weights + 1 bias")
    for j in range(4):
        out_r, out_c = divmod(j, 2)
        for k in range(4):
            dr, dc = divmod(k, 2)
            i = (out_r + dr) * 3 + (out_c + dc)
            axes[1].plot([in_xy[i, 0], out_xy[j, 0]], [in_xy[i, 1], out_xy[j, 1]],
                         color=weight_colors[k], linewidth=1.4, zorder=1)
    axes[1].legend(handles=[Line2D([], [], color=c, label=f"$w_{{{k // 2}{k % 2}}}$")
                            for k, c in enumerate(weight_colors)],
                   loc="upper center", ncol=2, fontsize=INDEXED_NAME_PT, frameon=False,
                   bbox_to_anchor=(0.5, 0.02))
    figure.tight_layout()
    return figure


def plot_fit_capacity(degrees=(1, 3, 12), n_train: int = 14, noise: float = 0.25,
                      seed: int = 0) -> Figure:
    """Under-, well- and overfitting: polynomials of growing degree fit noisy points.

    Chapter 2, "Why not a fully connected network?".

    The data are ``sin(2*pi*x)`` plus Gaussian noise at n_train points in [0, 1]; each
    panel fits a polynomial of one degree (degree + 1 parameters) by least squares and
    reports the mean squared error on the training points and on 200 fresh test points.
    """
    rng = np.random.default_rng(seed)
    x_train = np.sort(rng.uniform(0, 1, n_train))
    y_train = np.sin(2 * np.pi * x_train) + noise * rng.standard_normal(n_train)
    x_test = rng.uniform(0, 1, 200)
    y_test = np.sin(2 * np.pi * x_test) + noise * rng.standard_normal(200)
    grid = np.linspace(0, 1, 300)
    names = ["underfits", "fits", "overfits"]
    figure = Figure(figsize=(4.9, 3.2))
    axes = figure.subplots(1, len(degrees), sharey=True)
    for ax, degree, name in zip(axes, degrees, names):
        fit = np.polynomial.Polynomial.fit(x_train, y_train, degree)
        train_error = np.mean((fit(x_train) - y_train) ** 2)
        test_error = np.mean((fit(x_test) - y_test) ** 2)
        ax.plot(grid, np.sin(2 * np.pi * grid), color="#999999", linestyle="--",
                linewidth=1)
        ax.plot(grid, fit(grid), color="#1f77b4", linewidth=1.6)
        ax.scatter(x_train, y_train, s=14, color="black", zorder=3)
        ax.set_ylim(-2, 2)
        ax.set_xticks([])
        ax.set_title(f"degree {degree}\n{degree + 1} parameters\n{name}", fontsize=10)
        errors = f"train error {train_error:.3f}\ntest error {test_error:.3g}"
        ax.text(0.03, 0.04, errors, transform=ax.transAxes, fontsize=10, va="bottom")
    axes[0].set_yticks([-1, 0, 1])
    figure.tight_layout()
    return figure
