"""The report's merge, counts, HTML page, JUnit XML and Markdown, from small results files."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from markupsafe import escape

from conformance import diagnosis
from conformance.report import html as report_html
from conformance.report.display import display_values
from conformance.report.junit import junit_filename, write_junit
from conformance.report.markdown import md, render_markdown
from conformance.report.merge import merge_files
from conformance.report.compact import expand_result
from conformance.report.safejson import decode_embedded, json_for_script
from conformance.report.summary import (
    adapter_summaries,
    disagreement_rows,
    expressibility,
    findings_by_kind,
    is_disagreement,
)
from conformance.results import Result, write_results_file

TRANSPOSED = "torch.nn.functional.conv_transpose"
KERAS = "keras.layers.ConvTranspose"
CONV = "torch.nn.functional.conv"
HOSTILE_DESCRIPTION = "<script>alert(1)</script> <img src=x onerror=alert(1)>"
HOSTILE_MESSAGE = "got </script><script>alert(2)</script> & \u2028 <b>bold</b>"


def make_result(case: str, adapter: str, status: str = "PASS", **fields) -> Result:
    """A result as the runner writes it; UNSUPPORTED is expected, everything else PASS."""
    fields.setdefault("expected_status", "UNSUPPORTED" if status == "UNSUPPORTED" else "PASS")
    fields.setdefault("op", "conv" if adapter == CONV else "conv_transpose")
    fields.setdefault("file", "cases/t.yaml")
    fields.setdefault("line", 1)
    return Result(case=case, status=status, adapter=adapter, **fields)


def write_run(directory, name: str, results: list[Result], **info):
    adapter = results[0].adapter if results else name
    run_info = {"adapter": adapter, "framework": "torch", "framework_version": "2.13.0", "device": "cpu", **info}
    return write_results_file(directory / f"{name}.json", run_info, results)


def rendered(tmp_path, *runs) -> tuple[str, object]:
    for name, results in runs:
        write_run(tmp_path, name, results)
    merged = merge_files([tmp_path])
    return report_html.render_html(merged), merged


def matrix_of(page: str) -> dict:
    """The matrix rows the page's script draws (html.matrix_rows)."""
    match = re.search(r'<script type="application/json" id="matrix-rows">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def matrix_cells(page: str) -> list[str]:
    """Every result cell's button classes, in the order the page draws them."""
    return [
        report_html.cell_classes(code, row[3][column] if row[3] else ".", row[4][column] if row[4] else ".")
        for group in matrix_of(page)["groups"]
        for row in group["rows"]
        for column, code in enumerate(row[2])
        if code not in "-."
    ]


def details_of(page: str) -> dict:
    """The page's data with each result as the page shows it (strings put back, diagnosis text)."""
    match = re.search(r'<script type="[^"]+" id="report-data" data-encoding="([^"]+)">(.*?)</script>', page, re.S)
    data = decode_embedded(match.group(1), match.group(2))
    data["results"] = [expand_result(entry, data["strings"]) for entry in data["results"]]
    for entry in data["results"]:
        if "diagnosis" in entry:
            entry["diagnosis_text"] = data["diagnoses"][entry["diagnosis"]]
    return data


# ---- merge -------------------------------------------------------------------------------


def test_same_status_from_two_files_is_one_cell_with_both_sources(tmp_path):
    a = write_run(tmp_path / "machine-1", "a", [make_result("c1", TRANSPOSED)])
    b = write_run(tmp_path / "machine-2", "a", [make_result("c1", TRANSPOSED)])
    merged = merge_files([tmp_path])
    cell = merged.cell("c1", TRANSPOSED)
    assert [c.source for c in cell.claims] == [str(a), str(b)]
    assert (cell.status, merged.conflicts, merged.n_results) == ("PASS", [], 1)


def test_different_statuses_for_one_cell_are_a_conflict_naming_each_file(tmp_path):
    a = write_run(tmp_path, "a", [make_result("c1", TRANSPOSED, "FAIL")])
    b = write_run(tmp_path, "b", [make_result("c1", TRANSPOSED)])
    merged = merge_files([tmp_path])
    assert merged.cell("c1", TRANSPOSED).status == "CONFLICT"
    [conflict] = merged.conflicts
    assert conflict.describe() == f"case 'c1' on adapter '{TRANSPOSED}': FAIL in {a}, PASS in {b}"


def test_machines_that_differ_as_expected_conflict_but_meet_their_expectations(tmp_path):
    """Two simulated machines: the AVX2-capped one fails a case as its conditioned entry says,
    the other passes. The page still shows who said what (a conflict), but nothing is
    unexpected: the summary, the Markdown and the JUnit file say so. A conflict with a claim
    its own run did not expect stays unexpected."""
    avx2 = write_run(
        tmp_path / "avx2", "a",
        [make_result("c1", TRANSPOSED, "FAIL", expected_status="FAIL", expectation_reason="AVX2 kernel"),
         make_result("c2", TRANSPOSED, "FAIL")],
        env={"ONEDNN_MAX_CPU_ISA": "AVX2"},
    )
    native = write_run(tmp_path / "native", "a", [make_result("c1", TRANSPOSED), make_result("c2", TRANSPOSED)])
    merged = merge_files([tmp_path])
    expected, unexpected = merged.cell("c1", TRANSPOSED), merged.cell("c2", TRANSPOSED)
    assert (expected.status, expected.met_expectation) == ("CONFLICT", True)
    assert (unexpected.status, unexpected.met_expectation) == ("CONFLICT", False)
    assert [c.describe() for c in merged.conflicts] == [
        f"case 'c1' on adapter '{TRANSPOSED}': FAIL in {avx2}, PASS in {native}",
        f"case 'c2' on adapter '{TRANSPOSED}': FAIL in {avx2}, PASS in {native}",
    ]
    text = render_markdown(merged)
    assert "**1 results did not meet their expectation.**" in text
    assert "1 of 2 differ as their runs' expectations say (runs whose recorded properties differ" in text
    assert "; the other 1 are unexpected." in text
    [path] = write_junit(merged, tmp_path / "junit")
    cases = {tc.get("name"): tc for tc in ET.parse(path).getroot().iter("testcase")}
    assert cases["c1"].find("skipped").get("message").startswith("results files disagree, each as its run's expectations say")
    assert cases["c2"].find("error").get("message").startswith("results files disagree: FAIL in")


def test_unreadable_files_and_entries_are_named_and_the_rest_merges(tmp_path):
    write_run(tmp_path, "good", [make_result("c1", TRANSPOSED), make_result("c2", TRANSPOSED, status="WEIRD")])
    (tmp_path / "broken.json").write_text('{"format": "conformance-results/1", "run_info": {', encoding="utf-8")
    (tmp_path / "other.json").write_text('{"format": "something-else"}', encoding="utf-8")
    merged = merge_files([tmp_path, tmp_path / "absent.json"])
    messages = sorted(e.message for e in merged.file_errors)
    assert messages[0].startswith(f"{tmp_path / 'absent.json'}: no such file")
    assert messages[1].startswith(f"{tmp_path / 'broken.json'}: cannot read results")
    assert messages[2] == (
        f"{tmp_path / 'good.json'}: result 1: case 'c2': status: not one of "
        "PASS, FAIL, ERROR, UNSUPPORTED, CRASH, TIMEOUT, HARNESS (got 'WEIRD')"
    )
    assert messages[3] == f"{tmp_path / 'other.json'}: not a conformance-results/1 file (format: 'something-else')"
    assert list(merged.cells) == [("c1", TRANSPOSED)]


def test_results_of_the_wrong_json_type_are_a_file_error(tmp_path):
    (tmp_path / "typed.json").write_text(
        json.dumps({"format": "conformance-results/1", "run_info": {}, "results": ["not a result"]}), encoding="utf-8"
    )
    [error] = merge_files([tmp_path]).file_errors
    assert error.message.startswith(f"{tmp_path / 'typed.json'}: malformed results")


def test_adapter_comes_from_the_result_then_run_info_then_file_name(tmp_path):
    unnamed = make_result("c1", "")
    write_results_file(tmp_path / "from-info.json", {"adapter": "info.adapter"}, [unnamed])
    write_results_file(tmp_path / "file.adapter.json", {}, [make_result("c2", "")])
    assert merge_files([tmp_path]).adapters == ["file.adapter", "info.adapter"]


def test_a_missing_cell_is_na_for_another_op_and_not_run_for_the_same_op(tmp_path):
    write_run(tmp_path, "t", [make_result("c1", TRANSPOSED)])
    write_run(tmp_path, "k", [make_result("c1", KERAS), make_result("c2", KERAS)])
    write_run(tmp_path, "c", [make_result("v1", CONV, line=9)])
    merged = merge_files([tmp_path])
    assert merged.missing_kind("c1", CONV) == "n/a"
    assert merged.missing_kind("v1", TRANSPOSED) == "n/a"
    assert merged.missing_kind("c2", TRANSPOSED) == "not run"


def test_cases_in_suite_order_and_transposed_adapters_first(tmp_path):
    results = [make_result("z", TRANSPOSED, line=1), make_result("a", TRANSPOSED, line=5)]
    results.append(make_result("b", TRANSPOSED, file="cases/a.yaml", line=30))
    write_run(tmp_path, "t", results)
    write_run(tmp_path, "c", [make_result("v", CONV)])
    write_run(tmp_path, "k", [make_result("z", KERAS)])
    merged = merge_files([tmp_path])
    assert list(merged.cases) == ["b", "v", "z", "a"]
    assert merged.adapters == [KERAS, TRANSPOSED, CONV]


# ---- counts ------------------------------------------------------------------------------


def test_adapter_summary_counts_pass_rate_unexpected_and_wall_time(tmp_path):
    results = [
        make_result("c1", TRANSPOSED),
        make_result("c2", TRANSPOSED),
        make_result("c3", TRANSPOSED, "FAIL", expected_status="FAIL"),
        make_result("c4", TRANSPOSED, "ERROR"),
        make_result("c5", TRANSPOSED, "UNSUPPORTED", unsupported_reason="asymmetric padding"),
    ]
    write_run(tmp_path, "t", results, time_start="2025-01-01T10:00:00+00:00", time_end="2025-01-01T10:03:27+00:00")
    [summary] = adapter_summaries(merge_files([tmp_path]))
    assert summary.counts == {
        "PASS": 2,
        "FAIL": 1,
        "ERROR": 1,
        "UNSUPPORTED": 1,
        "CRASH": 0,
        "TIMEOUT": 0,
        "HARNESS": 0,
        "CONFLICT": 0,
    }
    assert (summary.expressible, summary.pass_rate, summary.unexpected) == (4, 0.5, 1)
    assert summary.run_seconds == 207.0
    assert summary.frameworks == ["torch 2.13.0"]


def test_run_time_falls_back_to_the_sum_of_case_durations(tmp_path):
    write_run(
        tmp_path, "t", [make_result("c1", TRANSPOSED, duration_s=0.25), make_result("c2", TRANSPOSED, duration_s=0.5)]
    )
    assert adapter_summaries(merge_files([tmp_path]))[0].run_seconds == 0.75


def test_expressibility_counts_each_reason_per_adapter_most_met_first(tmp_path):
    write_run(
        tmp_path,
        "t",
        [make_result(f"c{i}", TRANSPOSED, "UNSUPPORTED", unsupported_reason="asymmetric padding") for i in range(3)],
    )
    write_run(
        tmp_path,
        "k",
        [
            make_result("c0", KERAS, "UNSUPPORTED", unsupported_reason="asymmetric padding"),
            make_result("c1", KERAS, "UNSUPPORTED", unsupported_reason="groups"),
            make_result("c2", KERAS, "UNSUPPORTED", message="bias: no bias argument"),
        ],
    )
    rows = [(r.reason, r.counts) for r in expressibility(merge_files([tmp_path]))]
    assert rows == [
        ("asymmetric padding", {TRANSPOSED: 3, KERAS: 1}),
        ("bias: no bias argument", {KERAS: 1}),
        ("groups: no groups argument", {KERAS: 1}),  # a vocabulary code gets its words
    ]


@pytest.mark.parametrize(
    "statuses, disagreement",
    [
        (["PASS", "PASS"], False),
        (["UNSUPPORTED", "UNSUPPORTED"], False),
        (["PASS", "UNSUPPORTED"], True),
        (["FAIL"], True),
        (["FAIL", "FAIL"], True),
        (["PASS", "TIMEOUT"], True),
        (["CONFLICT"], True),
        ([], False),
    ],
)
def test_disagreement_rule(statuses, disagreement):
    assert is_disagreement(statuses) is disagreement


# ---- the HTML page -----------------------------------------------------------------------


def test_hostile_case_and_framework_strings_render_as_text(tmp_path):
    hostile = make_result(
        "c1", TRANSPOSED, "FAIL", description=HOSTILE_DESCRIPTION, message=HOSTILE_MESSAGE, tags=["<b>"]
    )
    page, _ = rendered(tmp_path, ("t", [hostile]))
    for raw in ("<script>alert", "<img", "<b>", "\u2028"):
        assert raw not in page
    # the matrix's rows are data for the page's script, escaped for a script element
    assert matrix_of(page)["groups"][0]["rows"][0][1] == HOSTILE_DESCRIPTION
    assert matrix_of(page)["groups"][0]["tags"] == ["<b>"]
    # Only the page's own three script elements end with </script>: the data cannot.
    assert page.count("</script>") == 3
    assert details_of(page)["cases"][0]["description"] == HOSTILE_DESCRIPTION
    assert details_of(page)["results"][0]["message"] == HOSTILE_MESSAGE


def test_json_for_script_escapes_what_could_end_the_element():
    text = json_for_script({"s": "</script><!-- & \u2028\u2029", "n": float("nan"), "i": [float("-inf")]})
    assert text == '{"s":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029","n":"nan","i":["-inf"]}'
    assert json.loads(text)["s"] == "</script><!-- & \u2028\u2029"


def test_csp_allows_exactly_the_inline_style_and_script_by_hash(tmp_path):
    page, _ = rendered(tmp_path, ("t", [make_result("c1", TRANSPOSED)]))
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1)
    [style] = re.findall(r"<style>(.*?)</style>", page, re.S)
    [script] = re.findall(r"<script>(.*?)</script>", page, re.S)

    def sha(text):
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    policy = dict(directive.split(" ", 1) for directive in csp.split("; "))
    assert policy["default-src"] == "'none'"
    assert policy["style-src"] == sha(style)
    assert policy["script-src"] == sha(script)
    assert "unsafe" not in csp
    # Nothing the policy would block: no inline handlers, no style attributes, no remote URLs.
    assert not re.search(r"<[^>]+\s(on[a-z]+|style)=", page)
    assert not re.search(r"(src|href)=\"(https?:)?//", page)


def test_matrix_has_one_row_per_case_with_a_code_per_adapter(tmp_path):
    page, merged = rendered(
        tmp_path,
        ("t", [make_result("c1", TRANSPOSED), make_result("c2", TRANSPOSED, "FAIL")]),
        ("k", [make_result("c1", KERAS, "UNSUPPORTED"), make_result("c2", KERAS, "TIMEOUT"), make_result("c3", KERAS)]),
        ("c", [make_result("v1", CONV, line=9)]),
    )
    rows = [row for group in matrix_of(page)["groups"] for row in group["rows"]]
    # columns: keras, torch conv_transpose, torch conv; '-' n/a, '.' not run
    assert [row[2] for row in rows] == ["UP-", "TF-", "P.-", "--P"]
    assert len(rows) == len(merged.cases)
    assert len(matrix_cells(page)) == merged.n_results == 6
    # each row's first result number: the results with a cell before it
    assert [row[7] for row in rows] == [0, 2, 4, 5]


def test_cell_classes_mark_unexpected_and_known_results(tmp_path):
    page, _ = rendered(
        tmp_path,
        (
            "t",
            [
                make_result("c1", TRANSPOSED, "FAIL"),
                make_result("c2", TRANSPOSED, "FAIL", expected_status="FAIL"),
                make_result("c3", TRANSPOSED, "UNSUPPORTED"),
            ],
        ),
    )
    assert matrix_cells(page) == ["s-FAIL unexp", "s-FAIL known", "s-UNSUPPORTED"]


def test_conflicts_file_errors_and_the_expressibility_rules_are_on_the_page(tmp_path):
    (tmp_path / "zz-corrupt.json").write_text("{", encoding="utf-8")
    page, _ = rendered(
        tmp_path,
        (
            "a",
            [
                make_result("c1", TRANSPOSED, "FAIL"),
                make_result("c2", TRANSPOSED, "UNSUPPORTED", unsupported_reason="groups"),
            ],
        ),
        ("b", [make_result("c1", TRANSPOSED)]),
    )
    assert 'id="file-errors"' in page and f"{tmp_path / 'zz-corrupt.json'}: cannot read results" in page
    assert 'id="conflicts"' in page and "1 conflicting result</h2>" in page
    # the rule in words (the old per-adapter table of counts is gone: the rules replace it)
    assert re.search(r"<strong>no groups argument</strong> <code>groups</code> &middot; 1 case need it &middot; 1 cannot, 0 can", page)
    assert 'id="expressibility"' not in page and 'class="express"' not in page


def test_details_carry_the_result_its_files_and_the_plain_diagnosis(tmp_path):
    failing = make_result(
        "c1",
        TRANSPOSED,
        "FAIL",
        diagnosis="kernel-flipped",
        native={
            "api": "torch.nn.functional.conv_transpose2d",
            "kwargs": {"stride": [2, 2]},
            "text": "f(stride=[2, 2])",
        },
        details={"slice": None, "repro": "#!/usr/bin/env python3\nprint(1)\n", "traceback": None},
        duration_s=0.0123456,
    )
    page, merged = rendered(tmp_path, ("t", [failing]))
    data = details_of(page)
    [entry] = data["results"]
    assert entry["status"] == "FAIL" and entry["diagnosis_text"] == diagnosis.explain("kernel-flipped")
    assert data["files"][entry["src"][0]] == str(tmp_path / "t.json")
    assert entry["details"]["repro"] == "#!/usr/bin/env python3\nprint(1)\n"
    assert entry["native"]["kwargs"] == {"stride": [2, 2]}
    assert entry["duration_s"] == 0.0123
    assert "traceback" not in entry["details"]  # None values are left out


def test_slice_difference_is_computed_before_rounding(tmp_path):
    slice_ = {
        "label": "n=0, c=0",
        "index": [0, 0, 0, 0],
        "origin": [0, 0],
        "expected": [[1.0, 2.0]],
        "actual": [[1.0 + 3e-9, "nan"]],
    }
    page, _ = rendered(tmp_path, ("t", [make_result("c1", TRANSPOSED, "FAIL", details={"slice": slice_})]))
    shown = details_of(page)["results"][0]["details"]["slice"]
    assert shown["actual"] == [[1.0, "nan"]]  # 7 significant digits for display
    assert shown["difference"][0][0] == pytest.approx(3e-9, rel=1e-6)
    assert shown["difference"][0][1] == "nan"


def test_a_large_details_block_is_compressed_and_decodes_to_the_same_data(tmp_path):
    results = [make_result(f"c{i}", TRANSPOSED, "FAIL", message=HOSTILE_MESSAGE) for i in range(3)]
    page, merged = rendered(tmp_path, ("t", results))
    compressed = report_html.render_html(merged, compress_above=0)
    assert 'data-encoding="json"' in page and 'data-encoding="deflate-base85"' in compressed
    block = re.search(r'id="report-data" data-encoding="deflate-base85">(\d+) ([^<>&!/\\"\'-]+)</script>', compressed)
    assert block and len(block.group(2)) == -(-int(block.group(1)) // 4) * 5
    assert details_of(compressed) == details_of(page)


def test_repeated_texts_and_repro_lines_are_stored_once_and_read_back_the_same(tmp_path):
    tensor_line = "x = np.array([[1.0, 2.0]], dtype=np.float64).reshape((1, 2))"
    results = [
        make_result(
            "c1",
            adapter,
            "FAIL",
            message="RuntimeError: same text",
            expectation_reason="the same reason on both",
            native={"api": "f", "kwargs": {"stride": [2, 2]}, "text": f"{adapter}(stride=2)"},
            details={"repro": f"#!/usr/bin/env python3\n# Repro: {adapter}\n{tensor_line}\nprint(1)\n"},
        )
        for adapter in (TRANSPOSED, KERAS)
    ]
    page, _ = rendered(tmp_path, ("t", results[:1]), ("k", results[1:]))
    match = re.search(r'<script type="[^"]+" id="report-data" data-encoding="([^"]+)">(.*?)</script>', page, re.S)
    raw = decode_embedded(match.group(1), match.group(2))
    assert raw["strings"].count(tensor_line) == 1 and raw["strings"].count("RuntimeError: same text") == 1
    assert all(isinstance(entry["details"]["repro"], list) for entry in raw["results"])
    shown = details_of(page)["results"]
    by_adapter = {raw["adapters"][entry["a"]]["name"]: entry for entry in shown}
    for result in results:
        entry = by_adapter[result.adapter]
        assert entry["details"]["repro"] == result.details["repro"]
        assert entry["message"] == result.message and entry["expectation_reason"] == result.expectation_reason
        assert entry["native"] == result.native


def test_page_without_results_says_so(tmp_path):
    page = report_html.render_html(merge_files([tmp_path]))
    assert "No readable results." in page and matrix_of(page)["groups"] == []


# ---- JUnit -------------------------------------------------------------------------------


def test_junit_judges_each_result_against_its_expectation(tmp_path):
    results = [
        make_result("pass", TRANSPOSED, duration_s=0.5),
        make_result("known", TRANSPOSED, "FAIL", expected_status="FAIL", expectation_reason="upstream bug"),
        make_result(
            "new", TRANSPOSED, "FAIL", message="values differ\x1b[31m\x00", details={"repro": "print('repro')"}
        ),
        make_result("stale", TRANSPOSED, expected_status="FAIL"),
        make_result("raised", TRANSPOSED, "ERROR", message="RuntimeError: no"),
        make_result("unsup", TRANSPOSED, "UNSUPPORTED", unsupported_reason="groups"),
    ]
    write_run(tmp_path / "in", "t", results)
    [path] = write_junit(merge_files([tmp_path / "in"]), tmp_path / "junit")
    assert path.name == f"{TRANSPOSED}.xml"
    suite = ET.parse(path).getroot().find("testsuite")
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "6",
        "failures": "2",
        "errors": "1",
        "skipped": "2",
    }
    cases = {tc.get("name"): tc for tc in suite.iter("testcase")}
    assert list(cases["pass"]) == [] and cases["pass"].get("time") == "0.500000"
    assert cases["known"].find("skipped").get("message") == "known FAIL: upstream bug"
    assert cases["unsup"].find("skipped").get("message") == "UNSUPPORTED: groups"
    new = cases["new"].find("failure")
    assert new.get("message") == "expected PASS, got FAIL: values differ\ufffd[31m\ufffd"
    assert "repro script:\nprint('repro')" in new.text
    assert cases["stale"].find("failure").get("message") == "expected FAIL, got PASS: the expectation is stale"
    assert cases["raised"].find("error").get("message") == "expected PASS, got ERROR: RuntimeError: no"
    assert cases["pass"].get("classname") == "cases.t"


def test_junit_file_names_are_safe():
    assert junit_filename("pkg.module:Class/x") == "pkg.module_Class_x.xml"


# ---- Markdown ----------------------------------------------------------------------------


def test_markdown_summary_escapes_and_lists_what_needs_attention(tmp_path):
    (tmp_path / "corrupt.json").write_text("[", encoding="utf-8")
    write_run(
        tmp_path,
        "a",
        [make_result("c1", TRANSPOSED, "FAIL", message="bad | <script>x</script>"), make_result("c2", TRANSPOSED)],
    )
    write_run(tmp_path, "b", [make_result("c2", TRANSPOSED, "ERROR")])
    text = render_markdown(merge_files([tmp_path]), html_path="reports/index.html")
    assert "**2 results did not meet their expectation.**" in text
    assert "<script>" not in text
    assert (
        "| c1 | torch.nn.functional.conv\\_transpose | FAIL | PASS |  | bad \\| &lt;script&gt;x&lt;/script&gt; |"
        in text
    )
    assert "### Conflicting results" in text and "### Results files that could not be read" in text
    assert "| torch.nn.functional.conv\\_transpose | torch 2.13.0 | cpu | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 1 | 2 |" in text


def test_md_keeps_one_line_and_shortens():
    assert md("a\nb*c", limit=200) == "a b\\*c"
    assert md("x" * 300, limit=10) == "x" * 9 + "…"


def test_disagreement_rows_follow_the_rule(tmp_path):
    write_run(
        tmp_path,
        "t",
        [make_result("same", TRANSPOSED), make_result("differ", TRANSPOSED), make_result("fail", TRANSPOSED, "FAIL")],
    )
    write_run(
        tmp_path,
        "k",
        [make_result("same", KERAS), make_result("differ", KERAS, "UNSUPPORTED"), make_result("fail", KERAS, "FAIL")],
    )
    assert [c.id for c in disagreement_rows(merge_files([tmp_path]))] == ["differ", "fail"]


def test_stale_expectations_are_listed_on_the_page_and_in_markdown(tmp_path):
    stale = [
        {
            "adapter": TRANSPOSED,
            "pattern": "pad-*",
            "status": "FAIL",
            "file": "expectations/t.yaml",
            "line": 4,
            "why": "every matching case got PASS, not FAIL",
        }
    ]
    write_run(tmp_path, "t", [make_result("c1", TRANSPOSED)], stale_expectations=stale)
    merged = merge_files([tmp_path])
    line = f"expectations/t.yaml:4: {TRANSPOSED}: 'pad-*' expects FAIL: every matching case got PASS, not FAIL"
    page = report_html.render_html(merged)
    assert f"<li><code>{escape(line)}</code></li>" in page
    assert "<td>1 entries</td>" in page  # the runs table counts them
    assert f"- {md(line, 400)}" in render_markdown(merged).splitlines()


def test_display_values_round_to_seven_digits_and_name_non_finite_values():
    array = np.array([[0.123456789, -1234567.891, 2.5e20, 0.0], [np.nan, np.inf, -np.inf, 5e-324]])
    assert display_values(array) == [[0.1234568, -1234568.0, 2.5e20, 0.0], ["nan", "inf", "-inf", 5e-324]]
    values = np.random.default_rng(0).standard_normal((32, 32)) * 10.0 ** np.arange(-16, 16).reshape(1, -1)
    assert np.ravel(display_values(values)).tolist() == [float(f"{v:.7g}") for v in values.ravel()]


def test_recipes_come_after_the_apis_and_are_marked(tmp_path):
    recipe = "jax.lax.conv_general_dilated.lhs_dilation"
    write_run(tmp_path, "r", [make_result("c1", recipe)], adapter_kind="recipe")
    write_run(tmp_path, "z", [make_result("c1", "zz.api.conv_transpose")], adapter_kind="api")
    merged = merge_files([tmp_path])
    assert merged.adapters == ["zz.api.conv_transpose", recipe] and merged.recipes == {recipe}
    page = report_html.render_html(merged)
    header = page.split('<th scope="col" class="corner">Case</th>')[1].split("</tr>")[0]
    assert header.count('<span class="tag recipe"') == 1 and 'class="a1 recipe"' in header


def test_findings_are_counted_by_framework_and_kind(tmp_path):
    known = dict(expected_status="FAIL", diagnosis="kernel-flipped", expectation_kind="convention")
    write_run(
        tmp_path,
        "t",
        [
            make_result("c1", TRANSPOSED, "FAIL", expectation_reason="flips", **known),
            make_result("c2", TRANSPOSED, "FAIL", expectation_reason="flips", **known),  # the same finding
            make_result("c3", TRANSPOSED, "ERROR", expected_status="ERROR", expectation_reason="refuses",
                        expectation_kind="limitation"),
            make_result("c4", TRANSPOSED, "FAIL", expected_status="PASS"),  # unexpected: no finding
        ],
    )
    [row] = findings_by_kind(merge_files([tmp_path]))
    assert (row.framework, row.counts) == ("torch", {"bug": 0, "convention": 1, "limitation": 1})


def test_short_adapter_labels_cut_middle_parts_and_stay_distinct():
    from conformance.report.display import short_adapter_labels

    names = ["torch.nn.functional.conv_transpose", "paddle.nn.functional.conv@NHWC", "iree.Conv", "a.bx.C", "a.by.C"]
    assert short_adapter_labels(names) == {
        "torch.nn.functional.conv_transpose": "torch.n.f.conv_transpose",
        "paddle.nn.functional.conv@NHWC": "paddle.n.f.conv@NHWC",
        "iree.Conv": "iree.Conv",
        "a.bx.C": "a.bx.C",  # "a.b.C" twice: both keep their names
        "a.by.C": "a.by.C",
    }


def test_the_explainers_scatter_picture_sums_to_the_seed_cases_printed_result():
    import yaml

    from conformance.report import explainer

    from pathlib import Path

    seeds = yaml.safe_load((Path(__file__).resolve().parent.parent / "cases/seeds/d2l.yaml").read_text())
    case = next(c for c in seeds["cases"] if c["id"] == explainer.SEED_CASE)
    assert [[explainer.X]] == case["input"]["values"] and [[explainer.K]] == case["kernel"]["values"]
    _, total = explainer.scatter(explainer.X, explainer.K, explainer.STRIDE)
    assert [[total]] == case["expected"]["values"]
    svg = explainer.scatter_svg()
    assert svg.count("<rect") == 4 * 9 + 9 and "style=" not in svg


def test_findings_and_rules_count_the_cells_they_link_to(tmp_path):
    from conformance.report.views import expressibility_rules, findings, row_ranges

    assert row_ranges({0, 1, 2, 5, 7, 8}) == "0-2,5,7-8" and row_ranges([]) == ""
    page, merged = rendered(
        tmp_path,
        (
            "t",
            [
                make_result("c1", TRANSPOSED, "FAIL", expected_status="FAIL", expectation_kind="bug", expectation_reason="r1"),
                make_result("c2", TRANSPOSED, "FAIL", expected_status="FAIL", expectation_kind="bug", expectation_reason="r1"),
                make_result("c3", TRANSPOSED, "UNSUPPORTED", unsupported_reason="groups"),
            ],
        ),
        ("k", [make_result("c1", KERAS), make_result("c3", KERAS)]),
        ("c", [make_result("v1", CONV, line=9)]),
    )
    [bug] = findings(merged)["bug"]
    assert (bug.reason, bug.cells, bug.adapters, bug.row_text) == ("r1", 2, [TRANSPOSED], "0-1")
    [rule] = expressibility_rules(merged)
    assert rule.code == "groups" and rule.adapters_that("cannot") == [TRANSPOSED]
    assert rule.adapters_that("expressed") == [KERAS] and rule.adapters_that("not met") == [CONV]
    assert f'data-show="{TRANSPOSED}" data-rows="0-1" data-label="bug: ' in page
    assert 'id="explainer"' in page and 'href="#explainer"' in page and "<svg role=\"img\"" in page


def test_a_pass_cell_of_a_small_case_carries_its_values_from_the_case_file(tmp_path, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)  # case files are read relative to the checkout
    page, _ = rendered(
        tmp_path,
        ("t", [make_result("d2l-basic", TRANSPOSED, file="cases/seeds/d2l.yaml", line=11)]),
        ("k", [make_result("missing-case", KERAS, file="cases/no-such-file.yaml")]),
    )
    cases = {case["id"]: case for case in details_of(page)["cases"]}
    values = cases["d2l-basic"]["values"]
    assert values["x"] == {"shape": [1, 1, 2, 2], "values": [0.0, 1.0, 2.0, 3.0]}
    assert values["expected"] == {"shape": [1, 1, 3, 3], "values": [0.0, 0.0, 1.0, 0.0, 4.0, 6.0, 4.0, 12.0, 9.0]}
    assert "b" not in values and "values" not in cases["missing-case"]


def test_the_page_decodes_base85_with_the_alphabet_the_report_writes():
    from conformance.report import safejson

    script = report_html.static_text("report.js")
    assert re.search(r"var BASE85 = '([^']+)';", script).group(1) == safejson.BASE85.decode("ascii")
    for size in (1, 2, 3, 4, 5, 1000):  # padded to whole groups, cut back to the length
        data = {"s": "x" * size, "n": list(range(size))}
        encoding, text = safejson.embed_json(data, compress_above=0)
        assert encoding == "deflate-base85" and safejson.decode_embedded(encoding, text) == data


def test_the_pages_base85_is_the_standard_librarys_in_its_alphabet():
    import base64
    import os

    from conformance.report.safejson import TO_PAGE, page_base85

    for length in (0, 1, 2, 3, 4, 5, 7, 8, 4099):
        data = os.urandom(length)
        assert page_base85(data) == base64.b85encode(data, pad=True).translate(TO_PAGE).decode("ascii")
    # the page's alphabet: 0 is its first character, 84 its last
    assert page_base85(b"\0\0\0\0") == "#####" and page_base85(bytes([0, 0, 0, 84])) == "####~"


LARGE_CASE = "prec-switch-3x3-c32-convT[dtype=float32]"  # 15,104 input and kernel elements


def test_a_pass_cell_of_a_large_case_gets_a_window_of_its_values_and_the_command_of_its_repro(tmp_path, monkeypatch, capsys):
    from conformance.bound import oracle_quantity
    from conformance.loader import load_file
    from conformance.report import pass_repro
    from conformance.report.case_values import WINDOW
    from conformance.report.display import display_number
    from conformance.repro import build_repro

    monkeypatch.chdir(Path(__file__).resolve().parent.parent)  # case files are read relative to the checkout
    case = next(c for c in load_file("cases/precision.yaml").cases if c.id == LARGE_CASE)
    assert case.x.size + case.w.size > pass_repro.INLINE_LIMIT
    page, _ = rendered(tmp_path, ("t", [make_result(LARGE_CASE, TRANSPOSED, file=case.file, line=case.line)]))
    data = details_of(page)
    [entry] = data["results"]
    values = data["cases"][0]["values"]
    # the first plane's first WINDOW x WINDOW of each tensor, with the whole shape
    for name, array in (("x", case.x), ("w", case.w), ("expected", oracle_quantity(case, "output"))):
        window = array[(0,) * (array.ndim - 2)][:WINDOW, :WINDOW]
        assert values[name] == {
            "shape": list(array.shape),
            "window": list(window.shape),
            "values": [display_number(float(v)) for v in window.ravel()],
        }
    # its repro: the command, in the page; what it prints is build_repro's script with the run's versions
    command = data["strings"][entry["pass_repro"]["cmd"]]
    assert entry["pass_repro"]["n"] == case.x.size + case.w.size and "repro" not in data["cases"][0]
    words = shlex.split(command)
    assert words[:3] == ["python", "-m", "conformance.report.pass_repro"]
    assert words[3:] == [case.file, LARGE_CASE, TRANSPOSED, str(tmp_path / "t.json")]
    assert pass_repro.main(words[3:]) == 0
    printed = capsys.readouterr().out.split("\n")
    from conformance.adapters import get_adapter

    adapter = get_adapter(TRANSPOSED)()
    expected = build_repro(
        case, adapter, adapter.express(case), oracle_quantity(case), framework_version="2.13.0",
        reference_abs=oracle_quantity(case, absolute=True),
    ).split("\n")
    framework = next(i for i, line in enumerate(expected) if line.startswith("# framework:"))
    assert printed[framework].startswith("# framework:   torch 2.13.0, numpy ")
    printed[framework] = expected[framework]
    assert printed == expected


def test_a_script_too_large_for_the_page_stays_in_its_results_file_and_its_cell_gets_the_command(tmp_path, capsys):
    from conformance import repro

    small = "import numpy as np\nprint('verdict: FAIL')\n"
    large = "x = unpack(\n" + '    "' + "A" * report_html.REPRO_INLINE_CHARS + '",\n    (1,),\n)\nprint("verdict: FAIL")\n'
    failing = {"status": "FAIL", "expected_status": "FAIL"}
    page, _ = rendered(
        tmp_path,
        (
            "t",
            [
                make_result("small-case", TRANSPOSED, details={"repro": small}, **failing),
                # two gradients of one case in one file: the row id tells them apart
                make_result("large-case", TRANSPOSED, quantity="grad_weight", details={"repro": large}, **failing),
                make_result("large-case", TRANSPOSED, quantity="grad_input", details={"repro": large + "# input\n"}, **failing),
            ],
        ),
    )
    data = details_of(page)
    entries = {(data["cases"][e["c"]]["id"]): expand_result(e, data["strings"]) for e in data["results"]}
    assert entries["small-case"]["details"]["repro"] == small and "stored_repro" not in entries["small-case"]
    assert not any(isinstance(text, str) and "A" * 1000 in text for text in data["strings"])  # no line of them either
    for row_id, script in (("large-case::grad_weight", large), ("large-case::grad_input", large + "# input\n")):
        entry = entries[row_id]
        assert "repro" not in entry.get("details", {}) and entry["stored_repro"]["chars"] == len(script)
        words = shlex.split(entry["stored_repro"]["cmd"])
        assert words == ["python", "-m", "conformance.repro", str(tmp_path / "t.json"), row_id]
        # what the command prints is the results file's script, unchanged
        assert repro.main(words[3:]) == 0
        assert capsys.readouterr().out == script
    # a plain case id still takes the case's first result; a row the file lacks is an error naming the file
    assert repro.main([str(tmp_path / "t.json"), "large-case"]) == 0 and capsys.readouterr().out == large
    assert repro.main([str(tmp_path / "t.json"), "absent"]) == 1
    assert f"{tmp_path / 't.json'}: no result for case 'absent'" in capsys.readouterr().err


def test_repro_lines_of_float_literals_are_stored_as_bytes_and_read_back_exactly():
    from conformance.report import float_lines, safejson

    tricky = np.array([0.1, -0.0, 1e-05, 0.0001, 1e16, 1e15, 5e-324, 1.7976931348623157e308, 3.0000000000000004, 123.0])
    rng = np.random.default_rng(0)
    lines = [
        float_lines.line_text("x", rng.standard_normal((1, 2, 3, 3))),
        float_lines.line_text("w", rng.standard_normal((2, 2, 2, 2)).astype(np.float32).astype(np.float64)),
        float_lines.line_text("expected", np.resize(tricky, (4, 10))),
        float_lines.line_text("v", rng.standard_normal(40)),  # 1-D: its shape is (40,)
        "x = np.array([1.0, 2.0], dtype=np.float64).reshape((2,))",  # short: stays text
        "x = np.array([" + ", ".join(["1.00"] * 60) + "], dtype=np.float64).reshape((60,))",  # not repr's digits
        "x = np.array([" + ", ".join(["nan"] * 60) + "], dtype=np.float64).reshape((60,))",  # not JSON
        "y = np.asarray(y, dtype=np.float64)",
    ]
    strings, planes = float_lines.pack(lines)
    assert [isinstance(s, dict) for s in strings] == [True] * 4 + [False] * 4
    assert strings[3] == {"f": "v", "s": [40]} and len(planes) == 8 * (18 + 16 + 40 + 40)
    assert float_lines.unpack(strings, planes) == lines
    # in the page's data: the compressed block carries them so and decodes to the same strings
    data = {"strings": lines, "results": []}
    encoding, text = safejson.embed_json(data, compress_above=0)
    assert encoding == "deflate-base85-f64" and safejson.decode_embedded(encoding, text) == data
