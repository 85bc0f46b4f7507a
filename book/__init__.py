"""Helpers for the interactive CNN textbook: reference operations, figures, checks, grading.

Each module holds one concept; a chapter imports what it needs, e.g.
``from book.shapes import output_size``.
"""

__version__ = "0.1.0"
