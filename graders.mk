# nbgrader and otter-grader, for the compatibility tests (tests/test_nbgrader.py,
# tests/test_otter.py). They get their own virtual environment, so that .venv holds only
# what the build and the other tests use, and the tests run them as commands, as an
# instructor would. Its shared pins are requirements.txt's (tests/test_pins.py). Creating it
# takes about 75 s here (numpy, matplotlib and torch come along so that otter's kernels can
# import `book`). Included by the Makefile; `make test` depends on `graders`.

GRADERS_VENV := .venv-graders
GRADERS_INSTALLED := $(GRADERS_VENV)/.installed

.PHONY: graders

$(GRADERS_INSTALLED): requirements-graders.txt
	$(PYTHON) -m venv $(GRADERS_VENV)
	$(GRADERS_VENV)/bin/pip install --quiet -r requirements-graders.txt
	touch $@

graders: $(GRADERS_INSTALLED)
