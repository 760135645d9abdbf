"""The case corpus under cases/: it loads cleanly and covers what each feature file promises.

Every property is computed from the loaded cases (never a hard-coded count per file), so
a file that loses its asymmetric pairs or its odd 'same' crops fails here by name.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from conformance.compare import judge
from conformance.loader import load_paths
from conformance.oracle import InvalidConfiguration, evaluate, resolve

CASES_DIR = Path(__file__).resolve().parent.parent / "cases"
LOADED = load_paths([CASES_DIR])
CASES = LOADED.cases

FEATURE_FILES = (
    "basics.yaml",
    "stride.yaml",
    "padding_explicit.yaml",
    "padding_modes.yaml",
    "output_padding.yaml",
    "output_shape.yaml",
    "dilation.yaml",
    "groups.yaml",
    "dims_1d.yaml",
    "dims_3d.yaml",
    "bias.yaml",
    "batch.yaml",
    "channels.yaml",
    "shapes.yaml",
    "dtypes.yaml",
    "conv_forward.yaml",
    "invalid.yaml",
    "equivalences.yaml",
)
# A file that holds fewer cases than this is a stub, not a feature's coverage.
MIN_CASES_PER_FILE = 4

# All-ones kernels hide a flipped or transposed kernel; only these seed examples need them
# (the tutorials print results for exactly these kernels).
ALL_ONES_KERNEL_ALLOWED = frozenset(
    {
        "deconv-notes-ones-kernel-tf-valid",
        "deconv-notes-ones-kernel-caffe-pad0",
        "tf1-notes-nn-tconv-7-to-14-same",
        "tf1-notes-nn-conv-14-to-7-same",
        "tf1-notes-nn-conv-14-to-4-valid",
        "tf1-notes-nn-tconv-4-to-14-valid",
    }
)


def cases_of(name: str):
    return [case for case in CASES if Path(case.file).name == name]


def valid(cases):
    return [case for case in cases if case.expect == "ok"]


def pad_totals(case) -> list[int]:
    """Per spatial dim, the positions a padding mode adds (conv) or crops (conv_transpose)."""
    return [axis.before + axis.after for axis in resolve(case)]


def kernel_bigger_than_input(case) -> bool:
    return any(k > length for k, length in zip(case.kernel_spatial, case.x.shape[2:]))


# -- the whole corpus ------------------------------------------------------------------------
def test_corpus_loads_without_errors():
    assert [str(error) for error in LOADED.errors] == []


def test_corpus_is_large_enough():
    assert len(CASES) >= 400


def test_ids_are_unique():
    ids = [case.id for case in CASES]
    repeated = sorted({case_id for case_id in ids if ids.count(case_id) > 1})
    assert repeated == []


@pytest.mark.parametrize("name", FEATURE_FILES)
def test_feature_file_is_present_and_not_trivial(name):
    assert (CASES_DIR / name).is_file(), f"cases/{name} is missing"
    assert len(cases_of(name)) >= MIN_CASES_PER_FILE


def test_no_all_ones_kernel_outside_the_allowed_seed_examples():
    ones = {case.id for case in CASES if np.all(case.w == 1)}
    assert ones <= ALL_ONES_KERNEL_ALLOWED, sorted(ones - ALL_ONES_KERNEL_ALLOWED)


def test_most_valid_cases_have_different_input_and_output_channels():
    cases = valid(CASES)
    different = [case for case in cases if case.in_channels != case.out_channels]
    assert len(different) >= 0.8 * len(cases)


def test_every_invalid_case_is_refused_by_the_oracle():
    invalid = [case for case in CASES if case.expect == "error"]
    assert len(invalid) >= 20
    accepted = []
    for case in invalid:
        try:
            evaluate(case)
        except InvalidConfiguration:
            continue
        accepted.append(case.id)
    assert accepted == []


@pytest.mark.parametrize("op", ["conv", "conv_transpose"])
def test_both_ops_cover_every_dims_and_dtype(op):
    cases = [case for case in valid(CASES) if case.op == op]
    assert {case.spatial_dims for case in cases} == {1, 2, 3}
    assert {case.dtype for case in cases} == {"float64", "float32", "float16", "bfloat16"}


# -- feature files ---------------------------------------------------------------------------
def test_basics_cover_one_two_and_three_dims():
    assert {case.spatial_dims for case in cases_of("basics.yaml")} == {1, 2, 3}


def test_stride_file_has_strides_one_to_four_and_per_dim_strides():
    cases = cases_of("stride.yaml")
    assert {s for case in cases for s in case.stride} >= {1, 2, 3, 4}
    assert any(len(set(case.stride)) > 1 for case in cases)
    # Gaps (k < s), exact tiling (k == s) and overlaps (k > s) between kernel copies.
    relations = {np.sign(k - s) for case in cases for k, s in zip(case.kernel_spatial, case.stride)}
    assert relations == {-1, 0, 1}


def test_explicit_padding_file_has_symmetric_and_asymmetric_pairs():
    pairs = [pair for case in cases_of("padding_explicit.yaml") for pair in case.explicit_padding]
    assert any(before == after > 0 for before, after in pairs)
    assert any(before != after for before, after in pairs)
    dims = {case.spatial_dims for case in cases_of("padding_explicit.yaml") if any(b != a for b, a in case.explicit_padding)}
    assert dims == {1, 2, 3}


@pytest.mark.parametrize("mode", ["same", "same_lower"])
@pytest.mark.parametrize("op", ["conv", "conv_transpose"])
def test_padding_modes_have_odd_and_even_totals(op, mode):
    totals = {t for case in valid(CASES) if case.op == op and case.padding == mode for t in pad_totals(case)}
    assert any(t % 2 for t in totals), totals
    assert any(t > 0 and t % 2 == 0 for t in totals), totals


def test_padding_modes_file_sweeps_strides_and_kernels():
    cases = cases_of("padding_modes.yaml")
    assert {case.padding for case in cases} == {"same", "same_lower", "valid"}
    assert {s for case in cases for s in case.stride} >= {1, 2, 3}
    assert {k for case in cases for k in case.kernel_spatial} >= {1, 2, 3, 4, 5}
    # Within one case, one dim cropping an odd count and another an even one.
    assert any(len({t % 2 for t in pad_totals(case)}) == 2 for case in cases if case.padding != "valid")


def test_output_padding_file_covers_dilation_and_the_framework_bounds():
    cases = cases_of("output_padding.yaml")
    with_opad = [(case, i) for case in cases for i, op in enumerate(case.output_padding) if op > 0]
    assert any(case.dilation[i] > 1 for case, i in with_opad)
    # At or beyond the stride (torch allows it below the dilation; MXNet and Keras never).
    assert any(case.output_padding[i] >= case.stride[i] and case.output_padding[i] < case.dilation[i] for case, i in with_opad)
    assert any(case.output_padding[i] >= max(case.stride[i], case.dilation[i]) for case, i in with_opad)
    # Appended positions both read back from the full result and past its end.
    axes = [(resolve(case)[i], case.output_padding[i]) for case, i in with_opad]
    assert any(axis.after >= opad for axis, opad in axes)
    assert any(axis.after < opad for axis, opad in axes)


def tf_accepted_sizes(axis, mode) -> range:
    """The output sizes TF's gradient-of-conv check accepts for one spatial dim (the ranges
    in the header of cases/output_shape.yaml)."""
    L, s = axis.length, axis.stride
    if mode in ("same", "same_lower"):
        return range((L - 1) * s + 1, L * s + 1)
    crop = 0 if mode == "valid" else axis.before + axis.after
    low = axis.full - crop
    return range(low, low + s)


def test_output_shape_file_enumerates_every_tf_size_for_strides_above_one():
    sizes = defaultdict(set)  # per (op geometry of one dim) -> output sizes asked for
    for case in cases_of("output_shape.yaml"):
        mode = case.padding if isinstance(case.padding, str) else "explicit"
        for i, axis in enumerate(resolve(case)):
            pads = None if mode != "explicit" else case.explicit_padding[i]
            key = (mode, axis.length, axis.kernel, axis.stride, axis.dilation, pads)
            sizes[key].add((axis.out, tuple(tf_accepted_sizes(axis, mode))))
    enumerated = 0
    for key, found in sizes.items():
        accepted = set(next(iter(found))[1])
        asked = {out for out, _ in found}
        # A geometry enumerated at all (one size inside TF's range) is enumerated whole.
        if key[3] == 1 or not asked & accepted:
            continue
        assert accepted <= asked, f"{key}: TF accepts {sorted(accepted)}, the file asks {sorted(asked)}"
        enumerated += 1
    assert enumerated >= 10
    modes = {key[0] for key in sizes}
    assert modes == {"same", "same_lower", "valid", "explicit"}
    # And sizes outside TF's range, which only the canonical semantics define.
    outside = [out for found in sizes.values() for out, accepted in found if out not in accepted]
    assert outside


def test_dilation_file_has_several_dilations_per_dim_and_with_stride():
    cases = cases_of("dilation.yaml")
    assert {d for case in cases for d in case.dilation} >= {1, 2, 3, 4}
    assert any(len(set(case.dilation)) > 1 for case in cases)
    assert any(max(case.dilation) > 1 and max(case.stride) > 1 for case in cases)
    assert {case.spatial_dims for case in cases} == {1, 2, 3}


@pytest.mark.parametrize("op", ["conv", "conv_transpose"])
def test_groups_file_has_grouped_and_depthwise_cases(op):
    cases = [case for case in cases_of("groups.yaml") if case.op == op]
    depthwise = [case for case in cases if case.groups == case.in_channels > 1]
    grouped = [case for case in cases if 1 < case.groups < case.in_channels]
    assert depthwise and grouped
    uneven = [case for case in grouped if case.in_channels // case.groups != case.out_channels // case.groups]
    assert uneven
    # A channel multiplier: depthwise with more outputs than inputs.
    assert any(case.out_channels > case.in_channels for case in depthwise)


@pytest.mark.parametrize("name, dims", [("dims_1d.yaml", 1), ("dims_3d.yaml", 3)])
def test_dims_files_hold_only_their_dims_for_both_ops(name, dims):
    cases = cases_of(name)
    assert {case.spatial_dims for case in cases} == {dims}
    assert {case.op for case in cases} == {"conv", "conv_transpose"}
    assert any(isinstance(case.padding, str) for case in cases)
    assert any(case.groups > 1 for case in cases)
    assert any(max(case.dilation) > 1 for case in cases)


def test_bias_file_cases_all_have_bias_for_both_ops():
    cases = cases_of("bias.yaml")
    assert all(case.b is not None for case in cases)
    assert {case.op for case in cases} == {"conv", "conv_transpose"}


def test_batch_file_cases_all_have_batch_above_one():
    cases = cases_of("batch.yaml")
    assert all(case.x.shape[0] > 1 for case in cases)
    assert {case.op for case in cases} == {"conv", "conv_transpose"}


def test_channels_file_has_single_channels_and_both_directions():
    cases = cases_of("channels.yaml")
    assert any(case.in_channels == 1 for case in cases)
    assert any(case.out_channels == 1 for case in cases)
    assert any(case.in_channels > case.out_channels for case in cases)
    assert any(case.in_channels < case.out_channels for case in cases)
    assert max(max(case.in_channels, case.out_channels) for case in cases) == 6


def test_shapes_file_has_non_square_kernels_and_inputs_and_large_kernels():
    cases = cases_of("shapes.yaml")
    assert any(len(set(case.kernel_spatial)) > 1 for case in cases)
    assert any(len(set(case.x.shape[2:])) > 1 for case in cases)
    assert {case.op for case in cases if kernel_bigger_than_input(case)} == {"conv", "conv_transpose"}


def test_dtypes_file_has_each_non_default_dtype_for_both_ops():
    cases = cases_of("dtypes.yaml")
    for op in ("conv", "conv_transpose"):
        assert {case.dtype for case in cases if case.op == op} == {"float64", "float16", "bfloat16"}


def test_conv_forward_file_mirrors_every_padding_form():
    cases = cases_of("conv_forward.yaml")
    assert {case.op for case in cases} == {"conv"}
    assert {case.padding for case in cases if isinstance(case.padding, str)} == {"same", "same_lower", "valid"}
    explicit = [pair for case in cases if case.explicit_padding for pair in case.explicit_padding]
    assert any(b == a > 0 for b, a in explicit) and any(b != a for b, a in explicit)
    assert any(max(case.stride) > 1 for case in cases)
    assert any(max(case.dilation) > 1 for case in cases)
    assert any(case.groups > 1 for case in cases)
    assert {case.spatial_dims for case in cases} == {1, 2, 3}


def test_invalid_file_covers_each_refusal_for_both_ops():
    cases = cases_of("invalid.yaml")
    assert all(case.expect == "error" for case in cases)
    fields = defaultdict(set)
    for case in cases:
        with pytest.raises(InvalidConfiguration) as refused:
            resolve(case)
        fields[case.op].add(refused.value.field)
    assert fields["conv_transpose"] >= {"stride", "dilation", "padding", "groups", "kernel", "output_padding", "output_shape", "bias"}
    assert fields["conv"] >= {"stride", "dilation", "padding", "groups", "kernel", "bias"}


def test_equivalence_cases_match_their_independently_derived_expected_values():
    cases = cases_of("equivalences.yaml")
    assert len(cases) >= 4
    for case in cases:
        assert case.expected is not None, case.id
        verdict = judge(case, case.expected, evaluate(case))
        assert verdict.status == "PASS", f"{case.id}: {verdict.message}"


def test_bilinear_cases_follow_caffes_layer_rules():
    """kernel 2f - f%2, stride f, pad ceil((f-1)/2), group = C_in = C_out, output f*L."""
    bilinear = [case for case in cases_of("equivalences.yaml") if case.id.startswith("bilinear")]
    assert {case.stride[0] for case in bilinear} == {2, 3}
    for case in bilinear:
        f = case.stride[0]
        assert case.kernel_spatial == (2 * f - f % 2,) * 2
        assert case.explicit_padding == ((math.ceil((f - 1) / 2),) * 2,) * 2
        assert case.groups == case.in_channels == case.out_channels
        assert case.expected.shape[2:] == tuple(f * n for n in case.x.shape[2:])
