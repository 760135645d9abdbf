"""conformance.loader: case files -> Case objects, and one exact error line per problem."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest
import yaml

from conformance.loader import (
    MAX_SWEEP_CASES,
    MAX_TENSOR_ELEMENTS,
    NO_VALUE,
    SCHEMA_PATH,
    CaseError,
    find_case_files,
    load_file,
    load_paths,
)
from conformance.loader.schema import compile_schema, fast_check_for, validator_for
from conformance.oracle import evaluate, output_shape

DATA = Path(__file__).resolve().parent / "data"
VALID = DATA / "valid"
MALFORMED = DATA / "malformed"

# Each malformed file: its one error line after "<path>:", and the case that still loads.
MALFORMED_LINES = {
    "syntax_error.yaml": (
        "6: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 5)",
        [],
    ),
    "unknown_field.yaml": (
        "9: case 'strides-typo': strides: unknown field (did you mean 'stride'?) (got 2)",
        ["unknown-field-good"],
    ),
    "wrong_type.yaml": (
        "10: case 'seed-as-text': kernel.random.seed: must be an integer (got 'seven')",
        ["wrong-type-good"],
    ),
    "negative_stride.yaml": (
        "9: case 'negative-stride': stride: spatial dim 1: must be >= 1 (got -1)",
        ["negative-stride-good"],
    ),
    "kernel_channels.yaml": (
        "8: case 'kernel-in-channels-3-for-input-2': kernel: shape must be (C_in=2, C_out/groups, *k) "
        "for conv_transpose (got [3, 3, 2])",
        ["kernel-channels-good"],
    ),
    "groups_not_dividing.yaml": (
        "10: case 'groups-3-for-4-channels': groups: must divide the input channels 4 (got 3)",
        ["groups-not-dividing-good"],
    ),
    "values_shape.yaml": (
        "7: case 'four-values-for-length-3': input.values: nested lists have shape [1, 1, 4], "
        "not the shape [1, 1, 3] (got [[[1, 2, 3, 4]]])",
        ["values-shape-good"],
    ),
    "python_tag.yaml": (
        "8: case 'python-object': kernel: tag not allowed: case files are read with a safe loader, "
        "plain YAML only (got !!python/object/apply:os.system)",
        ["python-tag-good"],
    ),
    "oversize_tensor.yaml": (
        "7: case 'input-of-2-to-the-26': input.shape: a tensor of 67108864 elements is over the limit "
        "of 2**24 = 16777216 (got [64, 16, 256, 256])",
        ["oversize-tensor-good"],
    ),
    "output_too_short.yaml": (
        "6: case 'kernel-longer-than-input': padding: spatial dim 0: output length 0 < 1: padded input 3 "
        "is shorter than the effective kernel 5 (got [0, 0])",
        ["output-too-short-good"],
    ),
}
DUPLICATE_LINE = "6: case 'shared-id': id: is already used at {first}:2"

VALID_IDS = [
    "literal-stride2",
    "generators-1d",
    "normal-3d-conv",
    "bfloat16-rounding",
    "padding-sweep[stride=1,padding=same]",
    "padding-sweep[stride=1,padding=valid]",
    "padding-sweep[stride=1,padding=1]",
    "padding-sweep[stride=1,padding=[[0,1],2]]",
    "padding-sweep[stride=2,padding=same]",
    "padding-sweep[stride=2,padding=valid]",
    "padding-sweep[stride=2,padding=1]",
    "padding-sweep[stride=2,padding=[[0,1],2]]",
    "zero-stride-refused",
    "yml-suffix-conv",
]


def load_text(tmp_path: Path, text: str, name: str = "case.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(path), path.as_posix()


def only_error(result) -> str:
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    return str(result.errors[0])


CASE_BODY = """
    op: conv_transpose
    input:  {shape: [1, 1, 3], arange: true}
    kernel: {shape: [1, 1, 2], fill: 1}
"""


# --- the malformed files: exactly one error each, the rest still loads ---------------------


@pytest.mark.parametrize("name", sorted(MALFORMED_LINES))
def test_malformed_file_gives_its_one_error_line(name):
    path = MALFORMED / name
    line, still_loaded = MALFORMED_LINES[name]
    result = load_paths([path])
    assert [str(e) for e in result.errors] == [f"{path.as_posix()}:{line}"]
    assert [case.id for case in result.cases] == still_loaded


def test_duplicate_ids_across_files_reported_at_the_second_naming_the_first():
    first, second = MALFORMED / "duplicate_a.yaml", MALFORMED / "duplicate_b.yaml"
    result = load_paths([first, second])
    line = DUPLICATE_LINE.format(first=first.as_posix())
    assert [str(e) for e in result.errors] == [f"{second.as_posix()}:{line}"]
    assert [(case.id, case.op) for case in result.cases] == [
        ("shared-id", "conv_transpose"),
        ("duplicate-b-good", "conv_transpose"),
    ]
    # Each file alone is fine: uniqueness is across the set loaded together.
    assert load_file(second).errors == []


def test_malformed_folder_gives_every_line_in_file_order():
    result = load_paths([MALFORMED])
    expected = []
    for path in sorted(MALFORMED.glob("*.yaml")):
        if path.name in MALFORMED_LINES:
            expected.append(f"{path.as_posix()}:{MALFORMED_LINES[path.name][0]}")
        elif path.name == "duplicate_b.yaml":
            expected.append(f"{path.as_posix()}:" + DUPLICATE_LINE.format(first=(MALFORMED / "duplicate_a.yaml").as_posix()))
    assert [str(e) for e in result.errors] == expected
    assert len(result.files) == 12
    assert len(result.cases) == 11


def test_case_error_fields():
    path = MALFORMED / "negative_stride.yaml"
    (error,) = load_paths([path]).errors
    assert error == CaseError(
        path=path.as_posix(), line=9, message="spatial dim 1: must be >= 1", case_id="negative-stride", field="stride", value=-1
    )
    syntax = load_paths([MALFORMED / "syntax_error.yaml"]).errors[0]
    assert (syntax.case_id, syntax.field, syntax.value, syntax.line) == (None, None, NO_VALUE, 6)


def test_python_tag_is_never_executed(tmp_path):
    marker = tmp_path / "was-executed"
    text = f"""cases:
  - id: evil
    op: conv
    input: !!python/object/apply:os.system ["touch {marker.as_posix()}"]
    kernel: {{shape: [1, 1, 1], fill: 1}}
  - id: also-evil
    op: conv
    input: !!python/object/new:builtins.exec ["open('{marker.as_posix()}', 'w')"]
    kernel: {{shape: [1, 1, 1], fill: 1}}
"""
    result, path = load_text(tmp_path, text)
    assert not marker.exists()
    assert [str(e) for e in result.errors] == [
        f"{path}:4: case 'evil': input: tag not allowed: case files are read with a safe loader, plain YAML only "
        "(got !!python/object/apply:os.system)",
        f"{path}:8: case 'also-evil': input: tag not allowed: case files are read with a safe loader, plain YAML only "
        "(got !!python/object/new:builtins.exec)",
    ]


# --- the valid files ------------------------------------------------------------------------


def test_valid_folder_loads_every_case():
    result = load_paths([VALID])
    assert [str(e) for e in result.errors] == []
    assert [case.id for case in result.cases] == VALID_IDS
    assert result.files == [(VALID / "basic.yaml").as_posix(), (VALID / "more.yml").as_posix()]


def test_case_knows_its_file_and_the_line_of_its_id():
    cases = {case.id: case for case in load_paths([VALID]).cases}
    assert (cases["literal-stride2"].file, cases["literal-stride2"].line) == ((VALID / "basic.yaml").as_posix(), 5)
    assert cases["normal-3d-conv"].line == 25
    assert cases["padding-sweep[stride=2,padding=1]"].line == 38
    assert cases["yml-suffix-conv"].line == 2


def test_literal_case_fields():
    case = load_paths([VALID]).cases[0]
    assert case.id == "literal-stride2"
    assert case.op == "conv_transpose"
    np.testing.assert_array_equal(case.x, [[[[0, 1], [2, 3]]]])
    np.testing.assert_array_equal(case.b, [0.5])
    assert (case.stride, case.dilation, case.padding, case.output_padding) == ((2, 2), (1, 1), ((0, 0), (0, 0)), (0, 0))
    assert case.output_shape is None and case.groups == 1 and case.dtype == "float64"
    assert case.tolerance_factor == 2.0
    assert case.description.startswith("d2l 12.10.2") and case.source == "d2l.ai section 12.10"
    assert case.expect == "ok"
    # The golden output in the file is the d2l result + bias: the oracle agrees.
    np.testing.assert_array_equal(evaluate(case), case.expected)


def test_defaults_merge_case_wins_and_tags_concatenate_once():
    cases = {case.id: case for case in load_paths([VALID]).cases}
    assert cases["literal-stride2"].tags == ("loader-test", "stride", "d2l")
    assert cases["generators-1d"].tags == ("loader-test", "stride")
    assert cases["normal-3d-conv"].op == "conv"  # the case's op over the defaults'
    assert cases["literal-stride2"].dtype == "float64"  # from defaults
    assert cases["generators-1d"].dtype == "float32"
    assert cases["yml-suffix-conv"].tags == () and cases["yml-suffix-conv"].dtype == "float32"


def test_spec_is_the_mapping_after_defaults_and_sweep():
    cases = {case.id: case for case in load_paths([VALID]).cases}
    spec = cases["padding-sweep[stride=2,padding=[[0,1],2]]"].spec
    assert spec["id"] == "padding-sweep[stride=2,padding=[[0,1],2]]"
    assert spec["stride"] == 2 and spec["padding"] == [[0, 1], 2]
    assert "sweep" not in spec
    assert spec["op"] == "conv_transpose" and spec["tags"] == ["loader-test", "stride"]
    for case in cases.values():  # plain data: JSON and safe YAML both write it
        json.dumps(case.spec)
        assert type(yaml.safe_load(yaml.safe_dump(dict(case.spec)))) is dict


def test_sweep_expands_in_key_order_with_normalised_parameters():
    sweep = [case for case in load_paths([VALID]).cases if case.id.startswith("padding-sweep")]
    assert len(sweep) == 2 * 4
    assert [(case.stride, case.padding) for case in sweep[:4]] == [
        ((1, 1), "same"),
        ((1, 1), "valid"),
        ((1, 1), ((1, 1), (1, 1))),
        ((1, 1), ((0, 1), (2, 2))),
    ]
    assert {case.stride for case in sweep[4:]} == {(2, 2)}
    assert all(case.line == 38 for case in sweep)


def test_sweep_a_defaulted_field_and_compact_ids(tmp_path):
    result, _ = load_text(
        tmp_path,
        """defaults: {op: conv_transpose, stride: 3, dtype: float64}
cases:
  - id: s
    input:  {shape: [1, 1, 3, 3], arange: true}
    kernel: {shape: [1, 1, 2, 2], fill: 1}
    sweep: {dtype: [float16, bfloat16], stride: [[1, 2], 2], output_shape: [[6, 6]]}
""",
    )
    assert result.errors == []
    assert [case.id for case in result.cases] == [
        "s[dtype=float16,stride=[1,2],output_shape=[6,6]]",
        "s[dtype=float16,stride=2,output_shape=[6,6]]",
        "s[dtype=bfloat16,stride=[1,2],output_shape=[6,6]]",
        "s[dtype=bfloat16,stride=2,output_shape=[6,6]]",
    ]
    assert [case.output_padding for case in result.cases] == [(0, 0)] * 4
    assert [output_shape(case) for case in result.cases] == [(1, 1, 6, 6)] * 4


# --- tensor generators and dtypes ------------------------------------------------------------


def test_uniform_generator_is_default_rng_uniform_rounded_to_the_dtype():
    case = next(c for c in load_paths([VALID]).cases if c.id == "generators-1d")
    drawn = np.random.default_rng(7).uniform(-2, 3, (2, 3, 5))
    np.testing.assert_array_equal(case.x, drawn.astype(np.float32).astype(np.float64))
    assert not np.array_equal(case.x, drawn)  # float32 rounding did happen
    assert case.x.dtype == np.float64


def test_integers_generator_defaults_to_minus_4_to_4():
    case = next(c for c in load_paths([VALID]).cases if c.id == "generators-1d")
    np.testing.assert_array_equal(case.w, np.random.default_rng(8).integers(-4, 5, (3, 2, 3)))
    assert case.w.min() >= -4 and case.w.max() <= 4
    np.testing.assert_array_equal(case.b, [0.25, 0.25])


def test_normal_generator_default_and_with_mean_std():
    case = next(c for c in load_paths([VALID]).cases if c.id == "normal-3d-conv")
    np.testing.assert_array_equal(case.x, np.random.default_rng(11).normal(0, 1, (1, 2, 4, 3, 3)))
    np.testing.assert_array_equal(case.x, np.random.default_rng(11).standard_normal((1, 2, 4, 3, 3)))
    np.testing.assert_array_equal(case.w, np.random.default_rng(12).normal(1, 0.5, (4, 1, 2, 2, 1)))
    assert case.expected is None and case.spec["expected"] == {"shape": [1, 4, 3, 1, 3]}


def test_arange_generator_in_c_order():
    case = next(c for c in load_paths([VALID]).cases if c.id.startswith("padding-sweep"))
    np.testing.assert_array_equal(case.x, [[[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]]])


def test_bfloat16_rounds_to_nearest_even():
    case = next(c for c in load_paths([VALID]).cases if c.id == "bfloat16-rounding")
    # 1 + 2**-8 is halfway between 1 and 1 + 2**-7: ties go to the even mantissa, 1.0;
    # 1 + 3 * 2**-8 is halfway between 1 + 2**-7 and 1 + 2**-6: the even one is 1 + 2**-6.
    assert case.x.tolist() == [[[1.0, 1.015625, -3.0]]]
    assert case.w.tolist() == [[[1.0]]]
    assert case.spec["input"]["values"] == [[[1.00390625, 1.01171875, -3.0]]]


@pytest.mark.parametrize(
    "random, message",
    [
        ("{seed: 1, low: 0}", "input.random.low: is not a parameter of normal (it takes mean, std) (got 0)"),
        ("{seed: 1, distribution: uniform, std: 2}", "input.random.std: is not a parameter of uniform (it takes low, high) (got 2)"),
        ("{seed: 1, distribution: uniform, low: 1, high: 1}", "input.random.high: must be greater than low = 1 (got 1)"),
        ("{seed: 1, distribution: integers, low: 0.5}", "input.random.low: must be an integer for integers (got 0.5)"),
        ("{seed: 1, distribution: gauss}", "input.random.distribution: must be one of normal, uniform, integers (got 'gauss')"),
        ("{distribution: uniform}", "input.random.seed: is required"),
    ],
)
def test_random_parameter_errors(tmp_path, random, message):
    result, path = load_text(
        tmp_path,
        f"""cases:
  - id: r
    op: conv
    input:
      shape: [1, 1, 3]
      random: {random}
    kernel: {{shape: [1, 1, 1], fill: 1}}
""",
    )
    assert only_error(result) == f"{path}:6: case 'r': {message}"


@pytest.mark.parametrize(
    "tensor, line, message",
    [
        ("{shape: [1, 1, 3]}", 4, "input: must be a tensor: shape and exactly one of values, random, arange, fill (got {'shape': [1, 1, 3]})"),
        ("{shape: [1, 1, 3], fill: 1, arange: true}", 4, "input: must be a tensor: shape and exactly one of values, random, arange, fill (got {'shape': [1, 1, 3], 'fill': 1, 'arange': True})"),
        ("{shape: [1, 1, 3], values: [[[1, 2], [3]]]}", 4, "input.values: nested lists are ragged: the lists at one depth must have one length (got [[[1, 2], [3]]])"),
        ("{shape: [1, 1, 3], values: [[[1, yes, 3]]]}", 4, "input.values[0][0][1]: must be a number or a list (got True)"),
        ("{shape: [1, 1, 3], values: [[[1, 1e3, 3]]]}", 4, "input.values[0][0][1]: must be a number or a list (got '1e3')"),
        ("{shape: [1, 1, 3], arange: false}", 4, "input.arange: must be true (got False)"),
        ("{shape: [1, 1.0, 3], arange: true}", 4, "input.shape[1]: must be an integer (got 1.0)"),
        ("{shape: [1, 3], arange: true}", 4, "input.shape: must be (N, C, *spatial) with 1 to 3 spatial dims (got [1, 3])"),
    ],
)
def test_tensor_errors(tmp_path, tensor, line, message):
    result, path = load_text(
        tmp_path,
        f"""cases:
  - id: t
    op: conv
    input: {tensor}
    kernel: {{shape: [1, 1, 1], fill: 1}}
""",
    )
    assert only_error(result) == f"{path}:{line}: case 't': {message}"


def test_memory_limit_is_checked_before_allocating(tmp_path, monkeypatch):
    import conformance.loader.tensors as tensors

    monkeypatch.setattr(tensors.np, "full", lambda *a, **k: pytest.fail("allocated an oversize tensor"))
    result, path = load_text(
        tmp_path,
        """cases:
  - id: huge-kernel
    op: conv
    input:  {shape: [1, 1, 3], arange: true}
    kernel: {shape: [4096, 1, 4097], fill: 1}
""",
    )
    assert only_error(result) == (
        f"{path}:5: case 'huge-kernel': kernel.shape: a tensor of 16781312 elements is over the limit of "
        f"2**24 = {MAX_TENSOR_ELEMENTS} (got [4096, 1, 4097])"
    )


def test_memory_limit_applies_to_the_output(tmp_path):
    result, path = load_text(
        tmp_path,
        """cases:
  - id: huge-output
    op: conv_transpose
    input:  {shape: [1, 1, 4097], arange: true}
    kernel: {shape: [1, 4096, 1], fill: 1}
    stride: 1
""",
    )
    assert only_error(result) == (
        f"{path}:2: case 'huge-output': output: the output of 16781312 elements is over the limit of "
        "2**24 = 16777216 (got [1, 4096, 4097])"
    )


def test_memory_limit_applies_to_the_oracle_scatter_result(tmp_path):
    # A huge stride cropped away again: a small output, a full result of 2**25 elements.
    result, path = load_text(
        tmp_path,
        f"""cases:
  - id: huge-full
    op: conv_transpose
    input:  {{shape: [1, 1, 3], arange: true}}
    kernel: {{shape: [1, 1, 1], fill: 1}}
    stride: {2**24}
    padding: [[{2**24 - 1}, {2**24 - 1}]]
""",
    )
    error = only_error(result)
    assert error.startswith(f"{path}:2: case 'huge-full': output: the oracle's intermediate")
    assert "of 33554433 elements is over the limit" in error


# --- expect: error -------------------------------------------------------------------------


def test_expect_error_keeps_the_invalid_case_as_written():
    case = next(c for c in load_paths([VALID]).cases if c.id == "zero-stride-refused")
    assert case.expect == "error" and case.stride == (0, 1)


def test_expect_error_on_a_valid_configuration_is_an_error(tmp_path):
    result, path = load_text(tmp_path, "cases:\n  - id: not-invalid\n    expect: error" + CASE_BODY)
    assert only_error(result) == f"{path}:3: case 'not-invalid': expect: error, but the configuration is valid (output shape [1, 1, 4])"
    assert result.cases == []


def test_expect_error_with_an_expected_output_is_an_error(tmp_path):
    result, path = load_text(
        tmp_path, "cases:\n  - id: e\n    expect: error\n    stride: 0\n    expected: {shape: [1, 1, 4]}" + CASE_BODY
    )
    assert only_error(result) == f"{path}:5: case 'e': expected: an expect: error case has no output to compare with (got [1, 1, 4])"


def test_sweep_keeps_valid_combinations_and_refuses_invalid_ones(tmp_path):
    result, path = load_text(tmp_path, "cases:\n  - id: s\n    sweep: {stride: [1, 0, 2]}" + CASE_BODY)
    assert [case.id for case in result.cases] == ["s[stride=1]", "s[stride=2]"]
    assert only_error(result) == f"{path}:3: case 's[stride=0]': stride: spatial dim 0: must be >= 1 (got 0)"


def test_expected_shape_must_match_the_output(tmp_path):
    result, path = load_text(tmp_path, "cases:\n  - id: e\n    expected: {shape: [1, 1, 5]}" + CASE_BODY)
    assert only_error(result) == f"{path}:3: case 'e': expected.shape: does not match the output shape [1, 1, 4] (got [1, 1, 5])"


# --- file-level and structural errors --------------------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "1: a case file is a mapping with cases: (a list) and optionally defaults:; the file is empty"),
        ("- id: a\n", "1: a case file is a mapping with cases: (a list) and optionally defaults:; the file holds a list"),
        ("defaults: {op: conv}\n", "1: a case file is a mapping with cases: (a list) and optionally defaults:; no cases: key"),
        ("cases: {id: a}\n", "1: a case file is a mapping with cases: (a list) and optionally defaults:; cases: holds a mapping"),
        ("cases: []\ncase: []\n", "2: unknown top-level key 'case' (a case file is a mapping with cases: (a list) and optionally defaults:)"),
        ("defaults: {stride: x}\ncases: []\n", "1: defaults.stride: must be an int, or a list of ints with one per spatial dim (got 'x')"),
        ("defaults:\n  id: a\ncases: []\n", "2: defaults.id: belongs on each case, not in defaults (got 'a')"),
        ("defaults: [1]\ncases: []\n", "1: defaults: must be a mapping of case fields (got [1])"),
        ("cases:\n  - 3\n", "1: case #1: each entry of cases: is a mapping (- id: ...) (got 3)"),
        ("cases:\n  - op: conv\n", "2: case #1: id: is required"),
        ("cases:\n  - id: bad id\n" + CASE_BODY[1:], "2: case 'bad id': id: must match [A-Za-z0-9_.-]+ (got 'bad id')"),
        ("cases:\n  - id: a\n    op: conv\n    op: conv_transpose\n", "4: case 'a': op: given twice in one mapping (first at line 3)"),
        ("cases:\n  - id: a\n    tolerance: {factor: 0}\n" + CASE_BODY[1:], "3: case 'a': tolerance.factor: must be > 0 (got 0)"),
        ("cases:\n  - id: a\n    sweep: {input: [1]}\n" + CASE_BODY[1:], "3: case 'a': sweep.input: cannot be swept (sweepable: op, dtype, stride, dilation, padding, output_padding, output_shape, groups) (got [1])"),
        ("cases:\n  - id: a\n    stride: 2\n    sweep: {stride: [1, 2]}\n" + CASE_BODY[1:], "4: case 'a': sweep.stride: is also set on the case (stride: ...): set it in one place (got [1, 2])"),
        ("cases:\n  - id: a\n    stride: [1, 2]\n" + CASE_BODY[1:], "3: case 'a': stride: needs 1 entry, one per spatial dim (got [1, 2])"),
        ("cases:\n  - id: a\n    padding: [same]\n" + CASE_BODY[1:], "3: case 'a': padding[0]: must be an int, or a [before, after] pair of ints (got 'same')"),
        ("cases:\n  - id: a\n    bias: {shape: [2], fill: 1}\n" + CASE_BODY[1:], "3: case 'a': bias: shape must be (1,), one per output channel (got [2])"),
    ],
)
def test_structural_errors(tmp_path, text, message):
    result, path = load_text(tmp_path, text)
    assert only_error(result) == f"{path}:{message}"


def test_sweep_over_the_limit(tmp_path):
    values = list(range(1, 66))
    result, path = load_text(tmp_path, f"cases:\n  - id: s\n    sweep: {{stride: {values}, dilation: {values}}}" + CASE_BODY)
    assert only_error(result) == f"{path}:3: case 's': sweep: makes 4225 cases, over the limit of {MAX_SWEEP_CASES}"


def test_unreadable_files_are_errors_not_exceptions(tmp_path):
    (tmp_path / "latin1.yaml").write_bytes("cases: [] # caf\xe9\n".encode("latin-1"))
    result = load_paths([tmp_path, tmp_path / "missing.yaml"])
    assert [str(e) for e in result.errors] == [
        f"{(tmp_path / 'missing.yaml').as_posix()}: no such file or directory",
        f"{(tmp_path / 'latin1.yaml').as_posix()}: is not UTF-8 text (invalid continuation byte at byte 15)",
    ]


def test_anchors_aliases_and_merge_keys(tmp_path):
    result, _ = load_text(
        tmp_path,
        """cases:
  - &base
    id: base
    op: conv_transpose
    input:  &x {shape: [1, 1, 3], random: {seed: 5}}
    kernel: {shape: [1, 1, 2], fill: 1}
  - <<: *base
    id: merged
    stride: 2
  - id: aliased
    op: conv
    input: *x
    kernel: {shape: [1, 1, 2], fill: 1}
""",
    )
    assert result.errors == []
    base, merged, aliased = result.cases
    assert (merged.op, merged.stride, merged.line) == ("conv_transpose", (2,), 7)
    np.testing.assert_array_equal(merged.x, base.x)
    np.testing.assert_array_equal(aliased.x, base.x)


def test_yaml_numbers_read_as_yaml_1_1_does(tmp_path):
    result, _ = load_text(
        tmp_path,
        """cases:
  - id: n
    op: conv
    input:  {shape: [1, 1, 8], values: [[[0x10, 010, 1_000, -0, +7, 1.5, .5, -2.5e+2]]]}
    kernel: {shape: [1, 1, 1], values: [[[.inf]]]}
""",
    )
    assert result.errors == []
    assert result.cases[0].x.tolist() == [[[16.0, 8.0, 1000.0, 0.0, 7.0, 1.5, 0.5, -250.0]]]
    assert result.cases[0].w.tolist() == [[[float("inf")]]]


def test_find_case_files_recurses_sorted_and_skips_hidden(tmp_path):
    for name in ["b/z.yaml", "b/a.yml", "a.yaml", ".hidden/x.yaml", "b/notes.txt", "c/.swap.yaml"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("cases: []\n")
    files, missing = find_case_files([tmp_path, tmp_path / "a.yaml", tmp_path / "nope"])
    assert [p.relative_to(tmp_path).as_posix() for p in files] == ["a.yaml", "b/a.yml", "b/z.yaml"]
    assert missing == [tmp_path / "nope"]


# --- the schema ------------------------------------------------------------------------------


def test_schema_is_draft_2020_12_and_valid_files_pass_it_whole():
    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in sorted(VALID.iterdir()):
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)
    with pytest.raises(jsonschema.ValidationError, match="strides"):
        jsonschema.validate(yaml.safe_load((MALFORMED / "unknown_field.yaml").read_text()), schema)


# Instances around every rule of the schema, valid and not: the compiled predicate
# (fastjsonschema) must answer exactly as jsonschema does on each.
_BASE = {"id": "a", "op": "conv", "input": {"shape": [1, 1, 3], "arange": True}, "kernel": {"shape": [1, 1, 1], "fill": 1}}
SCHEMA_PROBES = [
    {},
    {"stride": "2"}, {"stride": [1, "a"]}, {"stride": 2.0}, {"stride": [1, 2, 3, 4]}, {"stride": []}, {"stride": True},
    {"padding": "sam"}, {"padding": [1, "x"]}, {"padding": [1, [1, 2, 3]]}, {"padding": [1, [1, 2]]}, {"padding": "same_lower"},
    {"strides": 1}, {"id": "a b"}, {"id": 3}, {"id": "ok-id_1.2"}, {"op": "deconv"}, {"dtype": "bfloat16"}, {"dtype": "float8"},
    {"tags": ["a", 1]}, {"tags": ["a", ""]}, {"groups": True}, {"groups": 2}, {"expect": "error"}, {"expect": "maybe"},
    {"tolerance": {"factor": 0}}, {"tolerance": {"factor": 0.5}}, {"tolerance": {}}, {"tolerance": {"factor": 1, "x": 1}},
    {"input": {"shape": [1, 1, 3]}}, {"input": {"shape": [1, 1, 3], "fill": 1, "arange": True}},
    {"input": {"shape": [1, 1, 3], "values": [[["a"]]]}}, {"input": {"shape": [1, 1, 3], "values": [[[1, [2.5, True]]]]}},
    {"input": {"shape": [1, 1, 3], "values": [[[1, 2, 3]]]}}, {"input": {"shape": [1, 1, -3], "arange": True}},
    {"input": {"shape": [1, 1, 3], "random": {"seed": -1}}}, {"input": {"shape": [1, 1, 3], "random": {"seed": 1, "std": -1}}},
    {"input": {"shape": [1, 1, 3], "random": {"seed": 1, "distribution": "uniform", "low": 0, "high": 2}}},
    {"input": {"shape": [], "fill": 1}}, {"input": {"shape": [1, 1, 3], "arange": 1}}, {"input": {"shape": [1, 1, 3], "fill": "1"}},
    {"expected": {"shape": [1, 1, 3]}}, {"expected": {"shape": [1, 1, 3], "fill": 0, "arange": True}}, {"expected": {"fill": 0}},
    {"sweep": {"stride": [1, "x"]}}, {"sweep": {"input": [1]}}, {"sweep": {"padding": ["same", "valid", 1, [1, 2]]}},
    {"sweep": {"stride": [1, 1]}}, {"sweep": {"stride": [1, 1.0]}}, {"sweep": {"groups": [True, 1]}}, {"sweep": {}},
    {"sweep": {"op": ["conv", "conv_transpose"], "dtype": ["float16"]}}, {"sweep": {"stride": []}},
    {"description": 1}, {"source": "x"}, {"bias": {"shape": [1], "values": [1]}}, {"output_shape": [4]}, {"output_padding": -1},
]


@pytest.mark.parametrize("definition", ["completeCase", "case", "defaults"])
def test_compiled_schema_agrees_with_jsonschema(definition):
    check = fast_check_for(definition)
    validator = validator_for(definition)
    instances = [dict(_BASE, **probe) for probe in SCHEMA_PROBES] + [{k: v for k, v in _BASE.items() if k != "id"}]
    instances += [dict(case.spec, id="x") for case in load_paths([VALID]).cases]
    verdicts = [(check(instance), validator.is_valid(instance)) for instance in instances]
    assert [fast for fast, _ in verdicts] == [slow for _, slow in verdicts]
    assert {slow for _, slow in verdicts} == {True, False}  # the probes reach both answers


def test_compiled_schema_refuses_keywords_it_does_not_know():
    with pytest.raises(ValueError, match="'format'"):
        compile_schema({"type": "string", "format": "email"}, {})
    with pytest.raises(ValueError, match="patternProperties"):
        compile_schema({"patternProperties": {"^x": {}}, "additionalProperties": False}, {})
    with pytest.raises(ValueError, match="only local"):
        compile_schema({"$ref": "https://example.org/schema.json"}, {})


def test_compiled_schema_integer_is_strict_and_refs_keep_their_siblings():
    # fastjsonschema takes 2.0 as an integer from draft 6 on; YAML's 2.0 is no stride.
    check = compile_schema({"type": "integer"}, {})
    assert [check(value) for value in (2, 2.0, True, "2")] == [True, False, False, False]
    number = compile_schema({"type": "number", "exclusiveMinimum": 0}, {})
    assert [number(value) for value in (0.5, 2.0, 0, False)] == [True, True, False, False]
    assert [compile_schema({"const": True}, {})(value) for value in (True, 1)] == [True, False]
    # 2020-12 applies the siblings of a $ref (draft 4, 6, 7 ignore them).
    root = {"$defs": {"obj": {"type": "object"}}}
    sibling = compile_schema({"$ref": "#/$defs/obj", "required": ["id"]}, root)
    assert [sibling(value) for value in ({"id": 1}, {}, [])] == [True, False, False]


def test_loading_1000_generated_cases(tmp_path):
    """How long it takes is benchmarks/bench_loader.py's question, not a test's."""
    cases = "\n".join(
        f"""  - id: perf-{i}
    input:  {{shape: [2, 4, 6, 6], random: {{seed: {i}, distribution: uniform}}}}
    kernel: {{shape: [4, 3, 3, 3], random: {{seed: {i + 1000}}}}}
    bias: {{shape: [3], values: [0.5, -1, 2]}}
    stride: [2, 1]
    padding: [[0, 1], 1]"""
        for i in range(1000)
    )
    (tmp_path / "many.yaml").write_text("defaults: {op: conv_transpose, tags: [perf]}\ncases:\n" + cases + "\n")
    result = load_paths([tmp_path])
    assert result.errors == [] and len(result.cases) == 1000
    assert result.cases[999].id == "perf-999" and result.cases[999].x.shape == (2, 4, 6, 6)


def test_pure_python_yaml_gives_the_same_data_and_lines():
    from conformance.loader.yaml_source import LineDict, LineLoader, PureLineLoader, read_yaml

    def lines(value):
        if isinstance(value, LineDict):
            return [value.line, dict(value.key_lines), {k: lines(v) for k, v in value.items()}]
        if isinstance(value, list):
            return [lines(v) for v in value]
        return repr(value)

    for path in [*sorted(VALID.iterdir()), MALFORMED / "python_tag.yaml", MALFORMED / "values_shape.yaml"]:
        fast = read_yaml(path.read_text(), LineLoader)
        pure = read_yaml(path.read_text(), PureLineLoader)
        assert lines(fast[0]) == lines(pure[0]) and fast[1] == pure[1], path.name


def test_nesting_too_deep_is_an_error_not_a_crash(tmp_path):
    deep = "[" * 600 + "1" + "]" * 600  # deeper than Python recursion, within libyaml's limit of 1000
    result, path = load_text(tmp_path, f"cases:\n  - id: a\n    input: {{shape: [1], values: {deep}}}\n")
    assert only_error(result) == f"{path}: nests lists or mappings too deeply to read"
