"""``conformance coverage``: counts per parameter value and per combination on a small corpus.

The fixture corpus is four entries whose every label is worked out by hand in the comments,
so each assertion below is a number a reader can check against the YAML.
"""

from __future__ import annotations

import textwrap

import pytest

from conformance import cli
from conformance.coverage import PAIRS, render_markdown, render_text, tally
from conformance.loader import load_paths

FIXTURE = textwrap.dedent(
    """\
    defaults: {op: conv_transpose, dtype: float32}
    cases:
      # 2D, k=3, C_in 2 != C_out 3. Four cases:
      #   stride 1 same: crop e - s = 2 (even); stride 2 same: crop 1 (odd);
      #   stride 1 and 2 with padding 1: explicit symmetric.
      - id: tconv-2d
        input: {shape: [1, 2, 3, 3], random: {seed: 1}}
        kernel: {shape: [2, 3, 3, 3], random: {seed: 2}}
        sweep: {stride: [1, 2], padding: [same, 1]}

      # 3D, two groups (C_in 4, groups 2: grouped), stride (2, 1, 1) so it counts for
      # stride 2 and stride 1, dilation 2, output_padding 1 in dim 0 only, kernel 2 > input 1
      # in the last dim, batch 2.
      - id: tconv-3d-grouped
        input: {shape: [2, 4, 2, 2, 1], random: {seed: 3}}
        kernel: {shape: [4, 1, 2, 2, 2], random: {seed: 4}}
        groups: 2
        stride: [2, 1, 1]
        dilation: 2
        output_padding: [1, 0, 0]

      # conv, 1D, depthwise (C_in = groups = 3, C_out 3: equal channels), bias, float16,
      # asymmetric padding.
      - id: conv-1d-depthwise
        op: conv
        dtype: float16
        input: {shape: [1, 3, 6], random: {seed: 5}}
        kernel: {shape: [3, 1, 3], random: {seed: 6}}
        bias: {shape: [3], random: {seed: 7}}
        groups: 3
        padding: [[0, 1]]

      # Invalid (stride 0): counted apart, in no table.
      - id: conv-invalid
        op: conv
        expect: error
        input: {shape: [1, 2, 5], random: {seed: 8}}
        kernel: {shape: [3, 2, 3], random: {seed: 9}}
        stride: 0
    """
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("coverage") / "fixture.yaml"
    path.write_text(FIXTURE)
    loaded = load_paths([path])
    assert [str(e) for e in loaded.errors] == []
    return path, loaded


@pytest.fixture(scope="module")
def coverage(corpus):
    return tally(corpus[1].cases)


def test_totals_separate_the_invalid_cases(coverage):
    assert coverage.cases == 7
    assert coverage.valid == 6
    assert dict(coverage.invalid_per_op) == {"conv": 1}


def test_counts_per_value_and_op(coverage):
    assert coverage.count("dims", "2D", "conv_transpose") == 4
    assert coverage.count("dims", "3D", "conv_transpose") == 1
    assert coverage.count("dims", "1D", "conv") == 1
    # The 3D case has strides (2, 1, 1): it counts once for each value.
    assert coverage.count("stride", "1", "conv_transpose") == 3
    assert coverage.count("stride", "2", "conv_transpose") == 3
    assert coverage.count("stride", "1", "conv") == 1
    assert coverage.count("dilation", "2") == 1
    assert coverage.count("kernel size", "2") == 1
    assert coverage.count("kernel size", "3") == 5


def test_padding_forms_split_modes_by_crop_parity(coverage):
    assert coverage.count("padding", "same (even)") == 1
    assert coverage.count("padding", "same (odd)") == 1
    assert coverage.count("padding", "symmetric") == 2
    assert coverage.count("padding", "zero") == 1  # the 3D case
    assert coverage.count("padding", "asymmetric", "conv") == 1
    assert coverage.count("padding", "same_lower (odd)") == 0


def test_groups_bias_batch_dtype_channels_and_kernel_size(coverage):
    assert coverage.count("groups", "1") == 4
    assert coverage.count("groups", "grouped", "conv_transpose") == 1
    assert coverage.count("groups", "depthwise", "conv") == 1
    assert coverage.count("bias", "bias") == 1
    assert coverage.count("batch", ">1") == 1
    assert coverage.count("dtype", "float16", "conv") == 1
    assert coverage.count("dtype", "float32") == 5
    assert coverage.count("channels", "C_in == C_out") == 1
    assert coverage.count("channels", "C_in != C_out") == 5
    assert coverage.count("kernel vs input", "kernel > input") == 1


def test_conv_transpose_only_parameters_skip_conv_cases(coverage):
    assert coverage.count("output_padding", "0") == 5  # the 3D case has 1 and 0
    assert coverage.count("output_padding", "1") == 1
    assert coverage.count("output_padding", "0", "conv") == 0
    assert coverage.count("output_shape", "none") == 5


def test_pairs_count_combinations_and_name_the_gaps(coverage):
    padding_stride = coverage.pairs[("padding", "stride")]
    assert padding_stride[("same (odd)", "2")] == 1
    assert padding_stride[("same (even)", "1")] == 1
    assert padding_stride[("symmetric", "2")] == 1
    assert padding_stride[("zero", "1")] == 1 and padding_stride[("zero", "2")] == 1
    # dilation x output_padding counts conv_transpose cases only: the 3D case is (2, 1) and (2, 0).
    dil_opad = coverage.pairs[("dilation", "output_padding")]
    assert dil_opad[("2", "1")] == 1 and dil_opad[("2", "0")] == 1 and dil_opad[("1", "0")] == 4
    gaps = coverage.uncovered_pairs(("groups", "dims"))
    assert ("depthwise", "2D") in gaps and ("grouped", "3D") not in gaps


def test_uncovered_values_list_domain_values_no_case_reaches(coverage):
    missing = coverage.uncovered_values()
    assert ("dims", "2D", "conv") in missing
    assert ("dtype", "bfloat16", "conv_transpose") in missing
    assert ("stride", "3", "conv") in missing
    assert ("dims", "2D", "conv_transpose") not in missing
    assert not any(name == "output_padding" and op == "conv" for name, _, op in missing)


def test_text_rendering_shows_counts_tables_and_gaps(coverage):
    text = render_text(coverage, files=1)
    lines = text.splitlines()
    assert lines[0] == "7 cases in 1 file: 6 valid, 1 expect: error (conv 1, conv_transpose 0)"
    stride_two = next(line for line in lines if line.split()[:2] == ["stride", "2"])
    assert stride_two.split() == ["stride", "2", "0", "3", "3"]
    opad_one = next(line for line in lines if line.split()[:2] == ["output_padding", "1"])
    assert opad_one.split() == ["output_padding", "1", "n/a", "1", "1"]
    assert sum(line.startswith(f"{a} x {b}") for line in lines for a, b in PAIRS) == len(PAIRS)
    assert "uncovered: " in text and "depthwise x 2D" in text
    assert "Uncovered values: " in lines[-1] and "dims 2D (conv)" in lines[-1]


def test_markdown_rendering_bolds_zero_counts_only(coverage):
    markdown = render_markdown(coverage, files=1)
    assert "| parameter | value | conv | conv_transpose | total |" in markdown
    assert "| stride | 2 | **0** | 3 | 3 |" in markdown
    assert "| padding | zero | **0** | 1 | 1 |" in markdown
    assert "*padding x stride*" in markdown


def test_command_prints_text_and_markdown(corpus, capsys):
    path, _ = corpus
    assert cli.main(["coverage", str(path)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("7 cases in 1 file:")
    assert cli.main(["coverage", "--markdown", str(path)]) == 0
    assert capsys.readouterr().out.startswith("**Coverage**: 7 cases in 1 file:")


def test_command_counts_what_loads_and_fails_on_a_load_error(corpus, tmp_path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text("cases:\n  - id: no-op\n    input: {shape: [1, 1, 3], fill: 1}\n")
    assert cli.main(["coverage", str(corpus[0]), str(broken)]) == 1
    captured = capsys.readouterr()
    assert "broken.yaml" in captured.err
    assert captured.out.startswith("7 cases in 2 files")
