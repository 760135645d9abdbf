"""``conformance validate``: one stderr line per error, a summary on stdout, exit 1 on any error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.loader import SCHEMA_PATH

from test_loader import DUPLICATE_LINE, MALFORMED, MALFORMED_LINES, VALID

REPO = Path(__file__).resolve().parent.parent


def run(capsys, *argv: str) -> tuple[int, list[str], list[str]]:
    code = main(["validate", *argv])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def test_valid_folder_exits_0_with_a_summary(capsys):
    code, out, err = run(capsys, str(VALID))
    assert (code, out, err) == (0, ["validated 14 cases in 2 files: 0 errors"], [])


@pytest.mark.parametrize("name", sorted(MALFORMED_LINES))
def test_each_malformed_file_exits_1_with_its_line(capsys, name):
    path = MALFORMED / name
    code, out, err = run(capsys, str(path))
    cases = len(MALFORMED_LINES[name][1])
    assert code == 1
    assert err == [f"{path.as_posix()}:{MALFORMED_LINES[name][0]}"]
    assert out == [f"validated {cases} case{'' if cases == 1 else 's'} in 1 file: 1 error"]


def test_duplicate_ids_across_two_files(capsys):
    first, second = MALFORMED / "duplicate_a.yaml", MALFORMED / "duplicate_b.yaml"
    code, out, err = run(capsys, str(first), str(second))
    assert code == 1
    assert err == [f"{second.as_posix()}:" + DUPLICATE_LINE.format(first=first.as_posix())]
    assert out == ["validated 2 cases in 2 files: 1 error"]


def test_malformed_and_valid_together(capsys):
    code, out, err = run(capsys, str(MALFORMED), str(VALID))
    assert code == 1
    assert len(err) == 11 and all(line.startswith(MALFORMED.as_posix()) for line in err)
    assert out == ["validated 25 cases in 14 files: 11 errors"]


def test_default_path_missing_exits_1_and_says_so(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys)
    assert code == 1
    assert err == ["cases: no such file or directory", "(validate reads cases/ of the current directory when given no PATH)"]
    assert out == ["validated 0 cases in 0 files: 1 error"]


def test_default_path_empty_says_there_is_nothing_to_validate(capsys, tmp_path, monkeypatch):
    (tmp_path / "cases").mkdir()
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys)
    assert (code, out, err) == (0, ["validated 0 cases in 0 files: 0 errors"], ["no case files (*.yaml, *.yml) under cases/"])


def test_default_path_is_cases(capsys, tmp_path, monkeypatch):
    (tmp_path / "cases" / "deep").mkdir(parents=True)
    (tmp_path / "cases" / "deep" / "one.yaml").write_text((VALID / "more.yml").read_text())
    monkeypatch.chdir(tmp_path)
    assert run(capsys) == (0, ["validated 1 case in 1 file: 0 errors"], [])


def test_print_schema_path(capsys):
    code, out, err = run(capsys, "--print-schema-path")
    assert (code, err) == (0, [])
    assert out == [str(SCHEMA_PATH)]
    assert json.loads(Path(out[0]).read_text())["$defs"]["case"]["required"] == ["id"]


def test_subprocess_exit_code_and_no_traceback():
    path = MALFORMED / "python_tag.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "validate", str(path), str(VALID)],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"{path.as_posix()}:{MALFORMED_LINES['python_tag.yaml'][0]}"]
    assert done.stdout.splitlines() == ["validated 15 cases in 3 files: 1 error"]


def test_expectations_are_checked_by_default_and_by_path(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "expectations"
    folder.mkdir()
    (folder / "a.yaml").write_text('"c":\n  kind: bug\n  reason: r\n  status: FAIL\n')
    (folder / "b.yaml").write_text('"c":\n  kind: bug\n  reason: r\n  status: TIMEOUT\n')
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "one.yaml").write_text(next(Path(VALID).glob("*.yaml")).read_text())
    monkeypatch.chdir(tmp_path)
    missing_diagnosis = f"{Path('expectations') / 'a.yaml'}:2: 'c': diagnosis: a FAIL entry pins the diagnosis the suite gives"
    code, out, err = run(capsys)
    assert code == 1 and err == [missing_diagnosis]
    assert out[-1].endswith("and 2 expectations files: 1 error")
    code, out, err = run(capsys, "expectations/b.yaml")  # a path in expectations/ is read as one
    assert (code, err) == (0, []) and out[-1] == "validated 0 cases in 0 files and 1 expectations file: 0 errors"
    code, out, err = run(capsys, "cases")  # only what is named
    assert code == 0 and "expectations" not in out[-1]
