"""tflite.* translation, with no TensorFlow or LiteRT installed.

The TFLite adapters convert the tf.nn call the TensorFlow adapters make: these tests pin that
they ask exactly what tensorflow_api asks (imported, not copied), inherit its UNSUPPORTED
answers, and render the converter and the interpreter with the adapter's kernel set.
"""

from __future__ import annotations

import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters import default_run_frameworks, get_adapter
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.tensorflow_api import TfConvolution, TfConvTranspose
from conformance.adapters.tflite_api import TfliteConv2d, TfliteConv2dRef, TfliteTransposeConv, TfliteTransposeConvRef

TRANSPOSE = [TfliteTransposeConv, TfliteTransposeConvRef]
CONV = [TfliteConv2d, TfliteConv2dRef]


@pytest.mark.parametrize("cls", TRANSPOSE)
@pytest.mark.parametrize(
    "case",
    [
        transpose_case(stride=2, padding="same"),
        transpose_case(stride=2, padding=[[1, 0], [0, 1]]),
        transpose_case(dims=1, stride=3, padding="valid", output_shape=[14]),
        transpose_case(dims=3, dilation=2, padding="same"),
    ],
)
def test_conv_transpose_asks_what_tf_nn_asks(cls, case):
    call, source = cls().express(case), TfConvTranspose().express(case)
    assert isinstance(call, NativeCall)
    assert (call.api, call.kwargs, call.input_layout, call.kernel_layout) == (
        source.api, source.kwargs, source.input_layout, source.kernel_layout,
    )  # fmt: skip


def test_conv_transpose_values():
    call = TfliteTransposeConv().express(transpose_case(stride=2, padding="same"))
    assert call.api == "tf.nn.conv2d_transpose"
    assert call.kwargs == {"output_shape": [1, 8, 8, 3], "strides": [2, 2], "padding": "SAME", "dilations": [1, 1]}
    assert (call.input_layout, call.kernel_layout) == ("NHWC", "HWOI")


@pytest.mark.parametrize(
    "case, reason",
    [
        (transpose_case(c_in=4, c_out=6, groups=2), "groups"),
        (transpose_case(b=[0.0, 0.0, 0.0]), "bias"),
        (transpose_case(dims=1, padding=[[1, 0]]), "explicit-padding"),
        (transpose_case(dims=3, padding="same_lower"), "padding-mode:same_lower"),
    ],
)
def test_conv_transpose_inherits_what_tf_nn_cannot_say(case, reason):
    for cls in TRANSPOSE:
        answer = cls().express(case)
        assert isinstance(answer, Unsupported) and answer.reason == reason


@pytest.mark.parametrize("cls", CONV)
def test_conv_asks_what_tf_nn_asks(cls):
    for case in [conv_case(padding="same"), conv_case(dims=3, kernel=2, groups=2, stride=[1, 2, 3], padding="valid")]:
        call, source = cls().express(case), TfConvolution().express(case)
        assert (call.api, call.kwargs) == (source.api, source.kwargs)
    assert cls().express(conv_case(padding=[[2, 0], [1, 3]])).reason == "explicit-padding"


def test_rendered_call_converts_and_picks_the_kernel_set():
    case = transpose_case(stride=2, padding="same")
    default = TfliteTransposeConv().repro_source(case, TfliteTransposeConv().express(case))
    ref = TfliteTransposeConvRef().repro_source(case, TfliteTransposeConvRef().express(case))
    for source in (default, ref):
        compile(source, "<tflite>", "exec")
        assert "tf.lite.TFLiteConverter.from_concrete_functions" in source and "tf.nn.conv2d_transpose(" in source
        assert "import conformance" not in source
    assert "experimental_op_resolver_type" not in default
    assert "experimental_op_resolver_type=OpResolverType.BUILTIN_REF" in ref


def test_registered_and_in_the_main_job():
    assert get_adapter("tflite.TRANSPOSE_CONV@ref") is TfliteTransposeConvRef
    assert "tflite" in default_run_frameworks()
