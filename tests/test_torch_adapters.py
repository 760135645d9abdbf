"""The torch adapters against the oracle, their repro scripts, and torch's own refusals."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from conformance.adapters.base import NativeCall, Unsupported  # noqa: E402
from conformance.adapters.torch_api import (  # noqa: E402
    CPU_ADAPTERS as ADAPTERS,
    TorchConvModule,
    TorchConvTransposeModule,
    TorchFunctionalConv,
    TorchFunctionalConvTranspose,
)
from conformance.case import Case  # noqa: E402
from conformance.compare import judge  # noqa: E402
from conformance.oracle import evaluate  # noqa: E402

DTYPES = ("float64", "float32", "float16", "bfloat16")

# name -> (op, spatial sizes, kernel sizes, C_in, C_out, canonical parameters)
SCENARIOS = {
    "ct-1d-stride2-pad1-outpad1": ("conv_transpose", (5,), (3,), 2, 3, dict(stride=2, padding=1, output_padding=1)),
    "ct-2d-stride-dilation-per-dim": (
        "conv_transpose", (4, 5), (3, 2), 2, 3, dict(stride=[2, 1], dilation=[1, 2], padding=[1, 2]),
    ),
    "ct-3d-groups-stride2": ("conv_transpose", (3, 4, 3), (2, 3, 2), 4, 6, dict(stride=2, groups=2)),
    "ct-2d-valid-stride3": ("conv_transpose", (3, 4), (2, 3), 3, 2, dict(stride=3, padding="valid")),
    "ct-2d-same-stride2-even-crop": ("conv_transpose", (4, 3), (4, 4), 2, 3, dict(stride=2, padding="same")),
    "ct-1d-same-lower-even-crop": ("conv_transpose", (6,), (3,), 3, 2, dict(padding="same_lower")),
    "ct-2d-same-kernel-below-stride": ("conv_transpose", (3, 4), (1, 2), 2, 3, dict(stride=3, padding="same")),
    "ct-2d-output-shape-explicit": (
        "conv_transpose", (4, 4), (3, 3), 2, 3, dict(stride=2, padding=1, output_shape=[8, 7]),
    ),
    "ct-1d-output-shape-same": ("conv_transpose", (5,), (4,), 2, 3, dict(stride=3, padding="same", output_shape=[16])),
    "ct-1d-output-shape-valid": (
        "conv_transpose", (4,), (3,), 2, 1, dict(stride=2, padding="valid", output_shape=[10]),
    ),
    "ct-1d-outpad-below-dilation": ("conv_transpose", (4,), (3,), 2, 3, dict(stride=2, dilation=3, output_padding=2)),
    "conv-1d-stride2-pad1": ("conv", (7,), (3,), 2, 3, dict(stride=2, padding=1)),
    "conv-2d-same-even-kernel": ("conv", (5, 6), (2, 4), 3, 2, dict(padding="same")),
    "conv-2d-same-dilation": ("conv", (6, 5), (3, 2), 2, 3, dict(padding="same", dilation=[2, 3])),
    "conv-2d-same-stride2-even-total": ("conv", (5, 5), (3, 3), 2, 3, dict(stride=2, padding="same")),
    "conv-1d-same-lower-even-total": ("conv", (6,), (5,), 2, 3, dict(padding="same_lower")),
    "conv-3d-valid-groups-dilation": (
        "conv", (5, 4, 6), (2, 2, 3), 4, 6, dict(padding="valid", groups=2, dilation=[2, 1, 2]),
    ),
}


def make_case(name: str, dtype: str, bias: bool = True, seed: int = 0) -> Case:
    """Random normal tensors (so a flipped kernel or swapped channels cannot pass)."""
    op, spatial, kernel, c_in, c_out, params = SCENARIOS[name]
    groups = params.get("groups", 1)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, c_in, *spatial))
    w_shape = (c_in, c_out // groups, *kernel) if op == "conv_transpose" else (c_out, c_in // groups, *kernel)
    w = rng.normal(size=w_shape)
    b = rng.normal(size=(c_out,)) if bias else None
    return Case.make(f"{name}-{dtype}", op, x, w, b, dtype=dtype, **params)


ADAPTER_CASES = [
    pytest.param(adapter_class, name, dtype, id=f"{adapter_class.name}-{name}-{dtype}")
    for adapter_class in ADAPTERS
    for name, scenario in SCENARIOS.items()
    if scenario[0] == adapter_class.op
    for dtype in DTYPES
]


@pytest.mark.parametrize("adapter_class, name, dtype", ADAPTER_CASES)
def test_adapter_matches_the_oracle(adapter_class, name, dtype):
    case = make_case(name, dtype)
    adapter = adapter_class()
    call = adapter.express(case)
    assert isinstance(call, NativeCall), f"{case!r}: {call}"
    verdict = judge(case, adapter.execute(case, call), evaluate(case))
    assert verdict.status == "PASS", verdict.message


@pytest.mark.parametrize("adapter_class", ADAPTERS, ids=lambda cls: cls.name)
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_repro_reproduces_execute(adapter_class, bias):
    name = "ct-2d-output-shape-explicit" if adapter_class.op == "conv_transpose" else "conv-2d-same-dilation"
    case = make_case(name, "bfloat16", bias=bias, seed=7)
    adapter = adapter_class()
    call = adapter.express(case)
    namespace = {"x": case.x, "w": case.w, "b": case.b, "dtype": case.dtype}
    exec(adapter.repro_source(case, call), namespace)
    np.testing.assert_array_equal(namespace["y"], adapter.execute(case, call))


def test_adapter_output_is_canonical_float64():
    case = make_case("ct-3d-groups-stride2", "float16")
    adapter = TorchConvTransposeModule()
    y = adapter.execute(case, adapter.express(case))
    assert y.dtype == np.float64 and y.shape == evaluate(case).shape == (2, 6, 6, 9, 6)


# -- torch's own rules, as the Unsupported reasons and the expectations state them --------
def test_torch_refuses_output_padding_at_stride_and_dilation():
    x, w = torch.zeros(1, 2, 4), torch.zeros(2, 3, 3)
    with pytest.raises(RuntimeError, match="output padding must be smaller than either stride or dilation"):
        torch.nn.functional.conv_transpose1d(x, w, stride=2, dilation=2, output_padding=2)


def test_torch_refuses_same_padding_with_stride():
    x, w = torch.zeros(1, 2, 6), torch.zeros(3, 2, 3)
    with pytest.raises(RuntimeError, match="padding='same' is not supported for strided convolutions"):
        torch.nn.functional.conv1d(x, w, stride=2, padding="same")


def test_module_output_size_refuses_output_padding_between_stride_and_dilation():
    # Discrepancy: forward(output_size=...) allows output_padding < stride only, while the
    # functional form (and ATen) take output_padding < stride or < dilation.
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(1, 2, 4)), rng.normal(size=(2, 3, 2))
    case = Case.make("outsize-dilation", "conv_transpose", x, w, stride=1, dilation=3, output_shape=[8])
    functional = TorchFunctionalConvTranspose()
    call = functional.express(case)
    assert call.kwargs["output_padding"] == [1]
    assert judge(case, functional.execute(case, call), evaluate(case)).status == "PASS"
    module = TorchConvTransposeModule()
    refusal = r"requested an output size of \[8\], but valid sizes range from \[7\] to \[7\]"
    with pytest.raises(ValueError, match=refusal):
        module.execute(case, module.express(case))


def test_module_output_size_silently_overrides_the_constructor_output_padding():
    # An invalid canonical case (output_padding 1 but output_shape implies 0) that torch accepts.
    rng = np.random.default_rng(4)
    x, w = rng.normal(size=(1, 2, 4)), rng.normal(size=(2, 3, 3))
    case = Case.make("outsize-override", "conv_transpose", x, w, stride=2, output_padding=1, output_shape=[9])
    case = dataclasses.replace(case, expect="error")
    module = TorchConvTransposeModule()
    assert module.execute(case, module.express(case)).shape == (1, 3, 9)
    assert isinstance(TorchFunctionalConvTranspose().express(case), Unsupported)


@pytest.mark.parametrize("adapter_class", [TorchConvModule, TorchConvTransposeModule], ids=lambda cls: cls.name)
def test_module_refuses_a_bias_of_the_wrong_shape(adapter_class):
    # load_state_dict checks shapes where weight.copy_ would broadcast a (1,) bias silently.
    name = "ct-1d-stride2-pad1-outpad1" if adapter_class.op == "conv_transpose" else "conv-1d-stride2-pad1"
    case = dataclasses.replace(make_case(name, "float32"), b=np.ones(1), expect="error")
    adapter = adapter_class()
    with pytest.raises(RuntimeError, match="size mismatch for bias"):
        adapter.execute(case, adapter.express(case))


@pytest.mark.parametrize("adapter_class", [TorchFunctionalConv, TorchConvModule], ids=lambda cls: cls.name)
def test_torch_same_puts_the_odd_zero_at_the_end(adapter_class):
    # Canonical 'same' (SAME_UPPER) and torch's native 'same' agree: even kernel, stride 1.
    x = np.arange(6.0).reshape(1, 1, 6)
    w = np.array([[[1.0, 10.0]]])
    case = Case.make("same-even", "conv", x, w, padding="same", dtype="float64")
    adapter = adapter_class()
    call = adapter.express(case)
    assert call.kwargs["padding"] == "same"
    np.testing.assert_array_equal(adapter.execute(case, call)[0, 0], [10.0, 21.0, 32.0, 43.0, 54.0, 5.0])
