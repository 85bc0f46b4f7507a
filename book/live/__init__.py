"""Live figures: the page itself computes, with the reader's own input.

The interactive figures of ``book.interactive`` show frames drawn at build time. The
figures here run a small, readable script in the page instead (no runtime, nothing from
a CDN), so a reader can try input nobody precomputed. Each script sits beside the
Python it mirrors and names it in its first lines, with the shapes it reads and returns
written the way the ``book`` functions document theirs; a browser test compares the
page's numbers with the Python's on the same input.

A live figure is an HTML block: its controls, a
``<script type="application/json" class="book-live-data">`` holding its data (files such
as weights or a photo in ``"assets"`` as ``data:`` URLs, which the site build moves into
cacheable files: ``book.interactive.frame_files``) and its script inline. It works the
same in a notebook (JupyterLab, Notebook, Colab) and on the website.
"""
