"""One source for the pins: requirements.txt.

binder/requirements.txt (a reader's environment on Binder) and requirements-graders.txt
(nbgrader and otter-grader, graders.mk) pin every package that requirements.txt pins too
at its version there, so that Binder, the graders and the build run the same code.
requirements-colab.txt is left out on purpose: it follows Colab's published pip freeze
(tests/test_colab.py checks it against tests/data), not this build.
"""

import pytest
from packaging.version import Version

from tests.project_metadata import ROOT, pinned_versions

SOURCE = ROOT / "requirements.txt"
DERIVED = ["binder/requirements.txt", "requirements-graders.txt"]


def disagreements(source: dict[str, str], derived: dict[str, str]) -> list[str]:
    """Packages pinned in both whose versions differ, a local build tag aside
    (Binder's ``torch==2.13.0+cpu`` is requirements.txt's ``torch==2.13.0``)."""
    return [f"{name}=={version}, requirements.txt has {source[name]}"
            for name, version in sorted(derived.items())
            if name in source and Version(version).public != Version(source[name]).public]


@pytest.mark.parametrize("path", DERIVED)
def test_shared_pins_have_the_versions_of_requirements_txt(path):
    problems = disagreements(pinned_versions(SOURCE), pinned_versions(ROOT / path))
    assert not problems, f"{path} pins " + "; ".join(problems)


def test_a_wrong_pin_is_named():
    source = {"numpy": "2.4.6", "torch": "2.13.0"}
    assert disagreements(source, {"numpy": "2.4.6", "torch": "2.13.0+cpu", "otter": "7"}) == []
    assert disagreements(source, {"numpy": "2.4.5"}) == [
        "numpy==2.4.5, requirements.txt has 2.4.6"]


def test_names_are_compared_as_pip_compares_them(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text("# a comment\n--extra-index-url https://example.org\nPyYAML==6.0.3\n"
                    "sphinx_design==0.8.0  # why\n"
                    'tomli==2.5.0; python_version < "3.11"\nnumpy>=2\n')
    assert pinned_versions(path) == {"pyyaml": "6.0.3", "sphinx-design": "0.8.0",
                                     "tomli": "2.5.0"}


def test_binder_takes_cpu_torch_from_pytorchs_index():
    binder = (ROOT / "binder" / "requirements.txt").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in binder
    assert pinned_versions(ROOT / "binder" / "requirements.txt")["torch"].endswith("+cpu")
