"""tinygrad.*.grad adapters' translation, without tinygrad: the forward's arguments and
refusals, and ``out.gradient`` of the one tensor judged with the upstream gradient."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters import default_run_frameworks, get_adapter
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.tinygrad_api import TinygradConv, TinygradConvTranspose
from conformance.adapters.tinygrad_grad_api import (
    ADAPTERS,
    TinygradConvGrad,
    TinygradConvTransposeGrad,
)
from conformance.oracle import geometry

FORWARD = {TinygradConvTransposeGrad: TinygradConvTranspose, TinygradConvGrad: TinygradConv}


def judging(case, quantity):
    g = np.random.default_rng(0).standard_normal(geometry.output_shape(case))
    return dataclasses.replace(case, grad_output=g, check=(quantity,))


def biased(case):
    return dataclasses.replace(case, b=np.ones(case.w.shape[1 if case.op == "conv_transpose" else 0]))


def test_registered_beside_the_forward_in_the_main_job():
    for cls in ADAPTERS:
        assert get_adapter(cls.name) is cls and cls.name == FORWARD[cls].name + ".grad"
        assert cls.run_label == FORWARD[cls].run_label == "conformance"
        assert cls.quantities == ("grad_input", "grad_weight", "grad_bias")
    assert "tinygrad" in default_run_frameworks()


@pytest.mark.parametrize("quantity, target", [("grad_input", "xt"), ("grad_weight", "wt"), ("grad_bias", "bt")])
@pytest.mark.parametrize("cls", ADAPTERS, ids=lambda c: c.name)
def test_the_forward_call_then_the_gradient_of_the_one_tensor_judged(cls, quantity, target):
    case = biased(transpose_case(stride=2, padding=[[1, 0], [2, 1]], output_padding=1) if cls.op == "conv_transpose"
                  else conv_case(stride=2, padding="same"))  # fmt: skip
    judged = judging(case, quantity)
    adapter, forward = cls(), FORWARD[cls]()
    call = adapter.express(judged)
    assert isinstance(call, NativeCall) and call.kwargs == forward.express(case).kwargs
    assert call.note.startswith("gradient by Tensor.gradient")
    source = adapter.repro_source(judged, call)
    forward_source = forward.repro_source(case, forward.express(case))
    assert source.startswith(forward_source[: forward_source.index("y = out.")])  # the same tensors and call
    assert "gt = Tensor(np.asarray(g, dtype=np.float64), device='CPU').cast(tg_dtype)" in source
    assert f"(grad,) = out.gradient({target}, gradient=gt)" in source
    assert source.rstrip().endswith("y = grad.cast(dtypes.float64).numpy()")


def test_the_forward_refusals_are_the_gradients_refusals():
    case = transpose_case(stride=2, padding="same", output_padding=1)
    refused = TinygradConvTransposeGrad().translate(case)
    assert isinstance(refused, Unsupported) and refused == TinygradConvTranspose().translate(case)


def test_asked_for_the_output_the_script_is_the_forwards():
    case = conv_case(padding="valid")
    call = TinygradConv().express(case)
    assert TinygradConvGrad().repro_source(case, call) == TinygradConv().repro_source(case, call)
