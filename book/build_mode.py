"""Whether the book is being built into a website, the one switch the build flips.

The site build (``book.authoring.sphinx``) sets ``BOOK_STATIC_FIGURES=1`` before it executes
the notebooks. With no kernel behind a web page, interactive figures then render all their
frames into a player, and ``book.glue`` records the numbers the prose quotes. In a live
kernel (Jupyter, Colab, nbval) the variable is unset.
"""

import os

STATIC_ENV_VAR = "BOOK_STATIC_FIGURES"


def static_mode() -> bool:
    """True while the book is being built into a website (no kernel behind the page)."""
    return os.environ.get(STATIC_ENV_VAR) == "1"
