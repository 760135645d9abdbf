"""The Caffe-layer adapters on OpenCV against the oracle, their Caffe files, repros and OpenCV's known limits."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")
pytest.importorskip("google.protobuf")

from conformance.adapters.base import NativeCall  # noqa: E402
from conformance.adapters.opencv_caffe_api import OpenCvCaffeConvolution, OpenCvCaffeDeconvolution  # noqa: E402
from conformance.case import Case  # noqa: E402
from conformance.compare import judge  # noqa: E402
from conformance.loader import load_paths  # noqa: E402
from conformance.oracle import evaluate  # noqa: E402
from conformance.runner.executor_child import raised_by_framework  # noqa: E402
from adapter_checks import assert_ran, run_repro_scripts  # noqa: E402  (run repros isolated from this checkout)

SEED_CASES = Path(__file__).resolve().parents[1] / "cases" / "seeds" / "deconv_notes_tf_caffe.yaml"

# name -> (op, spatial sizes, kernel sizes, C_in, C_out, canonical parameters)
SCENARIOS = {
    "deconv-2d-stride2-pad1": ("conv_transpose", (4, 5), (3, 2), 2, 3, dict(stride=2, padding=1)),
    "deconv-2d-stride-per-dim": ("conv_transpose", (4, 3), (4, 3), 3, 2, dict(stride=[2, 3], padding=[1, 0])),
    "deconv-2d-groups": ("conv_transpose", (3, 4), (3, 3), 4, 6, dict(stride=2, groups=2)),
    "deconv-2d-depthwise": ("conv_transpose", (5, 4), (4, 4), 3, 3, dict(stride=2, padding=1, groups=3)),
    "deconv-2d-valid-stride3": ("conv_transpose", (3, 4), (2, 3), 3, 2, dict(stride=3, padding="valid")),
    "deconv-2d-same-even-crop": ("conv_transpose", (4, 3), (4, 4), 2, 3, dict(stride=2, padding="same")),
    "deconv-2d-output-shape": ("conv_transpose", (4, 4), (3, 3), 2, 3, dict(stride=2, padding=1, output_shape=[7, 7])),
    "conv-1d-stride2-pad1": ("conv", (7,), (3,), 2, 3, dict(stride=2, padding=1)),
    "conv-2d-floor-stride": ("conv", (6, 7), (3, 2), 2, 3, dict(stride=2)),
    "conv-2d-same-dilation": ("conv", (6, 5), (3, 3), 2, 3, dict(padding="same", dilation=[2, 1])),
    "conv-2d-groups-per-dim": ("conv", (7, 6), (3, 2), 4, 6, dict(stride=[2, 1], padding=[1, 0], groups=2)),
    "conv-3d-valid-dilation": ("conv", (5, 4, 6), (2, 2, 3), 2, 3, dict(padding="valid", dilation=[2, 1, 2])),
}


def make_case(name: str, bias: bool = True, seed: int = 0, dtype: str = "float32") -> Case:
    """Random normal tensors rounded to ``dtype``: a flipped kernel or swapped channels cannot pass."""
    op, spatial, kernel, c_in, c_out, params = SCENARIOS[name]
    groups = params.get("groups", 1)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, c_in, *spatial))
    w_shape = (c_in, c_out // groups, *kernel) if op == "conv_transpose" else (c_out, c_in // groups, *kernel)
    w = rng.normal(size=w_shape)
    b = rng.normal(size=c_out) if bias else None
    return Case.make(name, op, x, w, b, dtype=dtype, **params)


def adapter_for(case: Case):
    return OpenCvCaffeDeconvolution() if case.op == "conv_transpose" else OpenCvCaffeConvolution()


def run(case: Case) -> np.ndarray:
    adapter = adapter_for(case)
    call = adapter.express(case)
    assert isinstance(call, NativeCall), call
    return adapter.execute(case, call)


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_adapter_matches_the_oracle(name, bias):
    case = make_case(name, bias)
    verdict = judge(case, run(case), evaluate(case))
    assert verdict.status == "PASS", verdict.message


@pytest.mark.parametrize("case_id", ["deconv-notes-caffe-bilinear-factor2", "deconv-notes-caffe-bilinear-factor3"])
def test_seed_002_upsampling_layer(case_id):
    (case,) = [c for c in load_paths([SEED_CASES]).cases if c.id == case_id]
    y = run(case)
    factor = case.stride[0]
    assert y.shape == (2, 3, 5 * factor, 4 * factor)
    assert judge(case, y, evaluate(case)).status == "PASS"


def caffe_bilinear_kernel(size: int) -> np.ndarray:
    """Caffe's "bilinear" filler (filler.hpp BilinearFiller) for a size x size kernel."""
    f = math.ceil(size / 2)
    c = (2 * f - 1 - f % 2) / (2 * f)
    taps = 1 - np.abs(np.arange(size) / f - c)
    return np.outer(taps, taps)


def test_seed_002_bilinear_weights_interpolate():
    # The seed's layer with the weights its bilinear filler gives: factor 2 on C = 2 channels.
    x = np.arange(2 * 2 * 3 * 4, dtype=np.float64).reshape(2, 2, 3, 4)
    w = np.stack([caffe_bilinear_kernel(4)[None]] * 2)
    case = Case.make("bilinear", "conv_transpose", x, w, stride=2, padding=1, groups=2, dtype="float32")
    y = run(case)
    assert judge(case, y, evaluate(case)).status == "PASS"
    # Caffe's taps for factor 2 are [0.25, 0.75, 0.75, 0.25]: with pad 1, output row 2 lies
    # between input rows 0 and 1 (weights 0.25, 0.75), output column 3 between input
    # columns 1 and 2 (weights 0.75, 0.25).
    expected = np.sum(np.outer([0.25, 0.75], [0.75, 0.25]) * x[0, 0, 0:2, 1:3])
    np.testing.assert_allclose(y[0, 0, 2, 3], expected, rtol=1e-6)


def rendered_call_scope(case: Case) -> dict:
    """What the rendered call leaves behind (its ``model``, ``NetParameter``, ``y``), run as the runner runs it."""
    adapter = adapter_for(case)
    scope = {"np": np, "x": case.x, "w": case.w, "b": case.b, "dtype": case.dtype}
    exec(compile(adapter.repro_source(case, adapter.express(case)), "<rendered>", "exec"), scope)
    return scope


def test_caffemodel_holds_caffes_blob_layout():
    # The .caffemodel the rendered call writes: Caffe's blob order and shapes, the values as given.
    w = np.arange(2 * 3 * 2 * 2, dtype=np.float64).reshape(2, 3, 2, 2)
    b = np.array([0.5, -1.0, 2.0])
    case = Case.make("blobs", "conv_transpose", np.ones((1, 2, 3, 3)), w, b, dtype="float32")
    scope = rendered_call_scope(case)
    model = scope["NetParameter"].FromString(scope["model"].SerializeToString())
    assert model.name == "conformance"
    (layer,) = model.layer
    assert (layer.name, layer.type) == ("deconvolution", "Deconvolution")  # the .prototxt's layer, by name
    assert [list(blob.shape.dim) for blob in layer.blobs] == [[2, 3, 2, 2], [3]]
    assert list(layer.blobs[0].data) == w.ravel().tolist()
    assert list(layer.blobs[1].data) == b.tolist()
    assert scope["y"].shape == (1, 3, 4, 4)  # (3 - 1) + 2


def test_descriptor_carries_caffes_field_numbers():
    # BVLC caffe.proto: NetParameter.layer = 100, LayerParameter.blobs = 7, BlobProto.shape = 7,
    # BlobProto.data = 5 (packed), BlobShape.dim = 1 (packed int64). The rendered call's own messages.
    net = rendered_call_scope(make_case("deconv-2d-groups"))["NetParameter"].DESCRIPTOR
    layer = net.fields_by_name["layer"].message_type
    blob = layer.fields_by_name["blobs"].message_type
    shape = blob.fields_by_name["shape"].message_type
    numbers = {
        "NetParameter.name": net.fields_by_name["name"].number,
        "NetParameter.layer": net.fields_by_name["layer"].number,
        "LayerParameter.name": layer.fields_by_name["name"].number,
        "LayerParameter.type": layer.fields_by_name["type"].number,
        "LayerParameter.blobs": layer.fields_by_name["blobs"].number,
        "BlobProto.shape": blob.fields_by_name["shape"].number,
        "BlobProto.data": blob.fields_by_name["data"].number,
        "BlobShape.dim": shape.fields_by_name["dim"].number,
    }
    assert numbers == {
        "NetParameter.name": 1,
        "NetParameter.layer": 100,
        "LayerParameter.name": 1,
        "LayerParameter.type": 2,
        "LayerParameter.blobs": 7,
        "BlobProto.shape": 7,
        "BlobProto.data": 5,
        "BlobShape.dim": 1,
    }


REPRO_SCENARIOS = [
    ("deconv-2d-depthwise", "float32", True),
    ("deconv-2d-groups", "float16", False),
    ("conv-3d-valid-dilation", "float32", True),
]


def repro_case(index: int) -> Case:
    name, dtype, bias = REPRO_SCENARIOS[index]
    return make_case(name, bias, seed=3, dtype=dtype)


@pytest.fixture(scope="module")
def repro_outputs(tmp_path_factory) -> list[str]:
    """REPRO_SCENARIOS' repro scripts run in one fresh isolated interpreter, each as its own __main__."""
    cases = [repro_case(index) for index in range(len(REPRO_SCENARIOS))]
    return run_repro_scripts([(adapter_for(case), case) for case in cases], tmp_path_factory.mktemp("opencv-repro"))


@pytest.mark.parametrize("index", range(len(REPRO_SCENARIOS)), ids=["-".join(map(str, s)) for s in REPRO_SCENARIOS])
def test_repro_script_runs_standalone_and_matches_the_run(index, repro_outputs):
    # execute runs the rendered call itself; the script embeds the same text. What can still
    # go wrong is the text leaning on the harness: it must write both files and run alone.
    case = repro_case(index)
    adapter = adapter_for(case)
    call = adapter.express(case)
    source = adapter.repro_source(case, call)
    assert "import conformance" not in source and "from conformance" not in source
    y, reference = adapter.execute(case, call), evaluate(case)
    out = assert_ran(repro_outputs[index])
    assert f"framework output shape: {y.shape}" in out
    assert f"max abs difference: {float(np.max(np.abs(y - reference)))!r}" in out


# -- OpenCV's known departures from Caffe's layer (expectations/opencv.caffe.Deconvolution.yaml) --
def test_opencv_deconvolution_ignores_dilation():
    # Caffe: dilation 2 spreads the kernel [1, 10] over 3 positions -> [1, 2, 10, 20].
    case = Case.make("dil", "conv_transpose", np.array([[[[1.0, 2.0]]]]), np.array([[[[1.0, 10.0]]]]), dilation=[1, 2])
    assert evaluate(case).tolist() == [[[[1.0, 2.0, 10.0, 20.0]]]]
    assert run(case).tolist() == [[[[1.0, 12.0, 20.0]]]]  # the dilation-1 result


def test_opencv_deconvolution_refuses_1d_and_3d():
    rng = np.random.default_rng(0)
    for spatial in [(5,), (3, 4, 3)]:
        k = (2,) * len(spatial)
        case = Case.make("nd", "conv_transpose", rng.normal(size=(1, 2, *spatial)), rng.normal(size=(2, 3, *k)))
        with pytest.raises(cv2.error):
            run(case)


def test_refusals_leave_framework_call():
    # The runner counts OpenCV's cv2.error as its answer (framework_call marks it).
    from conformance.adapters.base import RAISED_BY_FRAMEWORK

    case = Case.make("3d", "conv_transpose", np.ones((1, 2, 3, 4, 3)), np.ones((2, 3, 2, 2, 2)))
    with pytest.raises(cv2.error, match='of type "Deconvolution" unsupported on OpenCV backend') as raised:
        run(case)
    assert getattr(raised.value, RAISED_BY_FRAMEWORK, False)
    # Raised inside the rendered call, but by cv2, not by an error of the text itself.
    assert raised_by_framework(raised.value, OpenCvCaffeDeconvolution.raising_packages())


def test_1d_refusal_is_one_of_two_assertions():
    # A single kernel_size is read as 2D; which check then fires varies (expectations pin their
    # common part, an error raised in OpenCV's dnn sources).
    case = Case.make("1d", "conv_transpose", np.ones((1, 2, 5)), np.ones((2, 3, 3)), stride=2)
    with pytest.raises(cv2.error, match="/modules/dnn/src/") as raised:
        run(case)
    message = str(raised.value)
    assert "inputs[0].dims == outputs[0].dims" in message or "getLayerShapesRecursively" in message


# -- dtypes and the target ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["deconv-2d-stride2-pad1", "deconv-2d-depthwise", "conv-2d-groups-per-dim"])
def test_float16_runs_on_the_cpu_fp16_target(name):
    # DNN_TARGET_CPU_FP16 is documented for ARM; elsewhere OpenCV falls back to DNN_TARGET_CPU
    # (float32). Either way the result must meet float16's bound.
    case = make_case(name, dtype="float16")
    call = adapter_for(case).express(case)
    assert call.kwargs["target"] == "DNN_TARGET_CPU_FP16"
    verdict = judge(case, adapter_for(case).execute(case, call), evaluate(case))
    assert verdict.status == "PASS", verdict.message


def test_build_properties_report_the_dispatch():
    from conformance.adapters.opencv_caffe_api import cpu_capability

    build = OpenCvCaffeDeconvolution.build_properties()
    assert build["cpu_features"] == cv2.getCPUFeaturesLine()
    assert build["cpu_capability"] == cpu_capability(cv2.getCPUFeaturesLine())
    assert build["cpu_capability"] in build["cpu_features"]
