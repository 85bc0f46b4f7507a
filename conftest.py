"""The markers that sort the tests into lanes (pyproject.toml lists them).

`make unit` runs what needs only .venv and is quick: ``-m "not (notebook or site or
browser or live or graders or colab or slow)"``; `make test` runs everything. The markers
are put on here, from what a test uses, so that a new test in a known file or with a known
fixture lands in its lane without being marked by hand; a test file may mark its own too.
This file sits at the top of the repository, not in tests/, so that it also marks the
chapters' and solutions' notebooks when pytest is given only those.
"""

# Fixture -> marker: a test that asks for the fixture needs what the marker names.
MARKER_OF_FIXTURE = {
    "browser": "browser",  # Debian's Chromium (tests/conftest.py)
    "site": "site",  # tests/test_site.py, tests/test_grading_site.py: _build/html
    "graded": "slow",  # tests/test_grading.py: a whole class graded in fresh kernels
}
# Test file -> markers of every test in it.
MARKERS_OF_FILE = {
    "test_nbgrader.py": ("graders", "slow"),
    "test_otter.py": ("graders", "slow"),
    "test_live_widgets.py": ("live", "browser", "slow"),
    "cpu_paths.py": ("notebook", "slow"),
}


def lane_markers(item) -> set[str]:
    """The lane markers that ``item`` gets from its kind, its fixtures and its file."""
    markers = set(MARKERS_OF_FILE.get(item.path.name, ()))
    if item.path.suffix == ".ipynb":  # an nbval cell of a chapter or solution notebook
        markers.add("notebook")
    markers.update(marker for fixture, marker in MARKER_OF_FIXTURE.items()
                   if fixture in getattr(item, "fixturenames", ()))
    return markers


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker in sorted(lane_markers(item)):
            item.add_marker(marker)
