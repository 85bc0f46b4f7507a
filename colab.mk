# The chapter and solution notebooks under Colab's versions of IPython (7.34),
# ipykernel, ipywidgets (7.7), traitlets, numpy and matplotlib, in their own virtual
# environment .venv-colab from requirements-colab.txt; the book is installed into it
# without its dependencies, so Colab's versions stay. Creating it takes 40 s to 2
# minutes here, the run about as long (the 2 cores shared or not). Included by the
# Makefile; `make test` runs `colab-notebooks`.

COLAB_VENV := .venv-colab
COLAB_INSTALLED := $(COLAB_VENV)/.installed

.PHONY: colab colab-notebooks

$(COLAB_INSTALLED): requirements-colab.txt pyproject.toml
	$(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/pip install --quiet -r requirements-colab.txt
	$(COLAB_VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

colab: $(COLAB_INSTALLED)

# Every chapter and solution notebook, as in the main run (nbval, pinned outputs
# checked), and the live-widget unit tests under ipywidgets 7 (not the site build's
# Sphinx switch: Colab has no Sphinx).
COLAB_TESTS := chapters solutions tests/test_interactive.py \
	--deselect tests/test_interactive.py::test_sphinx_extension_switches_kernels_to_static

colab-notebooks: colab
	$(COLAB_VENV)/bin/pytest $(COLAB_TESTS)
