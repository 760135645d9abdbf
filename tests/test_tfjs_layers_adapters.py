"""tfjs.layers.ConvTranspose against the oracle, on TensorFlow.js layers run by Node (js/tfjs,
`npm ci` there): the layer built, its weights set, applied; its .mjs repro run on its own."""

from __future__ import annotations

import shutil

import pytest

from conformance.adapters.tfjs_api import NPM_FOLDER

if shutil.which("node") is None or not (NPM_FOLDER / "node_modules" / "@tensorflow" / "tfjs-layers").is_dir():
    pytest.skip("needs node and js/tfjs/node_modules (tox -e tfjs runs npm ci)", allow_module_level=True)

from adapter_checks import assert_matches_oracle, grid_case, verdict  # noqa: E402
from node_checks import assert_js_repro_passes  # noqa: E402

from conformance.adapters.tfjs_layers_api import TfjsLayersConvTranspose  # noqa: E402

GRID = [
    pytest.param(2, {"stride": 2, "padding": "same"}, id="2d-same-stride2"),
    pytest.param(2, {"stride": 2, "padding": "valid", "bias": True}, id="2d-valid-bias"),
    pytest.param(2, {"stride": 3, "kernel": 2, "padding": [[0, 0]], "output_padding": 1}, id="2d-valid-kernel-below-stride"),
    pytest.param(3, {"stride": 2, "padding": "same", "kernel": 2, "bias": True}, id="3d-same-bias"),
]


@pytest.mark.parametrize("dims, params", GRID)
def test_matches_oracle(dims, params):
    assert_matches_oracle(TfjsLayersConvTranspose(), grid_case("conv_transpose", dims, 4, params))


def test_dilation_rate_is_taken_and_not_applied():
    # the layer's call() passes no dilation to conv2dTranspose (expectations/tfjs.layers.ConvTranspose.yaml)
    result = verdict(TfjsLayersConvTranspose(), grid_case("conv_transpose", 2, 4, {"stride": 1, "dilation": 2, "padding": "same"}))
    assert result.status == "FAIL"


def test_the_mjs_repro_runs_standalone_and_matches_the_run(tmp_path):
    case = grid_case("conv_transpose", 2, 4, {"stride": 2, "padding": "same", "bias": True})
    assert_js_repro_passes(TfjsLayersConvTranspose(), case, tmp_path)
