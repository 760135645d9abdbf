"""Expectation files: parsing, matching (exact id first, then * and ? globs), staleness."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conformance.runner.expectations import (
    Expectations,
    ExpectationsError,
    glob_regex,
    load_expectations,
    parse_expectations,
)

FILE = """\
# known results
"pad-asym-1-2":
  status: FAIL
  reason: "pads the odd crop at the start"
  diagnosis: window-shifted(1,0)
  link: https://example.org/issue/1
"sweep[stride=2,*":
  status: ERROR
  reason: "raises for stride 2"
"pad-*":
  status: UNSUPPORTED
  reason: "no asymmetric padding"
  link: ~
"d?l":
  status: CRASH
  reason: "segfaults"
"""


def entries():
    return Expectations("fake", parse_expectations(FILE, "exp/fake.yaml"), "exp/fake.yaml")


def test_fields_and_lines_are_read():
    first, second, third, fourth = entries().entries
    assert (first.pattern, first.status, first.reason) == ("pad-asym-1-2", "FAIL", "pads the odd crop at the start")
    assert (first.diagnosis, first.link, first.line) == ("window-shifted(1,0)", "https://example.org/issue/1", 2)
    assert (second.line, third.line, fourth.line) == (7, 10, 14)
    assert third.link is None
    assert fourth.where() == "exp/fake.yaml:14"


def test_exact_id_wins_over_an_earlier_matching_glob():
    text = '"pad-*":\n  status: UNSUPPORTED\n  reason: a\n"pad-1":\n  status: FAIL\n  reason: b\n'
    exp = Expectations("fake", parse_expectations(text, "f.yaml"))
    assert exp.match("pad-1").status == "FAIL"
    assert exp.match("pad-2").status == "UNSUPPORTED"


def test_brackets_are_literal_and_only_star_and_question_mark_are_wildcards():
    exp = entries()
    assert exp.match("sweep[stride=2,dilation=3]").status == "ERROR"
    assert exp.match("sweep[stride=2]") is None
    # fnmatch would read [s] as a character class and match "sweeps-1":
    assert glob_regex("sweep[s]*").fullmatch("sweep[s]-1")
    assert glob_regex("sweep[s]*").fullmatch("sweeps-1") is None
    assert exp.match("d2l").status == "CRASH"
    assert exp.match("d22l") is None
    assert glob_regex("a.b").fullmatch("aXb") is None


def test_expected_status_defaults_and_declared_unsupported():
    exp = entries()
    assert exp.expected_status("pad-asym-1-2", "PASS")[0] == "FAIL"
    assert exp.expected_status("other", "FAIL") == ("PASS", None)
    # The adapter's own Unsupported is the expectation: no entry needed.
    assert exp.expected_status("other", "UNSUPPORTED") == ("UNSUPPORTED", None)


def test_stale_entries_unmatched_or_all_results_differ():
    exp = entries()
    results = [
        SimpleNamespace(case="pad-asym-1-2", status="PASS"),  # fixed upstream: stale
        SimpleNamespace(case="pad-3", status="UNSUPPORTED"),  # as expected
        SimpleNamespace(case="pad-4", status="PASS"),  # one differs, another matches: not stale
        SimpleNamespace(case="sweep[stride=2,dilation=1]", status="ERROR"),
    ]
    stale = exp.stale(results)
    assert [(s["pattern"], s["why"]) for s in stale] == [
        ("pad-asym-1-2", "every matching case got PASS, not FAIL"),
        ("d?l", "matched no case in this run"),
    ]
    assert stale[0]["file"] == "exp/fake.yaml" and stale[0]["line"] == 2


@pytest.mark.parametrize(
    "text, message",
    [
        ('"a":\n  status: PASS\n  reason: x\n', "f.yaml:1: 'a': status: must be one of FAIL, ERROR, UNSUPPORTED, CRASH, TIMEOUT (got 'PASS')"),
        ('"a":\n  status: FAIL\n', "f.yaml:1: 'a': reason: a known non-PASS result needs a reason"),
        ('"a":\n  status: FAIL\n  reason: x\n  why: y\n', "f.yaml:4: 'a': unknown field 'why' (known: status, reason, diagnosis, link)"),
        ('"a":\n  status: FAIL\n  reason: x\n"a":\n  status: FAIL\n  reason: y\n', "f.yaml:4: 'a': duplicate entry (first at line 1)"),
        ("- a\n- b\n", "f.yaml:1: the file must map case ids or globs to entries"),
        ('"a": FAIL\n', "f.yaml:1: 'a': the entry must be a mapping with status and reason"),
        ('"a":\n  status: [FAIL]\n  reason: x\n', "f.yaml:2: 'a': status: must be a string"),
    ],
)
def test_malformed_files_give_one_line_with_file_and_line(text, message):
    with pytest.raises(ExpectationsError) as err:
        parse_expectations(text, "f.yaml")
    assert str(err.value) == message


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(ExpectationsError) as err:
        parse_expectations('"a":\n  status: FAIL\n  reason: "unclosed\n', "f.yaml")
    assert str(err.value) == (
        "f.yaml:4: not valid YAML: found unexpected end of stream (while scanning a quoted scalar started at line 3)"
    )


def test_missing_file_means_no_expectations_and_empty_file_is_fine(tmp_path):
    assert load_expectations(tmp_path, "nothing").entries == []
    (tmp_path / "empty.yaml").write_text("# nothing known\n")
    assert load_expectations(tmp_path, "empty").entries == []
    (tmp_path / "x.y.yaml").write_text('"c":\n  status: TIMEOUT\n  reason: slow\n')
    loaded = load_expectations(tmp_path, "x.y")
    assert loaded.match("c").status == "TIMEOUT" and loaded.path == str(tmp_path / "x.y.yaml")
