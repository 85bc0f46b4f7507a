# The chapter and solution notebooks under Colab's versions of IPython (7.34), ipykernel,
# ipywidgets (7.7), traitlets, numpy and matplotlib, in their own virtual environment
# .venv-colab from requirements-colab.txt; the book is installed into it without its
# dependencies, so Colab's versions stay. Creating it takes about 40 s here; the notebook
# run about 70 s. Included by the Makefile; `make test` runs `colab-notebooks`.

COLAB_VENV := .venv-colab
COLAB_INSTALLED := $(COLAB_VENV)/.installed

.PHONY: colab colab-notebooks

$(COLAB_INSTALLED): requirements-colab.txt pyproject.toml
	rm -rf $(COLAB_VENV)
	$(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/pip install --quiet -r requirements-colab.txt
	$(COLAB_VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

colab: $(COLAB_INSTALLED)

# Every chapter and solution notebook, as in the main run (nbval, pinned outputs checked).
colab-notebooks: colab
	$(COLAB_VENV)/bin/pytest chapters solutions
