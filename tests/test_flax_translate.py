"""The Flax adapters' parameter translation, with no Flax or JAX installed (pure integer arithmetic)."""

from __future__ import annotations

import pytest

from adapter_checks import conv_case, transpose_case
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.flax_api import (
    FlaxLinenConv,
    FlaxLinenConvTranspose,
    FlaxLinenConvTransposeNoTransposeKernel,
    FlaxNnxConv,
    FlaxNnxConvTranspose,
    FlaxNnxConvTransposeNoTransposeKernel,
    conv_padding_arg,
    conv_transpose_padding_arg,
    flax_kernel_layout,
)

TRANSPOSE = [
    FlaxLinenConvTranspose(),
    FlaxLinenConvTransposeNoTransposeKernel(),
    FlaxNnxConvTranspose(),
    FlaxNnxConvTransposeNoTransposeKernel(),
]


def test_kernel_layouts():
    assert flax_kernel_layout("conv", 2) == "HWIO"  # (*k, C_in/groups, C_out)
    assert flax_kernel_layout("conv_transpose", 2) == "HWIO"  # (*k, C_in, C_out), not flipped
    assert flax_kernel_layout("conv_transpose", 3, transpose_kernel=True) == "DHWOI"  # the forward conv's kernel


@pytest.mark.parametrize(
    "params, padding",
    [
        ({"stride": 2, "padding": "same"}, "SAME"),
        ({"stride": 2, "padding": "valid"}, "VALID"),
        # jax's pairs pad the dilated input: (e-1-before, e-1-after+output_padding), as tuples
        ({"stride": 2, "padding": [[1, 1]]}, [(1, 1)]),
        ({"stride": 2, "padding": [[0, 2]], "output_padding": 1}, [(2, 1)]),
        # 'same_lower' (F = 9, O = 8: one crop before) and output_shape have no mode: pairs
        ({"stride": 2, "padding": "same_lower"}, [(1, 2)]),
        ({"stride": 2, "padding": "valid", "output_shape": [10]}, [(2, 3)]),
    ],
)
def test_conv_transpose_padding(params, padding):
    assert conv_transpose_padding_arg(transpose_case(dims=1, **params)) == padding


@pytest.mark.parametrize("adapter", TRANSPOSE, ids=lambda a: a.name)
def test_conv_transpose_refusals(adapter):
    assert adapter.translate(transpose_case(c_in=4, c_out=6, groups=2)).reason == "groups"
    assert adapter.translate(transpose_case(padding="same", output_padding=1)).reason == (
        "output-padding-with-padding-mode"
    )
    assert adapter.translate(transpose_case(padding=[[-1, -1], [-1, -1]])).reason == "negative-padding"
    # bias is a parameter of the layer: expressed
    assert isinstance(adapter.translate(transpose_case(b=[1.0, 2.0, 3.0])), NativeCall)


@pytest.mark.parametrize("adapter", TRANSPOSE, ids=lambda a: a.name)
def test_conv_transpose_call(adapter):
    call = adapter.translate(transpose_case(dims=2, kernel=3, c_in=2, c_out=3, stride=2, padding="valid"))
    transposed = adapter.TRANSPOSE_KERNEL
    assert call.kwargs["transpose_kernel"] is transposed
    assert call.kernel_layout == ("HWOI" if transposed else "HWIO") and call.input_layout == "NHWC"
    features = {"features": 3} if adapter.API == "linen" else {"in_features": 2, "out_features": 3}
    assert call.kwargs == {
        **features, "kernel_size": (3, 3), "strides": (2, 2), "padding": "VALID", "kernel_dilation": (1, 1),
        "transpose_kernel": transposed, "use_bias": False,
    }


def test_valid_length_note_reaches_the_report():
    call = FlaxLinenConvTranspose().translate(transpose_case(dims=1, kernel=1, stride=2, padding="valid"))
    assert "(L-1)s + max(e, s)" in call.note


@pytest.mark.parametrize(
    "params, padding",
    [
        ({"kernel": 2, "padding": "same"}, "SAME"),
        ({"kernel": 3, "padding": "valid", "stride": 2}, "VALID"),
        ({"kernel": 2, "padding": "same_lower"}, [(1, 0)]),  # the odd zero before
        ({"kernel": 3, "stride": 2, "padding": "same_lower"}, [(1, 0)]),  # L = 6: total 1
        ({"kernel": 3, "padding": [[2, 0]]}, [(2, 0)]),
    ],
)
def test_conv_padding(params, padding):
    assert conv_padding_arg(conv_case(dims=1, **params)) == padding


@pytest.mark.parametrize("adapter", [FlaxLinenConv(), FlaxNnxConv()], ids=lambda a: a.name)
def test_conv_call_takes_groups_and_bias(adapter):
    call = adapter.translate(conv_case(dims=2, c_in=4, c_out=6, groups=2, b=[0.0] * 6, padding="same"))
    assert call.kwargs["feature_group_count"] == 2 and call.kwargs["use_bias"] is True
    assert call.kernel_layout == "HWIO"
    assert (call.kwargs.get("features") or call.kwargs["out_features"]) == 6


@pytest.mark.parametrize(
    "adapter, case, lines",
    [
        (
            FlaxLinenConvTranspose(),
            transpose_case(dims=2, stride=2, padding="same", b=[1.0, 2.0, 3.0]),
            ["import flax.linen", "layer = flax.linen.ConvTranspose(features=3,", "transpose_kernel=True",
             "dtype='float32', param_dtype='float32'", '"bias": jax.device_put(b.astype(np_dtype))',
             'out = layer.apply({"params": params}, xj)', "np.transpose(w, (2, 3, 1, 0))"],
        ),
        (
            FlaxNnxConvTransposeNoTransposeKernel(),
            transpose_case(dims=1, stride=2, padding="valid"),
            ["import flax.nnx", "flax.nnx.ConvTranspose(in_features=2, out_features=3,", "rngs=flax.nnx.Rngs(0)",
             "layer.kernel[...] = kernel", "np.transpose(w, (2, 0, 1))"],
        ),
        (
            FlaxNnxConv(),
            conv_case(dims=1, padding=[[1, 2]]),
            ["flax.nnx.Conv(in_features=4, out_features=6,", "padding=[(1, 2)]", "feature_group_count=1",
             "np.transpose(w, (2, 1, 0))"],
        ),
    ],
    ids=["linen-transpose-bias", "nnx-no-transpose-kernel", "nnx-conv"],
)
def test_rendered_call(adapter, case, lines):
    source = adapter.repro_source(case, adapter.translate(case))
    for line in lines:
        assert line in source
    assert "conformance" not in source
    assert 'jax.config.update("jax_enable_x64", True)' in source
    compile(source, "<rendered>", "exec")
