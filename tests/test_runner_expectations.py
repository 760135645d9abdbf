"""Expectation files: parsing, matching (exact id first, then * and ? globs), conditional
outcomes on run properties, strict matching (diagnosis, message), staleness."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from conformance.runner.expectations import (
    CONDITION_PROPERTIES,
    Expectations,
    ExpectationsError,
    glob_regex,
    load_expectations,
    parse_expectations,
)

REPO = Path(__file__).resolve().parents[1]

FILE = """\
# known results
"pad-asym-1-2":
  kind: convention
  reason: "pads the odd crop at the start"
  link: {issue: "https://example.org/issues/1"}
  status: FAIL
  diagnosis: window-shifted(1,0)
"sweep[stride=2,*":
  kind: limitation
  reason: "raises for stride 2"
  status: ERROR
  message: "no kernel for stride"
"pad-*":
  kind: limitation
  reason: "no asymmetric padding"
  link: ~
  status: UNSUPPORTED
"d?l":
  kind: bug
  reason: "segfaults"
  status: CRASH
  message: "SIGSEGV"
"dil-f16[*":
  kind: limitation
  reason: "float16 dilation runs on oneDNN only where the CPU has AVX512-FP16"
  link: {issue: "https://example.org/issues/2", source: "https://example.org/blob/main/x.cc"}
  expected:
    - if: {cpu_has: [avx512_fp16], onednn: true, env: {ONEDNN_MAX_CPU_ISA: null}}
      status: PASS
    - if: {onednn: false}
      status: ERROR
      message: "not yet support dilation"
    - status: ERROR
      message: "could not create a primitive descriptor"
"old-bug":
  kind: bug
  reason: "fixed in 2.20"
  expected:
    - if: {version: "<2.20"}
      status: FAIL
      diagnosis: kernel-flipped
"""

PLAIN = {"cpu_flags": ["avx2", "avx512f"], "build": {"onednn": True}, "env": {}, "framework_version": "2.21.0"}
FP16 = {**PLAIN, "cpu_flags": ["avx2", "avx512f", "avx512_fp16"]}
NO_ONEDNN = {**PLAIN, "build": {"onednn": False}, "env": {"TF_ENABLE_ONEDNN_OPTS": "0"}}
CAPPED = {**FP16, "env": {"ONEDNN_MAX_CPU_ISA": "AVX512_CORE"}}


def entries():
    return Expectations("fake", parse_expectations(FILE, "exp/fake.yaml"), "exp/fake.yaml")


def result(case, status, diagnosis=None, message=""):
    return SimpleNamespace(case=case, status=status, diagnosis=diagnosis, message=message)


def test_fields_and_lines_are_read():
    first, second, third, fourth, fifth, sixth = entries().entries
    assert (first.pattern, first.kind, first.reason) == ("pad-asym-1-2", "convention", "pads the odd crop at the start")
    assert first.link == {"issue": "https://example.org/issues/1"} and first.line == 2
    assert (first.outcomes[0].status, first.outcomes[0].diagnosis) == ("FAIL", "window-shifted(1,0)")
    assert (second.outcomes[0].status, second.outcomes[0].message) == ("ERROR", "no kernel for stride")
    assert third.link == {} and fourth.where() == "exp/fake.yaml:18"
    assert fifth.is_conditional and len(fifth.outcomes) == 3 and set(fifth.link) == {"issue", "source"}
    assert not first.is_conditional and sixth.is_conditional


def test_exact_id_wins_over_an_earlier_matching_glob():
    text = (
        '"pad-*":\n  kind: limitation\n  reason: a\n  status: UNSUPPORTED\n'
        '"pad-1":\n  kind: bug\n  reason: b\n  status: FAIL\n  diagnosis: kernel-flipped\n'
    )
    exp = Expectations("fake", parse_expectations(text, "f.yaml"))
    assert exp.match("pad-1").reason == "b"
    assert exp.match("pad-2").reason == "a"


def test_brackets_are_literal_and_only_star_and_question_mark_are_wildcards():
    exp = entries()
    assert exp.match("sweep[stride=2,dilation=3]").reason == "raises for stride 2"
    assert exp.match("sweep[stride=2]") is None
    # fnmatch would read [s] as a character class and match "sweeps-1":
    assert glob_regex("sweep[s]*").fullmatch("sweep[s]-1")
    assert glob_regex("sweep[s]*").fullmatch("sweeps-1") is None
    assert exp.match("d2l").reason == "segfaults"
    assert exp.match("d22l") is None
    assert glob_regex("a.b").fullmatch("aXb") is None


def test_no_entry_expects_pass_and_a_declared_unsupported_is_its_own_expectation():
    exp = entries()
    assert exp.judge(result("other", "PASS"), PLAIN).met
    failing = exp.judge(result("other", "FAIL", "kernel-flipped"), PLAIN)
    assert not failing.met and failing.expected.status == "PASS" and failing.entry is None
    assert exp.judge(result("other", "UNSUPPORTED"), PLAIN).met


def test_a_fail_with_another_diagnosis_is_unexpected():
    verdict = entries().judge(result("pad-asym-1-2", "FAIL", "kernel-flipped"), PLAIN)
    assert not verdict.met
    assert verdict.problem == "FAIL as expected, but diagnosis kernel-flipped where the entry says window-shifted(1,0)"
    assert entries().judge(result("pad-asym-1-2", "FAIL", "window-shifted(1,0)"), PLAIN).met
    # an adapter returning zeros (unexplained) no longer hides behind a FAIL entry
    assert not entries().judge(result("pad-asym-1-2", "FAIL", "unexplained"), PLAIN).met


def test_an_error_with_another_message_is_unexpected():
    exp = entries()
    assert exp.judge(result("sweep[stride=2,x]", "ERROR", message="RuntimeError: no kernel for stride 2"), PLAIN).met
    other = exp.judge(result("sweep[stride=2,x]", "ERROR", message="KeyError: 'weights'"), PLAIN)
    assert not other.met and other.problem.startswith("ERROR as expected, but the message does not contain 'no kernel for stride'")
    assert not exp.judge(result("d2l", "CRASH", message="killed by SIGABRT"), PLAIN).met


def test_a_message_may_be_any_of_several_patterns():
    text = '"a":\n  kind: bug\n  reason: r\n  status: ERROR\n  message: ["dims == outputs", "getLayerShapes"]\n'
    exp = Expectations("x", parse_expectations(text, "f.yaml"))
    assert exp.judge(result("a", "ERROR", message="error: (-215) inputs[0].dims == outputs[0].dims"), PLAIN).met
    assert exp.judge(result("a", "ERROR", message="error: in getLayerShapesRecursively"), PLAIN).met
    other = exp.judge(result("a", "ERROR", message="error: something else"), PLAIN)
    assert other.problem.startswith("ERROR as expected, but the message does not contain 'dims == outputs' or 'getLayerShapes'")


def test_a_message_pattern_is_also_searched_in_the_whole_error_text():
    exp = entries()
    wrapped = SimpleNamespace(
        case="sweep[stride=2,x]", status="ERROR", diagnosis=None,
        message="InvalidArgumentError: Exception encountered when calling Conv2DTranspose.call().",
        error_text="InvalidArgumentError: Exception encountered when calling Conv2DTranspose.call().\n\n"
        "{{function_node __wrapped__}} no kernel for stride 2 [Op:Conv2DBackpropInput]",
    )
    assert exp.judge(wrapped, PLAIN).met


def test_a_harness_error_never_meets_an_entry():
    assert not entries().judge(result("sweep[stride=2,x]", "HARNESS", message="no kernel for stride"), PLAIN).met


def test_the_first_outcome_whose_condition_holds_wins():
    exp = entries()
    case = "dil-f16[padding=valid]"
    assert exp.judge(result(case, "PASS"), FP16).met
    assert not exp.judge(result(case, "PASS"), PLAIN).met
    assert exp.judge(result(case, "ERROR", message="E: Current CPU does not yet support dilation rates"), NO_ONEDNN).met
    assert exp.judge(result(case, "ERROR", message="E: could not create a primitive descriptor for x"), PLAIN).met
    # AVX512-FP16 present, but the ISA capped: the PASS outcome's env condition does not hold
    assert exp.judge(result(case, "ERROR", message="E: could not create a primitive descriptor"), CAPPED).met


def test_no_outcome_holding_means_pass_expected_and_versions_are_pep440():
    exp = entries()
    assert exp.judge(result("old-bug", "PASS"), PLAIN).met
    old = {**PLAIN, "framework_version": "2.19.1+cpu"}
    assert exp.judge(result("old-bug", "FAIL", "kernel-flipped"), old).met
    assert not exp.judge(result("old-bug", "PASS"), old).met
    # a version text with words around it: its first version number counts
    keras = {**PLAIN, "framework_version": "keras 2.19.0 (tensorflow 2.21.0)"}
    assert exp.judge(result("old-bug", "FAIL", "kernel-flipped"), keras).met


def test_backend_version_reads_the_backend_in_a_keras_version_and_never_holds_elsewhere():
    text = (
        '"sigill":\n  kind: bug\n  reason: r\n  expected:\n'
        '    - if: {backend_version: "==2.18.*"}\n      status: CRASH\n      message: SIGILL\n'
        "    - status: ERROR\n      message: primitive\n"
    )
    exp = Expectations("keras", parse_expectations(text, "f.yaml"), "f.yaml")
    crash = result("sigill", "CRASH", message="killed by SIGILL (signal 4)")
    refused = result("sigill", "ERROR", message="could not create a primitive descriptor")
    on_218 = {**PLAIN, "framework_version": "keras 3.15.1 (tensorflow 2.18.1)"}
    on_220 = {**PLAIN, "framework_version": "keras 3.15.1 (tensorflow 2.20.0)"}
    assert exp.judge(crash, on_218).met and not exp.judge(refused, on_218).met
    assert exp.judge(refused, on_220).met and not exp.judge(crash, on_220).met
    # a framework's own version is not a backend's: TF 2.18.1 itself does not take the first outcome
    assert exp.judge(refused, {**PLAIN, "framework_version": "2.18.1"}).met


def test_stale_entries_unmatched_or_no_result_meets_the_outcome():
    exp = entries()
    results = [
        result("pad-asym-1-2", "PASS"),  # fixed upstream: stale
        result("pad-3", "UNSUPPORTED"),  # as expected
        result("sweep[stride=2,dilation=1]", "ERROR", message="no kernel for stride"),
        result("dil-f16[a]", "PASS"),  # the conditional entry's outcome here is ERROR: stale
        result("old-bug", "PASS"),  # no outcome holds at 2.21.0: PASS expected, met
    ]
    stale = exp.stale(results, PLAIN)
    assert [(s["pattern"], s["why"]) for s in stale] == [
        ("pad-asym-1-2", "every matching case got PASS, not FAIL, diagnosis window-shifted(1,0)"),
        ("d?l", "matched no case in this run"),
        (
            "dil-f16[*",
            "every matching case got PASS, not ERROR, message containing 'could not create a primitive descriptor'"
            " (the outcome chosen on this run's properties)",
        ),
    ]
    assert stale[0]["file"] == "exp/fake.yaml" and stale[0]["line"] == 2
    # the same results on an AVX512-FP16 machine: the conditional entry is met
    assert "dil-f16[*" not in [s["pattern"] for s in exp.stale(results, FP16)]


E = '"a":\n  kind: bug\n  reason: x\n'


@pytest.mark.parametrize(
    "text, message",
    [
        (E + "  status: PASS\n", "f.yaml:4: 'a': status: must be one of FAIL, ERROR, UNSUPPORTED, CRASH, TIMEOUT (got 'PASS')"),
        (E + "  status: HARNESS\n", "f.yaml:4: 'a': status: HARNESS is the suite's own defect and is never expected"),
        ('"a":\n  kind: bug\n  status: TIMEOUT\n', "f.yaml:2: 'a': reason: a known non-PASS result needs a reason"),
        ('"a":\n  reason: x\n  status: TIMEOUT\n', "f.yaml:2: 'a': kind: must be one of bug, convention, limitation (got None)"),
        ('"a":\n  kind: feature\n  reason: x\n  status: TIMEOUT\n', "f.yaml:2: 'a': kind: must be one of bug, convention, limitation (got 'feature')"),
        (E + "  status: FAIL\n", "f.yaml:2: 'a': diagnosis: a FAIL entry pins the diagnosis the suite gives"),
        (E + "  status: FAIL\n  diagnosis: flipped\n", "f.yaml:5: 'a': diagnosis: unknown code 'flipped' (known: "),
        (E + "  status: ERROR\n", "f.yaml:2: 'a': message: a ERROR entry pins a pattern of the framework's message"),
        (E + "  status: ERROR\n  message: x\n  diagnosis: kernel-flipped\n", "f.yaml:6: 'a': diagnosis: only a FAIL has a diagnosis (status ERROR)"),
        (E + "  status: TIMEOUT\n  link: https://x.org/1\n", "f.yaml:5: 'a': link: must say what it is: {issue|pr|doc|source: URL} (got 'https://x.org/1')"),
        (E + "  status: TIMEOUT\n  link: {bug: https://x.org/1}\n", "f.yaml:5: 'a': link: unknown kind 'bug' (known: issue, pr, doc, source)"),
        (E + "  status: TIMEOUT\n  why: y\n", "f.yaml:5: 'a': unknown field 'why' (known: kind, reason, link, status, diagnosis, message, expected)"),
        (E + "  status: TIMEOUT\n" + E + "  status: TIMEOUT\n", "f.yaml:5: 'a': duplicate entry (first at line 1)"),
        ("- a\n- b\n", "f.yaml:1: the file must map case ids or globs to entries"),
        ('"a": FAIL\n', "f.yaml:1: 'a': the entry must be a mapping with kind, reason and status (or expected)"),
        (E + "  status: [FAIL]\n", "f.yaml:4: 'a': status: must be a string"),
        # conditions
        (E + "  expected:\n    - if: {gpu: h100}\n      status: PASS\n", "f.yaml:5: 'a': if: unknown run property 'gpu' (known: "),
        (E + "  expected:\n    - if: {version: '>=two'}\n      status: PASS\n", "f.yaml:5: 'a': if: version: not a PEP 440 version specifier (got '>=two')"),
        (E + "  expected:\n    - if: {onednn: 'yes'}\n      status: PASS\n", "f.yaml:5: 'a': if: onednn: must be true or false (got 'yes')"),
        (E + "  expected:\n    - status: TIMEOUT\n    - status: PASS\n", "f.yaml:5: 'a': expected: only the last outcome may omit 'if'"),
        (E + "  expected:\n    - if: {os: linux}\n      status: SKIP\n", "f.yaml:6: 'a': status: must be one of PASS, FAIL, ERROR, UNSUPPORTED, CRASH, TIMEOUT (got 'SKIP')"),
        (E + "  status: TIMEOUT\n  expected:\n    - status: PASS\n", "f.yaml:4: 'a': status: goes inside each outcome of 'expected', not beside it"),
        (E + "  if: {os: linux}\n  status: TIMEOUT\n", "f.yaml:4: 'a': unknown field 'if' (known: "),
    ],
)
def test_malformed_files_give_one_line_with_file_and_line(text, message):
    with pytest.raises(ExpectationsError) as err:
        parse_expectations(text, "f.yaml")
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(ExpectationsError) as err:
        parse_expectations('"a":\n  status: FAIL\n  reason: "unclosed\n', "f.yaml")
    assert str(err.value) == (
        "f.yaml:4: not valid YAML: found unexpected end of stream (while scanning a quoted scalar started at line 3)"
    )


def test_entries_may_share_one_body_through_yaml_anchors():
    text = '"a": &same\n  kind: bug\n  reason: r\n  status: TIMEOUT\n"b": *same\n'
    first, second = parse_expectations(text, "f.yaml")
    assert (first.pattern, second.pattern, second.reason, second.line) == ("a", "b", "r", 5)


def test_missing_file_means_no_expectations_and_empty_file_is_fine(tmp_path):
    assert load_expectations(tmp_path, "nothing").entries == []
    (tmp_path / "empty.yaml").write_text("# nothing known\n")
    assert load_expectations(tmp_path, "empty").entries == []
    (tmp_path / "x.y.yaml").write_text('"c":\n  kind: bug\n  reason: slow\n  status: TIMEOUT\n')
    loaded = load_expectations(tmp_path, "x.y")
    assert loaded.match("c").outcomes[0].status == "TIMEOUT" and loaded.path == str(tmp_path / "x.y.yaml")


def test_the_schema_knows_the_same_condition_properties_as_the_parser():
    import json

    from conformance.runner.expectations import EXPECTATIONS_SCHEMA_PATH

    schema = json.loads(Path(EXPECTATIONS_SCHEMA_PATH).read_text())
    assert set(schema["$defs"]["condition"]["properties"]) == set(CONDITION_PROPERTIES)


@pytest.mark.parametrize("path", sorted((REPO / "expectations").glob("*.yaml")), ids=lambda p: p.name)
def test_every_expectations_file_of_the_suite_parses_and_meets_the_schema(path):
    import json

    import jsonschema

    from conformance.runner.expectations import EXPECTATIONS_SCHEMA_PATH

    parse_expectations(path.read_text(encoding="utf-8"), str(path))
    schema = json.loads(Path(EXPECTATIONS_SCHEMA_PATH).read_text())
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, schema)
