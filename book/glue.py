"""Numbers in the prose come from code: ``glue(name, text)`` and ``<!-- glue:name -->``.

The cell that computes a number the prose states also records it,

    glue("curve_response", f"{response:,}")

and the markdown writes the same text literally with a marker right after it, no space:

    the response is 6,600<!-- glue:curve_response -->.

The HTML comment is invisible in Jupyter, Colab and on the website, so the sentence
reads normally everywhere. In a live kernel (Jupyter, Colab, nbval) ``glue`` does
nothing. In the site build it records the text with myst-nb's glue (``display=False``:
nothing shows on the page), and the ``book.authoring.sphinx`` extension fails the build when the
text before a marker is not the glued text, a marker names a value that was never
glued, or a glued value is never quoted (see ``book.authoring.pinned_outputs``). ``make
cpu-paths`` records them in a live kernel too (``BOOK_RECORD_GLUE=1``), to check the
prose on another CPU code path.
"""

from __future__ import annotations

import os
import re

from book.build_mode import static_mode

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RECORD_ENV_VAR = "BOOK_RECORD_GLUE"


class _Text(str):
    """A string whose display is the string itself, not its repr with quotes."""

    def __repr__(self):
        return str(self)

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))


def glue(name: str, text: str) -> None:
    """Record ``text``, the exact words the prose shows, under ``name`` for the build.

    name: letters, digits and underscores (it appears in ``<!-- glue:name -->``);
    text: the formatted value, e.g. ``f"{total:,}"``.
    """
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ValueError(f"glue name {name!r} must be letters, digits and underscores, "
                         "starting with a letter")
    if not isinstance(text, str):
        raise TypeError(f"glue({name!r}, ...) takes the text the prose shows, "
                        f"formatted by the code (e.g. f\"{{value:,}}\"), but got the "
                        f"{type(text).__name__} {text!r}")
    if not (static_mode() or os.environ.get(RECORD_ENV_VAR) == "1"):
        return
    # Imported only in the build: a reader's kernel (Colab) has no myst_nb.
    from myst_nb import glue as myst_glue

    myst_glue(name, _Text(text), display=False)
