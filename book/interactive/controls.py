"""The controls of an interactive figure: one ``Slider``, ``Dropdown`` or ``Toggle`` per
parameter of its drawing function.

A control offers a short list of values (its options) and starts at one of them. Options
are JSON scalars (int, float, str, bool) because the website names every frame by them;
numpy integers (from ``np.arange``) become ints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from book.validation import is_integer, shown


@dataclass(frozen=True)
class Control:
    """One parameter of an interactive figure; use a subclass.

    kind: "slider", "dropdown" or "toggle", as the page's spec names it; label: the
    visible label; options: the values the parameter takes, in order; value: the start
    value, one of the options.
    """

    kind: ClassVar[str]
    label: str
    options: tuple
    value: Any

    def __post_init__(self):
        if type(self) is Control:
            raise TypeError("Control is the common base: use Slider, Dropdown or "
                            "Toggle")
        # numpy integers (np.arange) as ints, which JSON and the page can name
        options = tuple(_plain(option) for option in self.options)
        # frozen: the dataclass way to store a normalised field
        object.__setattr__(self, "options", options)
        if not options:
            raise ValueError(f"control {self.label!r} needs at least one option")
        for option in options:
            if not isinstance(option, (bool, int, float, str)):
                raise ValueError(
                    f"control {self.label!r}: option {shown(option)} is a "
                    f"{type(option).__name__}; options must be int, float, str or bool "
                    "so that frames can be named in HTML"
                )
        object.__setattr__(self, "value",
                           options[0] if self.value is None else _plain(self.value))
        if self.value not in options:
            raise ValueError(
                f"control {self.label!r}: start value {shown(self.value)} is not one "
                f"of its options {list(options)}"
            )

    @property
    def start_index(self) -> int:
        """The position of the start value among the options."""
        return self.options.index(self.value)


@dataclass(frozen=True)
class Slider(Control):
    """A slider over an ordered list of values (e.g. ``range(1, 4)``); starts at the
    first unless ``value`` says otherwise."""

    kind: ClassVar[str] = "slider"
    value: Any = None


@dataclass(frozen=True)
class Dropdown(Control):
    """A menu of named choices (e.g. ``["max", "average"]``); starts at the first unless
    ``value`` says otherwise."""

    kind: ClassVar[str] = "dropdown"
    value: Any = None


@dataclass(frozen=True)
class Toggle(Control):
    """An on/off switch: ``Toggle(label, value=False)``."""

    kind: ClassVar[str] = "toggle"
    options: tuple = field(default=(False, True), init=False)
    value: bool = False


def _plain(value):
    """A numpy integer as a Python int; any other value as it is."""
    return int(value) if is_integer(value) else value


CONTROL_KINDS: dict[str, type[Control]] = {
    control.kind: control for control in (Slider, Dropdown, Toggle)
}


def check_controls(controls: dict[str, Control]):
    """Refuse a figure without controls, or a parameter given something else."""
    if not controls:
        raise ValueError("an interactive figure needs at least one control")
    for name, control in controls.items():
        if not isinstance(control, Control):
            raise ValueError(
                f"parameter {name!r} must be given a Slider, Dropdown or Toggle, "
                f"not {type(control).__name__}"
            )
