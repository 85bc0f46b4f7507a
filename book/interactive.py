"""Interactive figures that work with a kernel and without one.

A chapter declares an interactive figure as a drawing function of a few discrete
parameters plus one control per parameter:

    interactive_figure(draw_padding, n=Slider("input size n", range(3, 8), value=5),
                       p=Slider("padding p", [0, 1, 2]))

* In a live kernel (JupyterLab, Notebook, Colab, Binder) this shows real ipywidgets;
  moving a control calls ``draw`` again.
* When the book is built into a website there is no kernel behind the page, so every
  frame of the (small) parameter grid is drawn at build time and the controls become
  plain HTML inputs with a few lines of inline JavaScript that swap the precomputed
  frames. Nothing is loaded from a CDN. The build switches to this mode by setting
  ``BOOK_STATIC_FIGURES=1`` (done by the ``book.authoring.sphinx`` extension listed in
  ``_config.yml``).

``draw(**params)`` must return a ``matplotlib.figure.Figure`` and must be importable
from the ``book`` package, so that the browser tests can redraw any frame they see on a
page.
A draw function whose figure is slow to build may offer ``draw.update(figure,
**params)``, which changes a figure made by ``draw`` in place to show other values,
drawing the same pixels as a new ``draw(**params)``; the live widget then keeps one
figure and updates it on every move.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import itertools
import json
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from book.build_mode import STATIC_ENV_VAR, static_mode

FRAME_DPI = 90  # about the width of the text column for a 7-inch figure
PALETTE_COLORS = 128  # frames are stored as palette PNGs: a third of the bytes of RGBA
MAX_FRAMES = 400
LIVE_CLASS = "book-interactive-live"  # marks a live figure's box in the page
# A live slider's share of a row: its label, a track of 200 px or more, and its readout.
SLIDER_BASIS = "440px"


@dataclass(frozen=True)
class Control:
    """One parameter of an interactive figure.

    kind: "slider", "dropdown" or "toggle"; label: the visible label; options: the
    values the parameter takes, in order (JSON scalars: int, float, str, bool); value:
    the start value.
    """

    kind: str
    label: str
    options: tuple
    value: Any

    def __post_init__(self):
        if not self.options:
            raise ValueError(f"control {self.label!r} needs at least one option")
        for option in self.options:
            if not isinstance(option, (bool, int, float, str)):
                raise ValueError(
                    f"control {self.label!r}: option {option!r} is a "
                    f"{type(option).__name__}; options must be int, float, str or bool "
                    "so that frames can be named in HTML"
                )
        if self.value not in self.options:
            raise ValueError(
                f"control {self.label!r}: start value {self.value!r} is not one of its "
                f"options {list(self.options)}"
            )


def Slider(label: str, options, value=None) -> Control:
    """A slider over an ordered list of values (e.g. ``range(1, 4)``)."""
    options = tuple(options)
    start = options[0] if value is None and options else value
    return Control("slider", label, options, start)


def Dropdown(label: str, options, value=None) -> Control:
    """A menu of named choices (e.g. ``["max", "average"]``)."""
    options = tuple(options)
    start = options[0] if value is None and options else value
    return Control("dropdown", label, options, start)


def Toggle(label: str, value: bool = False) -> Control:
    """An on/off switch."""
    return Control("toggle", label, (False, True), value)


def render_png(figure: Figure) -> bytes:
    """Encode a figure as a small, deterministic palette PNG and close it."""
    png = _encode_png(figure, optimize=True)
    plt.close(figure)
    return png


def _encode_png(figure: Figure, optimize: bool) -> bytes:
    """The figure's frame as a palette PNG; the figure stays open.

    optimize: compress harder (about 8% smaller, 8 ms slower): worth it for the
    website's stored frames, not for a live update that is sent once.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    # Rendering straight from Agg's pixel buffer skips an RGBA PNG round trip.
    canvas = FigureCanvasAgg(figure)
    figure.set_dpi(FRAME_DPI)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    palette = image.convert("RGB").quantize(colors=PALETTE_COLORS,
                                            method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    palette.save(out, format="png", optimize=optimize)
    return out.getvalue()


@contextlib.contextmanager
def _figure_style():
    """The style every frame is drawn in, whatever the reader's matplotlib settings."""
    with plt.style.context("default"), plt.rc_context({"font.size": 10}):
        yield


class InteractiveFigure:
    """A drawing function together with its controls; see :func:`interactive_figure`."""

    def __init__(self, draw: Callable[..., Figure], controls: dict[str, Control],
                 title: str):
        if not controls:
            raise ValueError("an interactive figure needs at least one control")
        for name, control in controls.items():
            if not isinstance(control, Control):
                raise ValueError(
                    f"parameter {name!r} must be given a Slider, Dropdown or Toggle, "
                    f"not {type(control).__name__}"
                )
        frame_count = 1
        for control in controls.values():
            frame_count *= len(control.options)
        if frame_count > MAX_FRAMES:
            raise ValueError(
                f"{title!r} has {frame_count} parameter combinations; the website "
                f"precomputes every frame, so keep the grid under {MAX_FRAMES} "
                "(fewer options per control)"
            )
        self.draw = draw
        self.controls = controls
        self.title = title

    @classmethod
    def from_spec(cls, spec: dict) -> "InteractiveFigure":
        """Rebuild a figure from the ``data-spec`` a static player carries on the site.

        Used by the browser tests and benchmarks to redraw any frame seen on a page.
        """
        import importlib

        module_name, qualname = spec["draw"].split(":")
        if not module_name.startswith("book."):
            raise ValueError(f"{spec['title']!r} draws with {spec['draw']}: "
                             "interactive figures must draw with a function from the "
                             "book package")
        draw = importlib.import_module(module_name)
        for part in qualname.split("."):
            draw = getattr(draw, part)
        controls = {p["name"]: Control(p["kind"], p["label"], tuple(p["options"]),
                                       p["options"][0]) for p in spec["params"]}
        return cls(draw, controls, spec["title"])

    @property
    def start(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.controls.items()}

    def frame(self, **params) -> bytes:
        """PNG bytes of the frame for these values (missing ones take start values)."""
        return render_png(self._draw_figure(**params))

    def _draw_figure(self, **params) -> Figure:
        unknown = set(params) - set(self.controls)
        if unknown:
            raise ValueError(f"{self.title!r} has no parameter(s) {sorted(unknown)}")
        with _figure_style():
            figure = self.draw(**{**self.start, **params})
        if not isinstance(figure, Figure):
            raise TypeError(
                f"{self.draw.__qualname__} must return a matplotlib Figure, "
                f"not {type(figure).__name__}"
            )
        return figure

    def live_frames(self) -> Callable[..., bytes]:
        """A function ``frame(**params) -> PNG bytes`` for a live widget.

        Its frames have the same pixels as :meth:`frame`'s. Where ``draw`` offers an
        ``update``, it keeps one figure and updates it in place instead of building a
        new one.
        """
        update = getattr(self.draw, "update", None)
        figure = self._draw_figure() if update else None

        def live_frame(**params) -> bytes:
            if update is None:
                shown = self._draw_figure(**params)
                png = _encode_png(shown, optimize=False)
                plt.close(shown)
                return png
            with _figure_style():
                update(figure, **{**self.start, **params})
            return _encode_png(figure, optimize=False)

        return live_frame

    def alt_text(self, **params) -> str:
        values = {**self.start, **params}
        settings = ", ".join(f"{c.label} = {values[name]}"
                             for name, c in self.controls.items())
        return f"{self.title}: {settings}"

    def grid(self):
        """Every combination of option indices, in a fixed order."""
        return itertools.product(*(range(len(c.options))
                                   for c in self.controls.values()))

    # -- website ---------------------------------------------------------------------
    def to_html(self) -> str:
        """A self-contained HTML block: labelled controls, all frames, inline script."""
        uid = "bi-" + uuid.uuid4().hex[:10]
        names = list(self.controls)
        frames: list[str] = []
        frame_of_png: dict[str, int] = {}
        index: dict[str, int] = {}
        alts: dict[str, str] = {}
        for combo in self.grid():
            values = {n: self.controls[n].options[i] for n, i in zip(names, combo)}
            png = base64.b64encode(self.frame(**values)).decode("ascii")
            if png not in frame_of_png:
                frame_of_png[png] = len(frames)
                frames.append(png)
            key = "|".join(map(str, combo))
            index[key] = frame_of_png[png]
            alts[key] = self.alt_text(**values)

        start_key = "|".join(
            str(c.options.index(c.value)) for c in self.controls.values()
        )
        spec = {
            "draw": f"{self.draw.__module__}:{self.draw.__qualname__}",
            "title": self.title,
            "params": [
                {"name": n, "kind": c.kind, "label": c.label,
                 "options": list(c.options)}
                for n, c in self.controls.items()
            ],
        }
        controls_html = "\n".join(
            self._control_html(uid, name, control)
            for name, control in self.controls.items()
        )
        data = json.dumps({"frames": frames, "index": index, "alts": alts})
        spec_attribute = html.escape(json.dumps(spec))
        start_frame = frames[index[start_key]]
        return "\n".join([
            f'<div class="book-interactive" id="{uid}" data-spec="{spec_attribute}">',
            '<div class="book-interactive-controls" role="group" '
            f'aria-label="{html.escape(self.title)} controls">',
            controls_html,
            "</div>",
            '<img class="book-interactive-frame" '
            f'src="data:image/png;base64,{start_frame}" '
            f'alt="{html.escape(alts[start_key])}">',
            '<script type="application/json" class="book-interactive-data">'
            f"{data}</script>",
            f'<script>{_PLAYER_JS.replace("__UID__", uid)}</script>',
            "</div>",
        ])

    @staticmethod
    def _control_html(uid: str, name: str, control: Control) -> str:
        cid = f"{uid}-{name}"
        start = control.options.index(control.value)
        label = f'<label for="{cid}">{html.escape(control.label)}</label>'
        if control.kind == "slider":
            shown = html.escape(str(control.value))
            labels = html.escape(json.dumps([str(o) for o in control.options]))
            widget = (
                f'<input type="range" id="{cid}" data-param="{name}" min="0" '
                f'max="{len(control.options) - 1}" step="1" value="{start}" '
                f'data-labels="{labels}" aria-valuetext="{shown}">'
                f'<output for="{cid}">{shown}</output>'
            )
        elif control.kind == "dropdown":
            options = "".join(
                f'<option value="{i}"{" selected" if i == start else ""}>'
                f"{html.escape(str(o))}</option>"
                for i, o in enumerate(control.options)
            )
            widget = f'<select id="{cid}" data-param="{name}">{options}</select>'
        else:
            checked = " checked" if control.value else ""
            widget = f'<input type="checkbox" id="{cid}" data-param="{name}"{checked}>'
        return f'<span class="book-interactive-control">{label}{widget}</span>'

    # -- live kernel -----------------------------------------------------------------
    def widget(self):
        """Real ipywidgets: a control per parameter, an image redrawn on each change."""
        import ipywidgets as widgets

        style = {"description_width": "initial"}
        inputs = {}
        for name, control in self.controls.items():
            if control.kind == "slider":
                # A flexible basis, not width="auto" (which leaves a 0 px track in
                # JupyterLab 4, Notebook 7 and classic Notebook): each slider takes at
                # least SLIDER_BASIS of the row, label and readout included, and shares
                # what is left.
                inputs[name] = widgets.SelectionSlider(
                    options=[(str(o), o) for o in control.options], value=control.value,
                    description=control.label, style=style, continuous_update=True,
                    layout=widgets.Layout(flex=f"1 1 {SLIDER_BASIS}"),
                )
            elif control.kind == "dropdown":
                inputs[name] = widgets.Dropdown(
                    options=[(str(o), o) for o in control.options], value=control.value,
                    description=control.label, style=style,
                )
            else:
                inputs[name] = widgets.Checkbox(
                    value=control.value, description=control.label, style=style,
                    indent=False,
                )
        live_frame = self.live_frames()
        image = widgets.Image(value=live_frame(), format="png")

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

    def _ipython_display_(self):
        from IPython.display import HTML, display

        if static_mode():
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


_PLAYER_JS = """(function () {
  var root = document.getElementById("__UID__");
  var data = JSON.parse(root.querySelector(".book-interactive-data").textContent);
  var img = root.querySelector(".book-interactive-frame");
  var inputs = Array.prototype.slice.call(root.querySelectorAll("[data-param]"));
  function indexOf(input) {
    if (input.type === "checkbox") { return input.checked ? 1 : 0; }
    return parseInt(input.value, 10);
  }
  function show() {
    var key = inputs.map(indexOf).join("|");
    img.src = "data:image/png;base64," + data.frames[data.index[key]];
    img.alt = data.alts[key];
    root.setAttribute("data-key", key);
    inputs.forEach(function (input) {
      if (input.type === "range") {
        var text = JSON.parse(input.getAttribute("data-labels"))[indexOf(input)];
        input.setAttribute("aria-valuetext", text);
        input.nextElementSibling.textContent = text;
      }
    });
  }
  inputs.forEach(function (input) {
    input.addEventListener("input", show);
    input.addEventListener("change", show);
  });
  show();
})();"""
