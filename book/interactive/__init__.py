"""Interactive figures that work with a kernel and without one.

A chapter declares an interactive figure as a drawing function of a few discrete
parameters plus one control per parameter:

    interactive_figure(draw_padding_stride, n=Slider("input size n", range(3, 8), value=5),
                       p=Slider("padding p", [0, 1, 2]))

* In a live kernel (JupyterLab, Notebook, Colab, Binder) this shows real ipywidgets;
  moving a control calls ``draw`` again (``book.interactive.widget``).
* When the book is built into a website there is no kernel behind the page, so every
  frame of the (small) parameter grid is drawn at build time and the controls become
  plain HTML inputs with a few lines of inline JavaScript that swap the precomputed
  frames (``book.interactive.player``). Nothing is loaded from a CDN. The build switches
  to this mode through ``book.build_mode``.

``draw(**params)`` must return a ``matplotlib.figure.Figure`` and must be importable
from the ``book`` package, so that the browser tests can redraw any frame they see on a
page (``book.interactive.spec``). The modules: ``controls`` (Slider, Dropdown, Toggle),
``frames`` (the grid and how a frame is drawn and encoded), ``player`` and ``player.js``
(the website), ``frame_files`` (the site build's frames as cacheable files), ``widget``
(the kernel), ``spec`` (the page's description of a figure).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matplotlib.figure import Figure

from book import build_mode
from book.interactive import frames
from book.interactive.controls import Control, Dropdown, Slider, Toggle, check_controls
from book.interactive.player import player_html
from book.interactive.spec import figure_spec, read_spec
from book.interactive.widget import live_widget

__all__ = ["Control", "Dropdown", "InteractiveFigure", "Slider", "Toggle",
           "interactive_figure"]


class InteractiveFigure:
    """A drawing function together with its controls; see :func:`interactive_figure`.

    draw: ``draw(**params) -> Figure``; controls: parameter name -> control, in the
    order they are shown; title: what the figure shows.
    """

    def __init__(self, draw: Callable[..., Figure], controls: dict[str, Control],
                 title: str):
        check_controls(controls)
        frames.check_grid_size(controls, title)
        self.draw = draw
        self.controls = controls
        self.title = title

    @classmethod
    def from_spec(cls, spec: dict) -> InteractiveFigure:
        """The figure a player's ``data-spec`` describes, start values included."""
        draw, title, controls = read_spec(spec)
        return cls(draw, controls, title)

    def spec(self) -> dict:
        """The description a static player carries; :meth:`from_spec` reverses it."""
        return figure_spec(self.draw, self.title, self.controls)

    @property
    def start(self) -> dict[str, Any]:
        """Parameter name -> start value."""
        return {name: control.value for name, control in self.controls.items()}

    def draw_figure(self, **params) -> Figure:
        """``draw``'s figure for these values (missing ones take start values), drawn in
        the frames' style."""
        unknown = set(params) - set(self.controls)
        if unknown:
            raise ValueError(f"{self.title!r} has no parameter(s) {sorted(unknown)}")
        with frames.figure_style():
            figure = self.draw(**{**self.start, **params})
        if not isinstance(figure, Figure):
            raise TypeError(f"{self.draw.__qualname__} must return a matplotlib "
                            f"Figure, not {type(figure).__name__}")
        return figure

    def frame(self, **params) -> bytes:
        """PNG bytes of the frame for these values (missing ones take start values)."""
        return frames.render_png(self.draw_figure(**params))

    def alt_text(self, **params) -> str:
        """The frame's alt text for these values (missing ones take start values)."""
        return frames.alt_text(self.title, self.controls, {**self.start, **params})

    def to_html(self) -> str:
        """The static player for the website: a self-contained block of HTML."""
        return player_html(self)

    def widget(self):
        """The live figure for a kernel: ipywidgets over an image redrawn on change."""
        return live_widget(self)

    def _ipython_display_(self):
        from IPython.display import HTML, display

        if build_mode.static_mode():
            display(HTML(self.to_html()))
        else:
            display(self.widget())

    def __repr__(self):
        params = ", ".join(f"{n}={c.value!r}" for n, c in self.controls.items())
        return f"<interactive figure {self.title!r}: {params}>"


def interactive_figure(draw: Callable[..., Figure], title: str | None = None,
                       **controls: Control) -> InteractiveFigure:
    """Declare an interactive figure.

    draw: a function from the ``book`` package, ``draw(**params) -> Figure``.
    title: what the figure shows (used in labels and alt text); defaults to draw's name.
    controls: one ``Slider``, ``Dropdown`` or ``Toggle`` per parameter of ``draw``.
    Displaying the result shows live widgets in a kernel and a static player on the
    website.
    """
    return InteractiveFigure(draw, controls, title or draw.__name__.replace("_", " "))
