"""tfjs.*.grad adapters' translation, without Node: the forward's arguments and refusals, the
``tf.grad`` over the one argument judged, the gradient packages, and the relayout back."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters import default_run_frameworks, get_adapter
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.tfjs_api import (
    TfjsConv,
    TfjsConvTranspose,
    TfjsConvTransposeWasm,
    TfjsConvWasm,
)
from conformance.adapters.tfjs_grad_api import (
    ADAPTERS,
    GRADIENTS_PACKAGE,
    TfjsConvGrad,
    TfjsConvTransposeGrad,
    TfjsConvTransposeWasmGrad,
    TfjsConvWasmGrad,
)
from conformance.oracle import geometry

FORWARD = {TfjsConvTransposeGrad: TfjsConvTranspose, TfjsConvGrad: TfjsConv,
           TfjsConvTransposeWasmGrad: TfjsConvTransposeWasm, TfjsConvWasmGrad: TfjsConvWasm}  # fmt: skip


def with_gradient(case, quantity):
    """The case judging one gradient, with an upstream gradient of the output's shape."""
    g = np.random.default_rng(0).standard_normal(geometry.output_shape(case))
    return dataclasses.replace(case, grad_output=g, check=(quantity,))


def test_registered_on_the_tfjs_framework_of_the_main_job():
    for cls in ADAPTERS:
        assert get_adapter(cls.name) is cls and cls.framework == "tfjs"
        assert cls.quantities == ("grad_input", "grad_weight")  # the ops take no bias
        assert cls.backend == FORWARD[cls].backend and cls.name == FORWARD[cls].name + ".grad"
    assert "tfjs" in default_run_frameworks()


@pytest.mark.parametrize("cls", ADAPTERS, ids=lambda c: c.name)
def test_the_forward_refusals_are_the_gradients_refusals(cls):
    case = transpose_case(stride=2, padding=1) if cls.op == "conv_transpose" else conv_case(padding="valid")
    case = dataclasses.replace(case, b=np.ones(case.w.shape[1 if cls.op == "conv_transpose" else 0]))
    call = cls().translate(case)
    assert isinstance(call, Unsupported) and call.reason == "bias"
    assert call == FORWARD[cls]().translate(case)


def program(cls, case, quantity):
    judged = with_gradient(case, quantity)
    adapter = cls()
    call = adapter.express(judged)
    assert isinstance(call, NativeCall), call
    return call, adapter.repro_source(judged, call)


def test_grad_input_differentiates_the_forward_call_over_the_input_only():
    call, source = program(TfjsConvGrad, conv_case(stride=2, padding="same"), "grad_input")
    assert "tf.grad((input) => tf.conv2d(input, filter, [2, 2], \"same\", \"NHWC\", [1, 1]))(input, dy)" in source
    assert "tf.grad(" in source and source.count("tf.grad(") == 1
    assert call.note.startswith("gradient by tf.grad")
    # the input gradient comes back NHWC -> NCHW
    assert re.search(r"permute\(\{shape: grad.shape, data: await grad.data\(\)\}, \[0, 3, 1, 2\]\);  // NHWC -> NCHW", source)


def test_grad_weight_of_conv_transpose_relays_the_filter_back_to_the_canonical_kernel():
    _, source = program(TfjsConvTransposeGrad, transpose_case(stride=2, padding=1), "grad_weight")
    assert "tf.grad((filter) => tf.conv2dTranspose(input, filter, " in source and "(filter, dy)" in source
    # [kh, kw, outDepth, inDepth] -> (C_in, C_out, kh, kw)
    assert "[3, 2, 0, 1]);  // HWOI -> IOHW" in source or "-> IOHW" in source


@pytest.mark.parametrize("cls", ADAPTERS, ids=lambda c: c.name)
def test_the_program_loads_the_gradients_and_the_backend_it_runs_on(cls):
    case = transpose_case(stride=2, padding=1) if cls.op == "conv_transpose" else conv_case(padding="valid")
    _, source = program(cls, case, "grad_input")
    assert f"import '{GRADIENTS_PACKAGE}';" in source and f"import '{cls.backend_package}';" in source
    assert f"await tf.setBackend('{cls.backend}');" in source
    # the upstream gradient is relaid like the input and cast to float32 like it
    assert "const gIn = permute(g, " in source and "const dy = tf.tensor(Float32Array.from(gIn.data)" in source
    assert GRADIENTS_PACKAGE + "@4.22.0" in cls.install_line("4.22.0")


def test_asked_for_the_output_the_program_is_the_forwards():
    case = conv_case(padding="valid")
    adapter, forward = TfjsConvGrad(), TfjsConv()
    assert adapter.repro_source(case, forward.express(case)) == forward.repro_source(case, forward.express(case))
