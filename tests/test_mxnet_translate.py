"""The MXNet adapters' parameter translation: pure integer functions, no mxnet needed."""

from __future__ import annotations

import ast
import itertools
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from conformance.adapters import get_adapter
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.canonical import full_transpose_length
from conformance.adapters.mxnet_api import (
    ADAPTERS,
    GluonConv,
    GluonConvTranspose,
    NdConvolution,
    NdDeconvolution,
    NdDeconvolutionTargetShape,
    convolution_pad,
    crops_more_at_the_end,
    deconvolution_output_length,
    deconvolution_pad_adj,
    deconvolution_target_shape,
    infer_pad_from_target,
    onednn_switch,
)
from conformance.case import Case
from conformance.oracle import resolve
from conformance.vocabulary import is_reason


def transpose_case(shape=(5,), kernel=(3,), c_in=2, c_out=3, **params) -> Case:
    x = np.zeros((1, c_in, *shape))
    w = np.zeros((c_in, c_out, *kernel))
    return Case.make("t", "conv_transpose", x, w, dtype="float64", **params)


def conv_case(shape=(5,), kernel=(3,), c_in=2, c_out=3, **params) -> Case:
    x = np.zeros((1, c_in, *shape))
    w = np.zeros((c_out, c_in, *kernel))
    return Case.make("c", "conv", x, w, dtype="float64", **params)


# -- MXNet's output-size models -----------------------------------------------------------
@pytest.mark.parametrize(
    "length, kernel, stride, dilation, pad, adj, expected",
    [
        (2, 2, 1, 1, 0, 0, 3),  # d2l 12.10.1: 2x2 -> 3x3
        (2, 2, 1, 1, 1, 0, 1),  # d2l 12.10.2 padding=1 -> [[4]]
        (2, 2, 2, 1, 0, 0, 4),  # d2l 12.10.2 strides=2 -> 4x4
        (5, 3, 2, 2, 1, 1, 12),  # 2*4 + 2*2 + 1 - 2 + 1
    ],
)
def test_deconvolution_output_length_is_mxnets_formula(length, kernel, stride, dilation, pad, adj, expected):
    assert deconvolution_output_length(length, kernel, stride, dilation, pad, adj) == expected


def test_deconvolution_output_length_without_pad_and_adj_is_the_canonical_full_length():
    assert deconvolution_output_length(5, 3, 2, 1, 0, 0) == full_transpose_length(5, 3, 2, 1) == 11
    assert deconvolution_output_length(4, 2, 3, 3, 0, 0) == full_transpose_length(4, 2, 3, 3) == 13


@pytest.mark.parametrize(
    "length, kernel, stride, dilation, target, expected",
    [
        (3, 3, 2, 1, 7, (0, 0)),  # crop 0
        (3, 3, 2, 1, 6, (1, 1)),  # odd crop 1: pad 1 before, adj gives one back at the end
        (3, 3, 2, 1, 5, (1, 0)),  # even crop 2
        (3, 3, 2, 1, 4, (2, 1)),  # odd crop 3: 2 before, 1 after
        (4, 2, 1, 1, 4, (1, 1)),  # odd crop at stride 1: adj 1, which MXNet's check refuses
    ],
)
def test_infer_pad_from_target_puts_the_odd_crop_first(length, kernel, stride, dilation, target, expected):
    pad, adj = infer_pad_from_target(length, kernel, stride, dilation, target)
    assert (pad, adj) == expected
    assert deconvolution_output_length(length, kernel, stride, dilation, pad, adj) == target


@pytest.mark.parametrize(
    "length, kernel, stride, dilation, same, same_lower",
    [
        (5, 3, 1, 1, (1,), (1,)),  # total 2
        (5, 4, 1, 1, (1, 2), (2, 1)),  # total 3: odd, the extra zero after ('same') or before
        (5, 3, 1, 2, (2,), (2,)),  # total 4 (dilated kernel 5)
        (5, 3, 2, 1, (1,), (1,)),  # O = 3: total 2
        (6, 3, 2, 1, (0, 1), (1, 0)),  # O = 3: total 1
        (4, 1, 3, 1, (0,), (0,)),  # total 0
    ],
)
def test_convolution_pad_of_same_is_half_the_canonical_total(length, kernel, stride, dilation, same, same_lower):
    """A tuple of one is MXNet's pad; a pair (before, after) is declined as asymmetric."""
    for mode, expected in (("same", same), ("same_lower", same_lower)):
        case = conv_case(shape=(length,), kernel=(kernel,), stride=stride, dilation=dilation, padding=mode)
        result = convolution_pad(case)
        if len(expected) == 1:
            assert result == expected
        else:
            assert isinstance(result, Unsupported) and result.reason == "asymmetric-padding"
            assert result.detail == f"spatial dim 0: padding {mode} needs before={expected[0]}, after={expected[1]}"


# -- Convolution pad ----------------------------------------------------------------------
def test_convolution_pad_symmetric_explicit_and_valid():
    assert convolution_pad(conv_case(shape=(5, 6), kernel=(3, 3), padding=[1, 2])) == (1, 2)
    assert convolution_pad(conv_case(shape=(5, 6), kernel=(3, 3), padding="valid")) == (0, 0)


def test_convolution_pad_same_with_even_total():
    # L=5, k=3: total 2 -> 1 on each side; L=6, k=5, dilation 1: total 4 -> 2
    assert convolution_pad(conv_case(shape=(5, 6), kernel=(3, 5), padding="same")) == (1, 2)


@pytest.mark.parametrize("padding", ["same", "same_lower", [[1, 0]], [[0, 2]]])
def test_convolution_pad_asymmetric_is_unsupported(padding):
    # L=5, k=4: 'same' total 3 is odd
    result = convolution_pad(conv_case(shape=(5,), kernel=(4,), padding=padding))
    assert isinstance(result, Unsupported)
    assert result.reason == "asymmetric-padding"
    assert "pad" in result.doc


def test_convolution_pad_passes_an_invalid_stride_through():
    # expect: error cases must reach MXNet; 'same' with stride 0 has no window, so pad 0
    assert convolution_pad(conv_case(stride=0, padding="same")) == (0,)


# -- Deconvolution pad/adj ----------------------------------------------------------------
def test_deconvolution_explicit_symmetric_with_output_padding():
    case = transpose_case(shape=(4, 4), kernel=(3, 3), stride=2, padding=[1, 0], output_padding=[1, 0])
    assert deconvolution_pad_adj(case) == ((1, 0), (1, 0))


def test_deconvolution_output_shape_becomes_adj():
    # full = 2*3 + 3 = 9, pad 1 -> 7; output_shape 8 -> adj 1
    case = transpose_case(shape=(4,), kernel=(3,), stride=2, padding=1, output_shape=[8])
    assert deconvolution_pad_adj(case) == ((1,), (1,))


@pytest.mark.parametrize(
    "params, expected",
    [
        (dict(stride=2, output_padding=2), ((0,), (2,))),
        (dict(stride=1, padding=1, output_shape=[6]), ((1,), (1,))),
        (dict(stride=2, padding="valid", output_shape=[13]), ((0,), (2,))),
    ],
)
def test_deconvolution_adj_at_or_above_stride_is_asked(params, expected):
    # MXNet has the adj parameter and checks adj < stride itself: its refusal is the result
    assert deconvolution_pad_adj(transpose_case(**params)) == expected


@pytest.mark.parametrize(
    "padding, output_padding, stride, expected",
    [
        ([[1, 0]], 0, 2, ((1,), (1,))),  # pad 1, adj 1 re-appends the one cropped at the end
        ([[2, 1]], 1, 3, ((2,), (2,))),  # adj = before - after + output_padding
        ([[0, 1]], 1, 2, ((0,), (0,))),  # the end crop and output_padding cancel
    ],
)
def test_deconvolution_crop_heavier_at_the_start_is_pad_plus_adj(padding, output_padding, stride, expected):
    case = transpose_case(stride=stride, padding=padding, output_padding=output_padding)
    assert deconvolution_pad_adj(case) == expected


def test_deconvolution_crop_heavier_at_the_end_is_unsupported():
    result = deconvolution_pad_adj(transpose_case(stride=2, padding=[[0, 1]]))  # adj would be -1
    assert isinstance(result, Unsupported) and result.reason == "asymmetric-padding"
    assert result.doc.startswith("https://mxnet.apache.org/")


def test_deconvolution_crop_heavier_at_the_start_at_stride_1_is_asked():
    # pad 1 + adj 1 says it; MXNet's adj < stride check refuses adj 1 at stride 1 itself
    assert deconvolution_pad_adj(transpose_case(stride=1, padding=[[1, 0]])) == ((1,), (1,))


def test_deconvolution_odd_crop_of_same_is_unsupported_and_of_same_lower_is_adj():
    # L=3, k=3, s=2: full 7, O 6, crop 1: 'same' crops it at the end, 'same_lower' at the start
    result = deconvolution_pad_adj(transpose_case(shape=(3,), kernel=(3,), stride=2, padding="same"))
    assert isinstance(result, Unsupported) and result.reason == "asymmetric-padding"
    assert "starts 0 into the full result and is 6 long" in result.detail
    assert deconvolution_pad_adj(transpose_case(shape=(3,), kernel=(3,), stride=2, padding="same_lower")) == ((1,), (1,))


def test_deconvolution_output_shape_contradicting_output_padding_is_unsupported():
    # stride 3, pad 1: full 12 - 2 = 10; output_shape 12 implies output_padding 2, the case says 1
    case = transpose_case(shape=(4,), stride=3, padding=1, output_padding=1, output_shape=[12], expect="error")
    for result in (deconvolution_pad_adj(case), deconvolution_target_shape(case)):
        assert isinstance(result, Unsupported) and result.reason == "output-shape-with-output-padding"
    agreeing = transpose_case(shape=(4,), stride=3, padding=1, output_padding=2, output_shape=[12])
    assert deconvolution_pad_adj(agreeing) == ((1,), (2,))


def test_deconvolution_3d_dilation_is_asked():
    # MXNet's shape function refuses it ("Dilate is not supported in 3d deconvolution"): asked, not predicted
    case = transpose_case(shape=(3, 3, 3), kernel=(2, 2, 2), dilation=[1, 1, 2])
    assert deconvolution_pad_adj(case) == ((0, 0, 0), (0, 0, 0))
    valid = transpose_case(shape=(3, 3, 3), kernel=(2, 2, 2), dilation=[1, 1, 2], padding="valid")
    assert deconvolution_target_shape(valid) == (4, 4, 5)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_output_padding_with_a_mode_is_unsupported(padding):
    # an invalid case MXNet cannot be asked: it has pad and adj, no padding modes
    case = transpose_case(shape=(3,), kernel=(3,), stride=2, padding=padding, output_padding=1, expect="error")
    for result in (deconvolution_pad_adj(case), deconvolution_target_shape(case)):
        assert isinstance(result, Unsupported)
        assert result.reason == "output-padding-with-padding-mode"


def test_deconvolution_passes_invalid_values_through():
    # expect: error cases: stride 0, negative padding, negative output_padding and an output_shape
    # below the window reach MXNet unchanged (its answer is the result)
    assert deconvolution_pad_adj(transpose_case(stride=0, padding="same")) == ((0,), (0,))
    assert deconvolution_pad_adj(transpose_case(padding=-1)) == ((-1,), (0,))
    assert deconvolution_pad_adj(transpose_case(stride=2, padding=1, output_padding=-1)) == ((1,), (-1,))
    # L=5, k=3, s=2: full 11, pad 1 -> 9; output_shape 8 implies output_padding -1
    assert deconvolution_pad_adj(transpose_case(stride=2, padding=1, output_shape=[8])) == ((1,), (-1,))


@pytest.mark.parametrize(
    "params, expected",
    [
        (dict(padding=[[0, 1]]), True),
        (dict(padding=[[1, 0]]), False),
        (dict(padding=1, output_padding=-1), False),  # symmetric: a negative output_padding is the case's own value
        (dict(shape=(3,), stride=2, padding="same"), True),  # crop 1 of the full 7: 0 before, 1 after
        (dict(shape=(3,), stride=2, padding="same_lower"), False),
        (dict(padding="valid"), False),
    ],
)
def test_crops_more_at_the_end(params, expected):
    assert crops_more_at_the_end(transpose_case(**params), 0) is expected


def random_transpose_cases():
    """Every small 1D configuration with each padding form, output_padding and output_shape."""
    for length, kernel, stride, dilation in itertools.product([1, 3, 4], [1, 2, 3], [1, 2, 3], [1, 2]):
        forms = [dict(padding=p) for p in (0, 1, 2, [[1, 0]], "same", "same_lower", "valid")]
        forms += [dict(padding=p, output_padding=1) for p in (0, 1)]
        forms += [dict(padding=p, output_shape=[length * stride + o]) for p in (1, "same", "valid") for o in (-1, 0, 1)]
        for form in forms:
            case = transpose_case(shape=(length,), kernel=(kernel,), stride=stride, dilation=dilation, **form)
            try:
                axis = resolve(case)[0]
            except ValueError:  # InvalidConfiguration: not a valid case
                continue
            yield case, axis


def test_deconvolution_pad_adj_gives_the_canonical_window():
    """Wherever it is expressed, MXNet's window (start pad, length O) is the oracle's."""
    expressed = 0
    for case, axis in random_transpose_cases():
        result = deconvolution_pad_adj(case)
        if isinstance(result, Unsupported):
            continue
        (pad,), (adj,) = result
        length, kernel = case.x.shape[2], case.kernel_spatial[0]
        assert pad == axis.before, case
        assert deconvolution_output_length(length, kernel, case.stride[0], case.dilation[0], pad, adj) == axis.out, case
        assert adj >= 0, case  # a valid case never needs a negative adj; adj >= stride is MXNet's to refuse
        expressed += 1
    assert expressed > 100


def test_deconvolution_declines_only_with_vocabulary_reasons():
    results = [deconvolution_pad_adj(case) for case, _ in random_transpose_cases()]
    reasons = {result.reason for result in results if isinstance(result, Unsupported)}
    assert reasons == {"asymmetric-padding"}
    assert all(is_reason(reason) for reason in reasons)


def test_target_shape_window_is_canonical_except_the_odd_crop_of_same():
    """MXNet's own pad choice matches the oracle's window, or it is the 'same' odd crop."""
    shifted = matched = 0
    for case, axis in random_transpose_cases():
        result = deconvolution_target_shape(case)
        if isinstance(result, Unsupported):
            continue
        (target,) = result
        assert target == axis.out, case
        geometry = (case.x.shape[2], case.kernel_spatial[0], case.stride[0], case.dilation[0])
        if target > full_transpose_length(*geometry):
            continue  # MXNet refuses it itself ("too big target shape")
        pad, adj = infer_pad_from_target(*geometry, target)
        if pad == axis.before:
            matched += 1
        else:
            assert case.padding == "same" and pad == axis.before + 1, case
            shifted += 1
    assert matched > 50 and shifted > 5


# -- target_shape -------------------------------------------------------------------------
def test_target_shape_is_the_canonical_size_of_a_mode():
    assert deconvolution_target_shape(transpose_case(shape=(4, 3), kernel=(3, 2), stride=2, padding="same")) == (8, 6)
    assert deconvolution_target_shape(transpose_case(shape=(4,), kernel=(3,), stride=2, padding="valid")) == (9,)
    case = transpose_case(shape=(4,), kernel=(4,), stride=2, padding="same_lower", output_shape=[9])
    assert deconvolution_target_shape(case) == (9,)


def test_target_shape_with_explicit_padding_only_when_mxnets_pad_is_the_cases():
    # full 9; pad 1, output_shape 8: crop 1 -> MXNet pads ceil(1/2) = 1 before: the case's
    assert deconvolution_target_shape(transpose_case(shape=(4,), stride=2, padding=1, output_shape=[8])) == (8,)
    # pad 2 + output_shape 8: crop 1 -> MXNet would pad 1 before, the case 2
    result = deconvolution_target_shape(transpose_case(shape=(4,), stride=2, padding=2, output_shape=[8]))
    assert isinstance(result, Unsupported) and result.reason == "output-shape-with-explicit-padding"
    assert "MXNet would crop 1 before, the case crops 2" in result.detail


def test_target_shape_refuses_plain_explicit_padding():
    result = deconvolution_target_shape(transpose_case(padding=1, output_padding=0))
    assert isinstance(result, Unsupported) and result.reason == "explicit-padding"


def test_target_shape_above_the_full_length_is_asked():
    # k=1, s=2, L=4: full 7 < 'same' O 8: MXNet refuses it itself ("too big target shape")
    assert deconvolution_target_shape(transpose_case(shape=(4,), kernel=(1,), stride=2, padding="same")) == (8,)
    # with explicit padding too: MXNet picks no pad for it, so there is none to compare
    explicit = transpose_case(shape=(4,), kernel=(1,), stride=2, padding=0, output_shape=[8])
    assert deconvolution_target_shape(explicit) == (8,)


def test_target_shape_odd_crop_at_stride_1_is_asked():
    # L=5, k=4, s=1: full 8, 'same' O 5, crop 3: InferPad's adj 1 meets MXNet's own adj < stride check
    assert deconvolution_target_shape(transpose_case(shape=(5,), kernel=(4,), padding="same")) == (5,)


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, True), ("1", True), ("true", True), ("TRUE", True),
        ("0", False), ("false", False), ("False", False), ("no", None),
    ],
)
def test_onednn_switch_reads_mxnet_mkldnn_enabled_as_mxnet_does(value, expected):
    assert onednn_switch(value) is expected


# -- the adapters' calls ------------------------------------------------------------------
def d2l_case(**params) -> Case:
    x = np.array([[[[0.0, 1.0], [2.0, 3.0]]]])
    return Case.make("d2l", "conv_transpose", x, x.copy(), dtype="float32", **params)


def test_gluon_conv_transpose_call_is_d2ls_layer():
    call = GluonConvTranspose().express(d2l_case(stride=2, padding=1))
    assert isinstance(call, NativeCall)
    assert call.api == "mx.gluon.nn.Conv2DTranspose"
    assert call.kwargs == {
        "channels": 1,
        "kernel_size": [2, 2],
        "strides": [2, 2],
        "padding": [1, 1],
        "output_padding": [0, 0],
        "dilation": [1, 1],
        "groups": 1,
        "layout": "NCHW",
        "in_channels": 1,
        "use_bias": False,
    }
    assert (call.input_layout, call.kernel_layout) == ("NCHW", "IOHW")


def test_nd_deconvolution_call():
    case = transpose_case(shape=(4,), kernel=(3,), c_in=4, c_out=3, stride=2, padding=1, output_padding=1, groups=2)
    call = NdDeconvolution().express(case)
    assert call.api == "mx.nd.Deconvolution"
    assert call.kwargs == {
        "kernel": [3],
        "stride": [2],
        "dilate": [1],
        "pad": [1],
        "adj": [1],
        "num_filter": 6,
        "num_group": 2,
        "no_bias": True,
        "layout": "NCW",
    }


def test_nd_deconvolution_target_shape_call_has_no_pad():
    call = NdDeconvolutionTargetShape().express(transpose_case(shape=(3, 3), kernel=(3, 3), stride=2, padding="same"))
    assert call.kwargs["target_shape"] == [6, 6]
    assert "pad" not in call.kwargs and "adj" not in call.kwargs


def test_conv_calls():
    case = conv_case(shape=(5, 5, 5), kernel=(3, 3, 3), c_in=4, c_out=6, padding="same", groups=2, dilation=[1, 2, 1])
    nd_call = NdConvolution().express(case)
    assert nd_call.kwargs["pad"] == [1, 2, 1] and nd_call.kwargs["num_filter"] == 6 and nd_call.kwargs["layout"] == "NCDHW"
    gluon_call = GluonConv().express(case)
    assert gluon_call.api == "mx.gluon.nn.Conv3D"
    assert gluon_call.kwargs["padding"] == [1, 2, 1] and gluon_call.kwargs["in_channels"] == 4


@pytest.mark.parametrize("adapter_class", ADAPTERS, ids=lambda cls: cls.name)
def test_adapters_are_registered_with_their_identity(adapter_class):
    assert get_adapter(adapter_class.name) is adapter_class
    assert adapter_class.framework == "mxnet" and adapter_class.module == "mxnet"
    assert adapter_class.dtypes == {"float64", "float32", "float16", "bfloat16"}


@pytest.mark.parametrize("adapter_class", ADAPTERS, ids=lambda cls: cls.name)
@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_repro_source_spells_out_the_call(adapter_class, dtype, bias):
    """The rendered call is what the run executes and the repro embeds: it reads only the
    case's ``x``, ``w``, ``b`` and ``dtype``, spells the native call out literally, and reads
    MXNet's asynchronous result back as its last step (so an error surfaces inside it)."""
    params = (
        dict(shape=(4, 4), kernel=(4, 4), stride=2, padding="same")
        if adapter_class.op == "conv_transpose"
        else dict(shape=(4, 4), kernel=(3, 3), padding=1)
    )
    shape, kernel = params.pop("shape"), params.pop("kernel")
    x = np.zeros((1, 2, *shape))
    w = np.zeros((2, 3, *kernel) if adapter_class.op == "conv_transpose" else (3, 2, *kernel))
    case = Case.make("r", adapter_class.op, x, w, np.zeros(3) if bias else None, dtype=dtype, **params)
    adapter = adapter_class()
    call = adapter.express(case)
    source = adapter.repro_source(case, call)
    tree = ast.parse(source)
    assert "conformance" not in source
    assert ("Conv2D" if "gluon" in adapter_class.name else adapter_class.name.split(".")[2]) in source
    assert f"{'kernel_size' if 'gluon' in adapter_class.name else 'kernel'}={kernel}" in source  # a literal tuple
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    imported = {alias.asname or alias.name for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names}
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    assert loaded - stored - imported <= {"x", "w", "b", "dtype"}
    assert ("b" in loaded) is bias and ("bias=bias" in source or "bias.set_data(bias)" in source) is bias
    last = source.rstrip("\n").splitlines()[-1]
    read = 'y = y.astype("float32").asnumpy()' if dtype == "bfloat16" else "y = y.asnumpy()"
    assert last.startswith(read)


def test_adapter_module_imports_without_mxnet():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["mxnet"] = None  # any import of mxnet now raises ImportError
        import conformance.adapters.mxnet_api as m
        print(len(m.ADAPTERS))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "5"
