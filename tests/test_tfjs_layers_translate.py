"""tfjs.layers.ConvTranspose translation, without Node: the layer's two padding modes and its
deconvLength (L*s + max(e - s, 0) for 'valid', L*s for 'same') decide which cases it can say;
what it lacks (outputPadding, output size, explicit pads, groups) is UNSUPPORTED."""

from __future__ import annotations

import pytest
from adapter_checks import transpose_case

from conformance.adapters import get_adapter
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.tfjs_layers_api import TfjsLayersConvTranspose


def test_registered_under_tfjs():
    assert get_adapter("tfjs.layers.ConvTranspose").framework == "tfjs"


@pytest.mark.parametrize(
    "params, padding",
    [
        ({"stride": 2, "padding": "same"}, "same"),
        ({"stride": 2, "padding": "valid"}, "valid"),
        ({"stride": 2, "padding": [[0, 0], [0, 0]]}, "valid"),  # zero pads: the full length
        ({"stride": 3, "kernel": 2, "padding": [[0, 0], [0, 0]], "output_padding": 1}, "valid"),  # L*s + 0: op = s - k
        ({"stride": 2, "kernel": 2, "padding": "same"}, "same"),  # k == s: both modes say it, the case's own first
        ({"stride": 1, "dilation": 2, "padding": "same"}, "same"),  # dilationRate is asked
    ],
)
def test_the_mode_whose_window_is_the_cases(params, padding):
    call = TfjsLayersConvTranspose().express(transpose_case(**params))
    assert isinstance(call, NativeCall) and call.kwargs["padding"] == padding
    assert call.kwargs["dataFormat"] == "channelsFirst" and call.input_layout == "NCHW"


@pytest.mark.parametrize(
    "params, reason",
    [
        ({"stride": 3, "kernel": 2, "padding": "valid"}, "output-padding"),  # 'valid' appends s - k
        ({"stride": 2, "padding": [[1, 0], [1, 0]]}, "explicit-padding"),
        ({"stride": 3, "padding": "same", "output_padding": 1}, "output-padding-with-padding-mode"),
        ({"stride": 2, "padding": "same_lower"}, "padding-mode:same_lower"),
        ({"stride": 2, "padding": [[0, 0], [0, 0]], "output_shape": [10, 10]}, "output-shape"),
        ({"groups": 2, "c_in": 2, "c_out": 4}, "groups"),
        ({"dims": 1}, "rank:1"),
        ({"dtype": "float64"}, "dtype:float64"),
    ],
)
def test_what_the_layer_cannot_say(params, reason):
    verdict = TfjsLayersConvTranspose().express(transpose_case(**params))
    assert isinstance(verdict, Unsupported) and verdict.reason == reason and verdict.doc


def test_the_program_builds_the_layer_and_sets_its_weights():
    case = transpose_case(dims=3, kernel=2, stride=2, padding="valid", b=[0.5, 0.5, 0.5])
    adapter = TfjsLayersConvTranspose()
    source = adapter.repro_source(case, adapter.express(case))
    assert "import * as tfl from '@tensorflow/tfjs-layers';" in source
    assert "tfl.layers.conv3dTranspose({" in source and '"useBias": true' in source
    assert "permute(w, [2, 3, 4, 1, 0])" in source and "layer.setWeights([kernel, tf.tensor(" in source
    assert "conformance" not in source


@pytest.mark.parametrize(
    "params, reason",
    [
        ({"stride": 2, "padding": [[0, 0], [0, 0]], "output_padding": -1}, "output-padding"),
        ({"stride": 1, "padding": [[-1, -1], [-1, -1]]}, "explicit-padding"),
    ],
)
def test_negative_amounts_are_never_turned_into_a_valid_call(params, reason):
    verdict = TfjsLayersConvTranspose().express(transpose_case(**params))
    assert isinstance(verdict, Unsupported) and verdict.reason == reason
