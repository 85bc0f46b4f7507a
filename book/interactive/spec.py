"""The description of an interactive figure that its website player carries.

The player's ``data-spec`` attribute holds it.

It names the drawing function and lists the controls with their options and start
values, so that the browser tests and the slider benchmark can rebuild the figure from a
page and redraw any frame they see there:

    {"draw": "book.figures.padding:draw_padding_stride", "title": "...",
     "params": [{"name": "n", "kind": "slider", "label": "n", "options": [4, 5],
                 "value": 4}, ...]}
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable

from book.interactive.controls import CONTROL_KINDS, Control


def figure_spec(draw: Callable, title: str, controls: dict[str, Control]) -> dict:
    """The JSON-ready description of a figure drawn by ``draw`` with these controls."""
    return {
        "draw": f"{draw.__module__}:{draw.__qualname__}",
        "title": title,
        "params": [{"name": name, "kind": control.kind, "label": control.label,
                    "options": list(control.options), "value": control.value}
                   for name, control in controls.items()],
    }


def read_spec(spec: dict) -> tuple[Callable, str, dict[str, Control]]:
    """(draw, title, controls) as :func:`figure_spec` described them.

    Only functions of the ``book`` package are imported: a page cannot make the tests
    run anything else.
    """
    try:
        module_name, qualname = spec["draw"].split(":")
        title, params = spec["title"], spec["params"]
        controls = {param["name"]: _control(param) for param in params}
    except KeyError as missing:
        raise ValueError(f"the spec {spec.get('title', '')!r} has no {missing} "
                         "(made by an older book.interactive?)") from None
    if not module_name.startswith("book."):
        raise ValueError(f"{title!r} draws with {spec['draw']}: interactive figures "
                         "must draw with a function from the book package")
    draw = importlib.import_module(module_name)
    for part in qualname.split("."):
        draw = getattr(draw, part)
    return draw, title, controls


def _control(param: dict) -> Control:
    """The control one entry of the spec's ``params`` describes."""
    if param["kind"] not in CONTROL_KINDS:
        raise ValueError(f"{param['name']!r} is a {param['kind']!r}; controls are "
                         f"{sorted(CONTROL_KINDS)}")
    kind = CONTROL_KINDS[param["kind"]]
    return kind(**{field.name: param[field.name]
                   for field in dataclasses.fields(kind) if field.init})
