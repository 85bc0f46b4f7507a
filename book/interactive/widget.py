"""The live figure in a kernel (JupyterLab, Notebook, Colab, Binder): real ipywidgets,
one per control, and an image that is redrawn whenever a control moves.

A draw function whose figure is slow to build may offer ``draw.update(figure,
**params)``, which changes a figure made by ``draw`` in place to show other values,
drawing the same pixels as a new ``draw(**params)``; the widget then keeps one figure
and updates it on every move.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt

from book.interactive.controls import Control
from book.interactive.frames import display_size, encode_png, figure_style

if TYPE_CHECKING:
    from book.interactive import InteractiveFigure

LIVE_CLASS = "book-interactive-live"  # marks a live figure's box in the page
# A live slider's share of a row: its label, a track of 200 px or more, and its readout.
SLIDER_BASIS = "440px"


def live_frames(figure: InteractiveFigure) -> Callable[..., bytes]:
    """A function ``frame(**params) -> PNG bytes`` for a live widget.

    Its frames have the same pixels as ``figure.frame``'s. Where ``draw`` offers an
    ``update``, it keeps one figure and updates it in place instead of building a new
    one.
    """
    update = getattr(figure.draw, "update", None)
    kept = figure.draw_figure() if update else None

    def live_frame(**params) -> bytes:
        if update is None:
            drawn = figure.draw_figure(**params)
            png = encode_png(drawn, optimize=False)
            plt.close(drawn)
            return png
        with figure_style():
            update(kept, **{**figure.start, **params})
        return encode_png(kept, optimize=False)

    return live_frame


def live_widget(figure: InteractiveFigure):
    """A VBox: a row of control widgets over an image redrawn on each change.

    The box carries ``inputs`` (parameter name -> widget) and ``redraw()``.
    """
    import ipywidgets as widgets

    inputs = {name: _input(control) for name, control in figure.controls.items()}
    live_frame = live_frames(figure)
    first = live_frame()
    # frames hold HIDPI_SCALE times the pixels they are shown at: sharp on hi-dpi screens
    width, _ = display_size(first)
    image = widgets.Image(value=first, format="png", width=str(width))

    def redraw(_change=None):
        image.value = live_frame(**{n: w.value for n, w in inputs.items()})

    for control_widget in inputs.values():
        control_widget.observe(redraw, names="value")
    row = widgets.HBox(list(inputs.values()),
                       layout=widgets.Layout(flex_flow="row wrap"))
    box = widgets.VBox([row, image])
    box.add_class(LIVE_CLASS)
    box.redraw = redraw
    box.inputs = inputs
    return box


def _input(control: Control):
    """The ipywidget for one control, labelled and starting at its start value."""
    import ipywidgets as widgets

    style = {"description_width": "initial"}
    if control.kind == "slider":
        # A flexible basis, not width="auto" (which leaves a 0 px track in JupyterLab 4,
        # Notebook 7 and classic Notebook): each slider takes at least SLIDER_BASIS of
        # the row, label and readout included, and shares what is left.
        return widgets.SelectionSlider(
            options=[(str(o), o) for o in control.options], value=control.value,
            description=control.label, style=style, continuous_update=True,
            layout=widgets.Layout(flex=f"1 1 {SLIDER_BASIS}"),
        )
    if control.kind == "dropdown":
        return widgets.Dropdown(
            options=[(str(o), o) for o in control.options], value=control.value,
            description=control.label, style=style,
        )
    return widgets.Checkbox(value=control.value, description=control.label, style=style,
                            indent=False)
