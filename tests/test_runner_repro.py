"""Repro scripts: standalone, exact inputs, and they print the same disagreement as the run."""

from __future__ import annotations

import re
from pathlib import Path

import fake_adapters
from adapter_checks import run_script
import numpy as np

from conformance import oracle
from conformance.case import Case
from conformance.loader import load_paths
from conformance.repro import LITERAL_LIMIT, build_repro, rounded_up, tensor_source
from conformance.runner.check import check
from conformance.runner.executor import Executor

CASES = Path(__file__).parent / "data" / "runner" / "cases.yaml"


def read_back(source: str, name: str):
    scope = {"np": np}
    exec(  # the helper the script defines, then the assignment
        "import base64, zlib\n"
        "def unpack(text, shape):\n"
        "    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype='<f8').reshape(shape).copy()\n"
        + source,
        scope,
    )
    return scope[name]


def test_tensors_round_trip_exactly_as_literals_and_packed():
    rng = np.random.default_rng(0)
    small = rng.normal(size=(2, 3, 4)) * 1e-7
    large = rng.normal(size=(LITERAL_LIMIT + 1,))
    special = np.array([0.1, -0.0, np.inf, np.nan])
    assert "unpack(" not in tensor_source("x", small)
    assert "unpack(" in tensor_source("x", large) and "unpack(" in tensor_source("x", special)
    for array in (small, large):
        assert np.array_equal(read_back(tensor_source("x", array), "x"), array)
    back = read_back(tensor_source("x", special), "x")
    assert back.tobytes() == special.tobytes()  # bit for bit, -0.0 and NaN included
    assert tensor_source("b", None) == "b = None"


def test_the_printed_bound_is_each_value_rounded_up_to_three_digits_as_a_string_reads_back():
    # rounded_up computes without a string per element: the same floats, bit for bit, as
    # printing each to 3 significant digits and reading it back, then one ulp up if below.
    rng = np.random.default_rng(7)
    steps = rng.integers(100, 1001, 20_000).astype(float)
    exponents = rng.integers(-30, 30, 20_000).astype(float)
    bound = np.concatenate([
        10.0 ** rng.uniform(-12, 6, 20_000),
        steps * 10.0**exponents,  # on the decimal itself, and one ulp either side
        np.nextafter(steps * 10.0**exponents, 0),
        np.nextafter(steps * 10.0**exponents, np.inf),
        [0.0, np.inf, 999.5, 1000.0, 99.95, 1e-300, 1e300],
    ])
    expected = bound.copy()
    positive = np.isfinite(bound) & (bound > 0)
    with np.errstate(over="ignore", invalid="ignore"):
        scale = 10.0 ** (np.floor(np.log10(bound[positive])) - 2)
        expected[positive] = [float(f"{value:.2e}") for value in np.ceil(bound[positive] / scale) * scale]
        low = expected < bound
        expected[low] = np.nextafter(expected[low], np.inf)
        got = rounded_up(bound)
    assert np.array_equal(got.view(np.int64), expected.view(np.int64))
    assert (got[np.isfinite(bound)] >= bound[np.isfinite(bound)]).all()


def test_flipped_kernel_repro_prints_the_same_disagreement(tmp_path):
    case = next(c for c in load_paths([CASES]).cases if c.id == "rt-pad-1d")
    adapter = fake_adapters.FlippedKernel()
    with Executor() as executor:
        result = check(case, adapter, executor)
    assert result.status == "FAIL"
    script = result.details["repro"]
    assert "conformance" not in script.split("import numpy as np")[1]  # nothing imported from the suite
    assert f"# case:        rt-pad-1d ({case.file}:{case.line})" in script
    assert "# native call: naive_conv_transpose(stride=[3], dilation=[2]" in script
    assert f'# install:     pip install "numpy=={np.__version__}" "numpy=={np.__version__}"' in script
    out = run_script(script, tmp_path)
    printed = float(re.search(r"max abs difference: (\S+)", out).group(1))
    assert printed == result.max_abs_err
    assert f"framework output shape: {tuple(result.shape)}" in out


def test_large_case_repro_uses_packed_inputs_and_still_matches(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1, 2, 30, 40))  # 2,400 elements: packed
    w = rng.normal(size=(2, 1, 3, 2))
    case = Case.make("big", "conv_transpose", x, w, stride=2, dtype="float64")
    adapter = fake_adapters.FlippedKernel()
    call = adapter.express(case)
    reference = oracle.evaluate(case)
    script = build_repro(case, adapter, call, reference, framework_version=np.__version__)
    assert script.count("unpack(\n") == 3  # x, expected and its bound; w is small
    out = run_script(script, tmp_path)
    actual = adapter.execute(case, call)
    printed = float(re.search(r"max abs difference: (\S+)", out).group(1))
    assert printed == float(np.max(np.abs(actual - reference)))


def test_invalid_case_repro_says_an_error_was_expected(tmp_path):
    case = next(c for c in load_paths([CASES]).cases if c.id == "rt-invalid-stride0")
    adapter = fake_adapters.AcceptsInvalid()
    script = build_repro(case, adapter, adapter.express(case), None, framework_version="1", why_invalid="stride 0")
    out = run_script(script, tmp_path)
    assert "the framework accepted the invalid case; output shape: (1, 1, 4)" in out
    assert "expected: an error, because stride 0\n" in out


def test_install_line_names_the_distribution_its_extras_and_numpy():
    from conformance.adapters.onnxruntime_api import OrtConvTranspose
    from conformance.adapters.opencv_caffe_api import ADAPTERS as OPENCV_ADAPTERS
    from conformance.repro import pip_line

    numpy_pin = f'"numpy=={np.__version__}"'
    assert pip_line(OrtConvTranspose, "1.32.0") == f'pip install "onnxruntime==1.32.0" "onnx" {numpy_pin}'
    # cv2's version is opencv-python-headless's; a local build label is dropped
    assert pip_line(OPENCV_ADAPTERS[0], "4.14.0+abc") == (
        f'pip install "opencv-python-headless==4.14.0" "protobuf>=4.22" {numpy_pin}'
    )


def test_the_repro_ends_with_the_verdict_and_the_bound_it_used(tmp_path):
    """A flipped kernel: the script prints err_ratio against the suite's bound and FAIL; the
    correct adapter's script prints PASS."""
    case = Case.make("small", "conv_transpose", np.arange(8.0).reshape(1, 2, 4), np.arange(12.0).reshape(2, 3, 2), None, stride=2)
    for adapter, verdict in ((fake_adapters.FlippedKernel(), "FAIL"), (fake_adapters.NumpyLoops(), "PASS")):
        script = build_repro(case, adapter, adapter.express(case), oracle.evaluate(case), framework_version="0")
        out = run_script(script, tmp_path)
        assert re.search(r"err_ratio: \S+ \(max \|y - expected\| / bound\)", out)
        assert f"verdict: {verdict} (passes at err_ratio <= 1.0)" in out
