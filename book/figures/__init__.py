"""The chapters' figures, one module per chapter topic; each draws, none computes what it shows.

Every public function here that returns a ``matplotlib.figure.Figure`` (or, for
photographs, a :class:`book.figures.photo.PhotoFigure`) is named by one rule, decided by
how the chapter calls it:

- ``draw_<what>``: an interactive figure's ``draw``, the function a chapter passes to
  ``book.interactive.interactive_figure``. Each of its keyword arguments is one
  control's value and it is called again on every move (``draw_padding_stride(n, f, p,
  s)``). Its in-place updater, if it has one, is ``update_<what>`` (see
  ``book.interactive``).
- ``plot_<what>``: every other figure, drawn once from the data or the settings the
  chapter passes (``plot_padded_grids(x)``, ``plot_parameter_growth()``).

So a reader who sees ``draw_`` knows the figure has controls, and one who sees
``plot_`` knows it is a still picture. Functions that return data for a figure (an
explorer's inputs or feature maps) are named for what they return, never ``draw_``
or ``plot_``.
"""
