"""What builds the book and its student edition: exercises, Colab cells, pinned outputs, Sphinx."""
