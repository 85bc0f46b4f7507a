"""The library behind the interactive textbook on convolutional neural networks.

A reader's notebook imports from the top of the package, one concept per module
(``from book.conv import conv2d``, ``from book.shapes import output_size``).
The folders hold the rest, and each imports the library, never the reverse:

- ``book.check``: the exercises' checks;
- ``book.figures``: the chapters' figures;
- ``book.interactive``: figures with controls, live in a kernel and static on the website;
- ``book.authoring``: what builds the book and its student edition (``python -m book``);
- ``book.grading``: the instructor's grader (``python -m book grade``).

CONTRIBUTING.md draws the layout and says where new work goes.
"""

__version__ = "0.1.0"
