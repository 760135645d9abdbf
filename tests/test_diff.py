"""``conformance diff``: each kind of change between two runs, and the CI gate."""

from __future__ import annotations

import json

import pytest

from conformance.cli import main
from conformance.diff import diff_runs
from conformance.results import Result, run_info, write_results_file


def result(case, status="PASS", adapter="fw.op", **fields):
    fields.setdefault("expected_status", status if fields.pop("explained", False) else "PASS")
    return Result(case=case, file="cases/x.yaml", line=1, op="conv_transpose", status=status, adapter=adapter, **fields)


def write(folder, results, version="1.0", adapter="fw.op"):
    info = run_info(adapter, "fw", version, properties={"os": "linux"})
    return write_results_file(folder / f"{adapter}.json", info, results)


@pytest.fixture
def runs(tmp_path):
    before, after = tmp_path / "before", tmp_path / "after"
    write(
        before,
        [
            result("same", shape=[1, 2, 3]),
            result("breaks", shape=[1, 2, 3]),
            result("breaks-known"),
            result("gets-fixed", "FAIL", diagnosis="kernel-flipped", explained=True),
            result("rediagnosed", "FAIL", diagnosis="kernel-flipped", explained=True),
            result("reworded", "ERROR", message="RuntimeError: no kernel", explained=True),
            result("reshaped", "FAIL", diagnosis="unexplained", shape=[1, 2, 3], explained=True),
            result("dropped"),
        ],
    )
    write(
        after,
        [
            result("same", shape=[1, 2, 3]),
            result("breaks", "FAIL", diagnosis="window-shifted(0,1)", shape=[1, 2, 3]),
            result("breaks-known", "ERROR", message="ValueError: refused", explained=True, expectation_reason="known"),
            result("gets-fixed"),
            result("rediagnosed", "FAIL", diagnosis="window-shifted(1,0)", unexpected="another diagnosis"),
            result("reworded", "ERROR", message="RuntimeError: unsupported configuration", explained=True),
            result("reshaped", "FAIL", diagnosis="unexplained", shape=[1, 2, 4], explained=True),
            result("new-case", "CRASH", message="killed by SIGSEGV"),
        ],
        version="2.0",
    )
    return before, after


def test_each_change_is_named_and_only_unexplained_new_failures_gate(runs):
    diff = diff_runs([runs[0]], [runs[1]])
    kinds = {change.case: change.kind for change in diff.changes}
    assert kinds == {
        "breaks": "new-failure",
        "breaks-known": "new-failure",
        "gets-fixed": "fixed",
        "rediagnosed": "diagnosis",
        "reworded": "message",
        "reshaped": "shape",
        "new-case": "added",
        "dropped": "removed",
    }
    assert diff.unchanged == 1
    assert sorted(change.case for change in diff.gating) == ["breaks", "new-case", "rediagnosed"]
    assert diff.changes[0].gates  # the gating changes come first
    assert diff.version_changes() == [("fw.op", "1.0", "2.0")]


def test_the_command_exits_1_on_a_gate_and_writes_json_and_markdown(runs, tmp_path, capsys):
    markdown = tmp_path / "ci" / "diff.md"
    assert main(["diff", str(runs[0]), str(runs[1]), "--json", "--markdown", str(markdown)]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed["gating"] == 3 and printed["counts"]["fixed"] == 1
    assert {change["case"] for change in printed["changes"] if change["gates"]} == {"breaks", "new-case", "rediagnosed"}
    text = markdown.read_text()
    assert "**3 new non-PASS results that no expectation explains.**" in text
    assert "| ❗ | new-failure | `fw.op` | `breaks` | PASS | FAIL (window-shifted(0,1)) |" in text


def test_the_table_and_a_run_without_regressions(runs, capsys):
    assert main(["diff", str(runs[0]), str(runs[0])]) == 0
    assert "0 changed" in capsys.readouterr().out
    assert main(["diff", str(runs[0]), str(runs[1]), "--limit", "2"]) == 1
    out = capsys.readouterr().out
    assert "fw.op: 1.0 -> 2.0" in out and "... 6 more (--limit 0 shows all)" in out
    assert "3 new non-PASS results that no expectation explains (marked !)" in out


def test_a_side_with_no_results_is_an_error_not_an_empty_diff(runs, tmp_path, capsys):
    assert main(["diff", str(tmp_path / "nowhere"), str(runs[1])]) == 2
    assert "no results files could be read for before" in capsys.readouterr().err
