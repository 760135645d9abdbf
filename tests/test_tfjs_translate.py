"""tfjs.* translation, with neither Node nor TensorFlow.js needed: TF.js's positional
arguments, its channels-last layouts, ExplicitPadding in 1D/2D only, and what the API cannot
say (dilation of the transposed ops, groups, bias, float64/float16/bfloat16) as UNSUPPORTED."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters import default_run_frameworks, get_adapter
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.tfjs_api import (
    NPM_FOLDER,
    PACKAGE_VERSIONS,
    TfjsConv,
    TfjsConvTranspose,
    TfjsConvTransposeWasm,
    TfjsConvWasm,
    explicit_padding,
)


def test_the_adapters_are_registered_in_the_main_job():
    for name in ("tfjs.conv_transpose", "tfjs.conv", "tfjs.conv_transpose@wasm", "tfjs.conv@wasm"):
        assert get_adapter(name).framework == "tfjs"
    assert "tfjs" in default_run_frameworks()


def test_the_rendered_versions_are_the_npm_pins():
    pins = json.loads((NPM_FOLDER / "package.json").read_text())["dependencies"]
    assert pins == PACKAGE_VERSIONS
    assert (NPM_FOLDER / "package-lock.json").is_file()


def test_explicit_padding_is_four_nhwc_pairs():
    assert explicit_padding([(1, 2), (3, 0)], 2) == [[0, 0], [1, 2], [3, 0], [0, 0]]
    # conv1d hands its pad to conv2d on a [batch, 1, width, channels] view
    assert explicit_padding([(2, 1)], 1) == [[0, 0], [0, 0], [2, 1], [0, 0]]


def test_conv2d_transpose_gets_the_canonical_output_shape_and_channels_last_layouts():
    call = TfjsConvTranspose().express(transpose_case(stride=2, padding="same", c_in=2, c_out=3))
    assert isinstance(call, NativeCall)
    assert call.api == "tf.conv2dTranspose"
    assert call.kwargs == {"outputShape": [1, 8, 8, 3], "strides": [2, 2], "pad": "same"}
    assert (call.input_layout, call.kernel_layout) == ("NHWC", "HWOI")


def test_explicit_pairs_and_output_padding_fold_into_explicit_padding_and_output_shape():
    # full = (4-1)*2 + 3 = 9; O = 9 - 1 - 2 + 1 = 7
    call = TfjsConvTranspose().express(transpose_case(stride=2, padding=[[1, 2], [1, 2]], output_padding=1))
    assert call.kwargs["pad"] == [[0, 0], [1, 2], [1, 2], [0, 0]]
    assert call.kwargs["outputShape"] == [1, 7, 7, 3]


def test_same_lower_transpose_in_2d_is_its_explicit_split():
    # full 9, O = 8: one position cropped, before (same_lower)
    call = TfjsConvTranspose().express(transpose_case(stride=2, padding="same_lower"))
    assert call.kwargs["pad"] == [[0, 0], [1, 0], [1, 0], [0, 0]]
    assert call.kwargs["outputShape"] == [1, 8, 8, 3]


def test_conv3d_transpose_takes_modes_only():
    call = TfjsConvTranspose().express(transpose_case(dims=3, padding=[[0, 0]] * 3))
    assert (call.api, call.kwargs["pad"], call.kernel_layout) == ("tf.conv3dTranspose", "valid", "DHWOI")
    verdict = TfjsConvTranspose().express(transpose_case(dims=3, padding=[[1, 1]] * 3))
    assert isinstance(verdict, Unsupported) and verdict.reason == "explicit-padding"
    verdict = TfjsConvTranspose().express(transpose_case(dims=3, padding="same_lower"))
    assert isinstance(verdict, Unsupported) and verdict.reason == "padding-mode:same_lower"


@pytest.mark.parametrize(
    "case, reason",
    [
        (transpose_case(dims=1), "rank:1"),
        (transpose_case(dilation=2), "dilation"),
        (transpose_case(c_in=2, c_out=4, groups=2), "groups"),
        (transpose_case(b=np.ones(3)), "bias"),
        (transpose_case(padding="same", output_padding=1, stride=2), "output-padding-with-padding-mode"),
        (transpose_case(dtype="float64"), "dtype:float64"),
        (transpose_case(dtype="float16"), "dtype:float16"),
        (transpose_case(dtype="bfloat16"), "dtype:bfloat16"),
    ],
)
def test_what_the_transposed_ops_cannot_say(case, reason):
    for adapter in (TfjsConvTranspose(), TfjsConvTransposeWasm()):
        verdict = adapter.express(case)
        assert isinstance(verdict, Unsupported) and verdict.reason == reason and verdict.doc


def test_conv_arguments_per_rank():
    one = TfjsConv().express(conv_case(dims=1, stride=2, dilation=1, padding=[[2, 1]]))
    assert one.api == "tf.conv1d"
    assert one.kwargs == {"stride": 2, "pad": [[0, 0], [0, 0], [2, 1], [0, 0]], "dataFormat": "NWC", "dilation": 1}
    two = TfjsConv().express(conv_case(dilation=2, padding="same"))
    assert two.kwargs == {"strides": [1, 1], "pad": "same", "dataFormat": "NHWC", "dilations": [2, 2]}
    assert (two.input_layout, two.kernel_layout) == ("NHWC", "HWIO")
    three = TfjsConv().express(conv_case(dims=3, kernel=2, stride=[1, 2, 3], padding="valid"))
    assert (three.api, three.kwargs["dataFormat"], three.kwargs["strides"]) == ("tf.conv3d", "NDHWC", [1, 2, 3])


def test_conv_same_lower_puts_the_odd_zero_before():
    # L=6, k=3, s=2: ceil(6/2)=3 outputs need (3-1)*2 + 3 - 6 = 1 zero, before for same_lower
    call = TfjsConv().express(conv_case(stride=2, padding="same_lower"))
    assert call.kwargs["pad"] == [[0, 0], [1, 0], [1, 0], [0, 0]]
    verdict = TfjsConv().express(conv_case(dims=3, padding="same_lower"))
    assert isinstance(verdict, Unsupported) and verdict.reason == "padding-mode:same_lower"


@pytest.mark.parametrize(
    "case, reason",
    [
        (conv_case(groups=2), "groups"),
        (conv_case(b=np.ones(6)), "bias"),
        (conv_case(dims=3, padding=[[1, 0]] * 3), "explicit-padding"),
        (conv_case(dtype="float16"), "dtype:float16"),
    ],
)
def test_what_the_convs_cannot_say(case, reason):
    for adapter in (TfjsConv(), TfjsConvWasm()):
        verdict = adapter.express(case)
        assert isinstance(verdict, Unsupported) and verdict.reason == reason and verdict.doc


def test_the_rendered_call_is_one_es_module_with_a_plain_js_relayout():
    case = transpose_case(stride=2, padding="valid")
    adapter = TfjsConvTransposeWasm()
    source = adapter.repro_source(case, adapter.express(case))
    assert adapter.repro_language == "javascript"
    assert "import '@tensorflow/tfjs-backend-wasm';" in source
    assert "await tf.setBackend('wasm');" in source
    assert 'tf.conv2dTranspose(input, filter, [1, 9, 9, 3], [2, 2], "valid")' in source
    # the relayout is plain JS (permute), not the framework's transpose
    assert "permute(x, [0, 2, 3, 1])" in source and "permute(w, [2, 3, 1, 0])" in source
    assert "}, [0, 3, 1, 2]);" in source and "tf.transpose" not in source
    assert "const y = " in source
    # nothing of this checkout: the repro runs wherever the packages are installed
    assert str(NPM_FOLDER) not in source and "conformance" not in source


def test_the_rendered_call_is_valid_javascript(tmp_path):
    if shutil.which("node") is None:
        pytest.skip("needs node to check the syntax")
    case = conv_case(dims=1, stride=2, padding=[[2, 1]])
    adapter = TfjsConv()
    program = tmp_path / "program.mjs"
    program.write_text("const x = null, w = null, b = null, dtype = 'float32';\n" + adapter.repro_source(case, adapter.express(case)))
    done = subprocess.run(["node", "--check", str(program)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_the_install_line_names_the_core_and_the_backend_at_their_pins():
    assert TfjsConvWasm.install_line("4.22.0") == "npm install @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0"
