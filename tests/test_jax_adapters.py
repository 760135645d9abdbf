"""jax.lax adapters against the oracle, on the real framework.

Also pins the jax behaviours the expectations files record (the default
``transpose_kernel=False`` is not the transpose of conv; 'VALID' pads to Keras' length;
XLA:CPU's negative-low-padding read): when jax changes one, its test here says so. Where a
behaviour could depend on the machine, the test reads the outcome the expectations file gives
for this run's properties (``conformance.properties.run_properties`` with the adapter's
``build_properties()``), the same way the runner does, so it pins no hardware.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

jax = pytest.importorskip("jax")

from conformance.adapters.jax_api import (  # noqa: E402
    JaxConvGeneralDilated,
    JaxConvTranspose,
    JaxConvTransposeNoTransposeKernel,
    JaxLhsDilatedConv,
)
from conformance.adapters.base import RAISED_BY_FRAMEWORK  # noqa: E402
from conformance.case import Case  # noqa: E402
from conformance.oracle import evaluate  # noqa: E402
from conformance.properties import run_properties  # noqa: E402
from conformance.repro import build_repro  # noqa: E402
from conformance.runner.executor_child import raised_by_framework  # noqa: E402
from conformance.runner.expectations import PASS_OUTCOME, load_expectations  # noqa: E402
from adapter_checks import assert_matches_oracle, make_case, run, verdict  # noqa: E402


TRANSPOSE_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("valid-stride2-k3", {"stride": 2, "padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("same-stride2-k4", {"kernel": 4, "stride": 2, "padding": "same"}),
        ("same_lower-stride2", {"stride": 2, "padding": "same_lower"}),
        ("same-output_shape", {"stride": 2, "padding": "same", "output_shape": 7}),
        ("valid-output_shape", {"stride": 3, "padding": "valid", "output_shape": 14}),
        ("asymmetric-output_padding", {"stride": 2, "padding": [[1, 2]] * dims, "output_padding": 1}),
        ("explicit-output_shape", {"stride": 3, "padding": 1, "output_shape": 11}),
        ("dilation2-stride2", {"dilation": 2, "stride": 2, "padding": [[0, 3]] * dims}),
    ]
]


@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
@pytest.mark.parametrize("adapter", [JaxConvTranspose(), JaxLhsDilatedConv()], ids=lambda a: a.name)
def test_conv_transpose_matches_oracle(adapter, dims, params):
    params = {"kernel": 3, **params}
    assert_matches_oracle(adapter, make_case("conv_transpose", dims, 4, params.pop("kernel"), **params))


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("params", [{"stride": 2, "padding": "same"}, {"stride": 3, "dilation": 2, "padding": [[1, 0]]}])
def test_lhs_dilation_form_takes_groups(dims, params):
    padding = params["padding"] if isinstance(params["padding"], str) else params["padding"] * dims
    case = make_case("conv_transpose", dims, 4, 3, c_in=4, c_out=6, groups=2, **{**params, "padding": padding})
    assert_matches_oracle(JaxLhsDilatedConv(), case)


CONV_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("same_lower-k4-stride3", {"kernel": 4, "stride": 3, "padding": "same_lower"}),
        ("dilation2-same", {"dilation": 2, "padding": "same"}),
        ("asymmetric", {"padding": [[0, 2]] * dims, "stride": 2}),
    ]
]


@pytest.mark.parametrize("dims, params", CONV_GRID)
@pytest.mark.parametrize("groups", [1, 2])
def test_conv_general_dilated_matches_oracle(dims, params, groups):
    params = {"kernel": 3, **params}
    case = make_case("conv", dims, 7, params.pop("kernel"), c_in=4, c_out=6, groups=groups, **params)
    assert_matches_oracle(JaxConvGeneralDilated(), case)


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
@pytest.mark.parametrize(
    "adapter", [JaxConvTranspose(), JaxLhsDilatedConv(), JaxConvGeneralDilated()], ids=lambda a: a.name
)
def test_every_dtype_matches_oracle(adapter, dtype):
    case = make_case(adapter.op, 2, 5, 3, c_in=4, c_out=6, dtype=dtype, stride=2, padding="same")
    assert_matches_oracle(adapter, case)


def test_float64_is_computed_in_float64():
    # Values that float32 cannot hold: 1 + 2**-40 times 1 summed stays exact only in float64.
    x = np.full((1, 1, 3), 1 + 2.0**-40)
    case = Case.make("x64", "conv", x, np.ones((1, 1, 1)), dtype="float64")
    assert run(JaxConvGeneralDilated(), case)[0, 0, 0] == 1 + 2.0**-40


REPRO_CASES = [
    (JaxConvTranspose(), make_case("conv_transpose", 2, 3, 2, stride=2, padding=[[1, 0], [0, 1]], output_padding=1)),
    (JaxConvTransposeNoTransposeKernel(), make_case("conv_transpose", 1, 4, 3, stride=2, padding="same")),
    (JaxLhsDilatedConv(), make_case("conv_transpose", 2, 3, 3, c_in=4, c_out=6, groups=2, stride=2, padding="same")),
    (JaxConvGeneralDilated(), make_case("conv", 1, 6, 3, c_in=4, c_out=2, groups=2, stride=2, padding="same_lower")),
    (JaxConvTranspose(), make_case("conv_transpose", 2, 3, 3, dtype="bfloat16", stride=2, padding="valid")),
]
# Runs each script as ``python repro.py`` would (run_name __main__, a fresh namespace), in one
# interpreter so jax is imported once; prints each script's stdout or its traceback, as JSON.
RUN_SCRIPTS = """
import contextlib, io, json, runpy, sys, traceback
outputs = []
for path in sys.argv[1:]:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(path, run_name="__main__")
        outputs.append(out.getvalue())
    except BaseException:
        outputs.append("RAISED " + traceback.format_exc())
print(json.dumps(outputs))
"""


@pytest.fixture(scope="module")
def repro_outputs(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("repro")
    paths = []
    for i, (adapter, case) in enumerate(REPRO_CASES):
        script = folder / f"repro_{i}.py"
        script.write_text(build_repro(case, adapter, adapter.express(case), evaluate(case), jax.__version__))
        paths.append(str(script))
    done = subprocess.run(
        [sys.executable, "-c", RUN_SCRIPTS, *paths], capture_output=True, text=True, cwd=folder, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("index", range(len(REPRO_CASES)), ids=[f"{a.name}-{i}" for i, (a, _) in enumerate(REPRO_CASES)])
def test_the_repro_script_runs_on_its_own(index, repro_outputs):
    """``execute`` runs the rendered call, so the two agree by construction; what can still
    break is the script a user pastes: run it outside the project, as its own ``__main__``."""
    adapter, case = REPRO_CASES[index]
    output, expected = repro_outputs[index], evaluate(case)
    assert not output.startswith("RAISED"), output
    assert f"framework output shape: {expected.shape}" in output
    worst = float(output.split("max abs difference: ")[1].split()[0])
    assert worst == float(np.max(np.abs(run(adapter, case) - expected)))


# -- the jax behaviours recorded as expectations ------------------------------------------------------
@pytest.mark.parametrize("dims", [1, 2, 3])
def test_default_transpose_kernel_false_is_the_flipped_kernel(dims):
    case = make_case("conv_transpose", dims, 4, 3, stride=2, padding="same")
    result = verdict(JaxConvTransposeNoTransposeKernel(), case)
    assert (result.status, result.diagnosis) == ("FAIL", "kernel-flipped")
    # ... and exactly the flipped kernel: the same call on the flipped array passes.
    flipped = Case.make(case.id, case.op, case.x, np.flip(case.w, axis=tuple(range(2, case.w.ndim))), stride=2, padding="same")
    np.testing.assert_allclose(run(JaxConvTransposeNoTransposeKernel(), flipped), evaluate(case), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kernel, stride", [(1, 2), (2, 3), (1, 3)])
def test_valid_pads_to_the_keras_length_when_the_stride_exceeds_the_kernel(kernel, stride):
    case = make_case("conv_transpose", 1, 4, kernel, stride=stride, padding="valid")
    y = run(JaxConvTranspose(), case)
    full = evaluate(case)
    assert y.shape[-1] == 3 * stride + stride  # (L-1)s + max(e, s), not (L-1)s + e
    np.testing.assert_allclose(y[..., : full.shape[-1]], full, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(y[..., full.shape[-1] :], 0)


EXPECTATIONS = Path(__file__).resolve().parent.parent / "expectations"


def expected_outcome(adapter, case_id: str):
    """The outcome the adapter's expectations file gives ``case_id`` on this run (PASS without an entry)."""
    entry = load_expectations(EXPECTATIONS, adapter.name).match(case_id)
    props = run_properties(jax.__version__, type(adapter).build_properties(), adapter.device)
    return PASS_OUTCOME if entry is None else entry.outcome_for(props)


def test_xla_cpu_reads_out_of_bounds_with_negative_low_padding_in_2d_float32():
    # k=2 with a crop of 2 before: jax pair (-1, 1); openxla/xla#48713. Whether this machine's
    # XLA:CPU reads out of bounds is what the corpus case's expectation says for this run.
    outcome = expected_outcome(JaxConvTranspose(), "pad-crop-past-kernel[dtype=float32]")
    case = make_case("conv_transpose", 2, 3, 2, padding=[[2, 0], [2, 0]])
    result = verdict(JaxConvTranspose(), case)
    assert (result.status, result.diagnosis) == (outcome.status, outcome.diagnosis)
    assert verdict(JaxConvTranspose(), Case.make(**{**_fields(case), "dtype": "float64"})).status == "PASS"
    assert verdict(JaxConvTranspose(), make_case("conv_transpose", 1, 3, 2, padding=[[2, 0]])).status == "PASS"


def _fields(case: Case) -> dict:
    return {
        "id": case.id,
        "op": case.op,
        "x": case.x,
        "w": case.w,
        "stride": list(case.stride),
        "padding": [list(pair) for pair in case.padding],
    }


@pytest.mark.parametrize("adapter", [JaxConvTranspose(), JaxLhsDilatedConv()], ids=lambda a: a.name)
def test_jax_refuses_a_zero_stride_and_the_refusal_is_the_framework_s(adapter):
    with pytest.raises(Exception, match="stride|dilation") as raised:
        run(adapter, make_case("conv_transpose", 1, 4, 3, stride=0, padding="valid"))
    assert getattr(raised.value, RAISED_BY_FRAMEWORK, False)
    assert raised_by_framework(raised.value, type(adapter).raising_packages())


def test_an_invalid_grouping_is_refused_by_jax_not_by_the_adapter():
    # 3 input channels in 2 groups: the adapter passes it on; lax's shape rule refuses it.
    case = Case.make("bad-groups", "conv", np.ones((1, 3, 6)), np.ones((4, 1, 3)), groups=2)
    call = JaxConvGeneralDilated().express(case)
    with pytest.raises(Exception, match="feature_group_count") as raised:
        JaxConvGeneralDilated().execute(case, call)
    assert raised_by_framework(raised.value, JaxConvGeneralDilated.raising_packages())


@pytest.mark.parametrize(
    "x_channels, kernel_channels, groups, message",
    [
        (3, 3, 2, "feature_group_count must divide lhs feature dimension size, but 2 does not divide 3"),
        (4, 3, 2, "rhs output feature dimension size must be a multiple of feature_group_count"),
        (2, 2, 0, "feature_group_count must be a positive integer, got 0"),
    ],
)
def test_the_recipe_asks_jax_when_its_kernel_swap_cannot_be_formed(x_channels, kernel_channels, groups, message):
    # The kernel's C_in does not split into the groups: the text flips only and lax refuses.
    x, w = np.ones((1, x_channels, 3, 3)), np.ones((kernel_channels, 2, 3, 3))
    case = Case.make("bad-groups", "conv_transpose", x, w, groups=groups)
    adapter = JaxLhsDilatedConv()
    with pytest.raises(ValueError, match=message) as raised:
        adapter.execute(case, adapter.express(case))
    assert raised_by_framework(raised.value, JaxLhsDilatedConv.raising_packages())


def test_build_properties_report_jaxlib_and_the_backend():
    build = JaxConvTranspose.build_properties()
    import jaxlib

    assert build == {"jaxlib": jaxlib.__version__, "backend": jax.default_backend()}
    assert build == JaxConvGeneralDilated.build_properties()  # one report for every jax adapter
    assert JaxConvTranspose.raising_packages() == ("jax", "jaxlib")
