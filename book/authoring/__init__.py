"""What builds the book and its student edition (``python -m book ...``).

- ``exercises``: the student notebooks, made from ``solutions/``;
- ``colab``: the install cell that opens every notebook on Colab;
- ``pinned_outputs``: the outputs nbval checks, and what an executed notebook contradicts;
- ``execution``: running a notebook in a fresh kernel, as a reader's or as the site build's;
- ``sphinx``: the site build's extension (static figures, the contradiction check).
"""
