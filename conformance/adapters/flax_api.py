"""Flax adapters: ``flax.linen`` and ``flax.nnx`` ``ConvTranspose`` (``transpose_kernel`` both
ways, each its own adapter, as for ``jax.lax.conv_transpose``) and ``Conv``.

1. Flax is channels last: input (N, *spatial, C). Kernels: ``Conv`` (*k, C_in/groups, C_out);
   ``ConvTranspose`` (*k, C_in, C_out) with its default ``transpose_kernel=False`` and
   (*k, C_out, C_in) - the forward conv's kernel - with ``transpose_kernel=True``.
2. ``ConvTranspose`` calls ``lax.conv_transpose`` with its padding as given ('SAME',
   'VALID' or ``(low, high)`` pairs of the stride-dilated input): jax_api's translation is the
   translation (``conv_transpose_padding`` and its refusals), imported. So are jax's
   conventions: 'VALID' is Keras' length, and ``transpose_kernel=False`` does not flip.
   ``ConvTranspose`` has no ``feature_group_count``.
3. ``Conv`` calls ``lax.conv_general_dilated``: 'SAME', 'VALID' or pairs; 'same_lower' is
   its pairs (Flax documents no 'SAME_LOWER').
4. The layer is built as a user builds it, its ``dtype`` and ``param_dtype`` the case's, and
   the canonical arrays are its parameters. float64 needs ``jax_enable_x64`` (switched on).
   The run is the rendered call (``Adapter.execute`` runs ``repro_source``).
"""

from __future__ import annotations

from typing import Any

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .canonical import axes
from .jax_api import (
    TRANSPOSE_PADDING_MODES,
    conv_transpose_padding,
    invalid_crop_refusal,
    mode_with_output_padding,
    valid_length_note,
)
from .layout import canonical_input_layout, canonical_kernel_layout, spatial_letters

DOCS_LINEN = "https://flax.readthedocs.io/en/latest/api_reference/flax.linen/layers.html"
DOCS_NNX = "https://flax.readthedocs.io/en/latest/api_reference/flax.nnx/nn/linear.html"
DOCS_LINEN_CONV_TRANSPOSE = DOCS_LINEN + "#flax.linen.ConvTranspose"
DOCS_NNX_CONV_TRANSPOSE = DOCS_NNX + "#flax.nnx.ConvTranspose"
DOCS_LINEN_CONV = DOCS_LINEN + "#flax.linen.Conv"
DOCS_NNX_CONV = DOCS_NNX + "#flax.nnx.Conv"
NO_GROUPS = (
    " (features, kernel_size, strides, padding, kernel_dilation, use_bias, ..., transpose_kernel:"
    " no feature_group_count, unlike Conv)"
)


# -- layouts ---------------------------------------------------------------------------------------
def flax_input_layout(dims: int) -> str:
    """NWC / NHWC / NDHWC."""
    return "N" + spatial_letters(dims) + "C"


def flax_kernel_layout(op: str, dims: int, transpose_kernel: bool = False) -> str:
    """The kernel's layout in canonical letters (I, O: the canonical kernel's in/out channels).

    Conv: (*k, C_in/groups, C_out). ConvTranspose: (*k, C_in, C_out); with
    ``transpose_kernel=True`` (*k, C_out, C_in), the kernel of the conv it is the transpose of.
    """
    channels = "OI" if op == "conv_transpose" and transpose_kernel else "IO"
    return spatial_letters(dims) + channels


def transpose_axes(src: str, dst: str) -> tuple[int, ...]:
    """The ``np.transpose`` axes that take layout ``src`` to ``dst``."""
    return tuple(src.index(letter) for letter in dst)


# -- padding ----------------------------------------------------------------------------------------
def flax_pairs(pairs) -> list[tuple[int, int]]:
    """Flax's ``canonicalize_padding`` takes pairs as tuples only (a list pair is refused)."""
    return [tuple(pair) for pair in pairs]


def conv_transpose_padding_arg(case: Case) -> str | list[tuple[int, int]]:
    """'SAME' / 'VALID' where the canonical mode has that name, else jax's pairs for the window."""
    padding = conv_transpose_padding(case, TRANSPOSE_PADDING_MODES)
    return padding if isinstance(padding, str) else flax_pairs(padding)


def conv_padding_arg(case: Case) -> str | list[tuple[int, int]]:
    """'SAME' / 'VALID' as themselves; 'same_lower' as its pairs (odd zero before); pairs as pairs.

    A non-positive stride leaves 'same_lower' unpadded: Flax (lax) is asked and refuses the stride.
    """
    if case.padding in ("same", "valid"):
        return case.padding.upper()
    if case.padding == "same_lower":
        if min(case.stride) < 1:
            return [(0, 0)] * case.spatial_dims
        totals = [axis.same_total() for axis in axes(case)]
        return [(total - total // 2, total // 2) for total in totals]
    return flax_pairs(case.padding)


# -- the rendered call: the run and the repro --------------------------------------------------------
RENDERED_HEADER = """\
import numpy as np
import jax
jax.config.update("jax_enable_x64", True)  # or jax silently computes float64 in float32
import jax.numpy as jnp

# The casts to dtype are numpy's, on the host (jnp.dtype("bfloat16") is ml_dtypes' bfloat16): the
# rounding the oracle applies. device_put moves the arrays as they are; jnp.asarray (and a cast
# on the device) would compile an XLA program per shape.
np_dtype = jnp.dtype(dtype)
"""


def host_cast_source(array: str) -> str:
    """``array`` (a numpy expression) cast to the case dtype on the host and put on the device."""
    return f"jax.device_put({array}.astype(np_dtype))"


def arguments_source(kwargs: dict) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in kwargs.items())


# An nnx layer's parameters are drawn when it is built: zeros, not its default random draw,
# since the case's kernel and bias replace them at once, and XLA compiles the draw (a truncated
# normal) anew for every kernel shape (5-10 s a case, most of the flax corpus' time).
NNX_INITS = "kernel_init=flax.nnx.initializers.zeros, bias_init=flax.nnx.initializers.zeros"


class _FlaxAdapter(Adapter):
    framework = "flax"
    module = "flax"
    # Flax's checks raise from flax; lax's and XLA's from jax and jaxlib.
    framework_modules = ("flax", "jax", "jaxlib")
    # The layers take any dtype and param_dtype; XLA's CPU convolution computes all four.
    dtypes = frozenset({"float64", "float32", "float16", "bfloat16"})
    API = ""  # "linen" or "nnx"
    LAYER = ""  # "ConvTranspose" or "Conv"
    TRANSPOSE_KERNEL: bool | None = None  # ConvTranspose only

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """jax and jaxlib (XLA) under Flax, and the backend the calls run on."""
        import jax
        import jaxlib

        return {"jax": str(jax.__version__), "jaxlib": str(jaxlib.__version__), "backend": jax.default_backend()}

    def channels(self, case: Case) -> tuple[int, int]:
        """(in_features, out_features) as the canonical kernel holds them."""
        if case.op == "conv":
            return case.w.shape[1] * case.groups, case.w.shape[0]
        return case.w.shape[0], case.w.shape[1] * case.groups

    def native_call(self, case: Case, kwargs: dict[str, Any], note: str = "") -> NativeCall:
        dims = case.spatial_dims
        in_features, out_features = self.channels(case)
        features = (
            {"features": out_features}
            if self.API == "linen"
            else {"in_features": in_features, "out_features": out_features}
        )
        return NativeCall(
            api=f"flax.{self.API}.{self.LAYER}",
            kwargs={**features, "kernel_size": tuple(case.kernel_spatial), **kwargs, "use_bias": case.b is not None},
            input_layout=flax_input_layout(dims),
            kernel_layout=flax_kernel_layout(case.op, dims, bool(self.TRANSPOSE_KERNEL)),
            note=note,
        )

    def repro_source(self, case: Case, call: NativeCall) -> str:
        dims = case.spatial_dims
        canonical_x = canonical_input_layout(dims)
        canonical_w = canonical_kernel_layout(case.op, dims)
        to_x = transpose_axes(canonical_x, call.input_layout)
        to_w = transpose_axes(canonical_w, call.kernel_layout)
        back = transpose_axes(call.input_layout, canonical_x)
        layer_args = arguments_source({**call.kwargs, "dtype": case.dtype, "param_dtype": case.dtype})
        lines = [
            RENDERED_HEADER,
            f"import flax.{self.API}",
            "",
            f"xj = {host_cast_source(f'np.transpose(x, {to_x})')}  # {canonical_x} -> {call.input_layout}",
            f"kernel = {host_cast_source(f'np.transpose(w, {to_w})')}  # {canonical_w} -> {call.kernel_layout}",
        ]
        if self.API == "linen":
            lines += [
                f"layer = {call.api}({layer_args})",
                'params = {"kernel": kernel}' if case.b is None else
                'params = {"kernel": kernel, "bias": ' + host_cast_source("b") + "}",
                'out = layer.apply({"params": params}, xj)',
            ]
        else:
            lines += [f"layer = {call.api}({layer_args}, {NNX_INITS}, rngs=flax.nnx.Rngs(0))", "layer.kernel[...] = kernel"]
            if case.b is not None:
                lines.append("layer.bias[...] = " + host_cast_source("b"))
            lines.append("out = layer(xj)")
        # jax dispatches asynchronously: an XLA error surfaces when the output is read.
        lines.append(f"y = np.transpose(np.asarray(out).astype(np.float64), {back})  # -> {canonical_x}")
        return "\n".join(lines) + "\n"


class _FlaxConvTranspose(_FlaxAdapter):
    op = "conv_transpose"
    LAYER = "ConvTranspose"
    TRANSPOSE_KERNEL = True

    def translate(self, case: Case) -> NativeCall | Unsupported:
        if case.groups != 1:
            return Unsupported("groups", f"{self.API}.ConvTranspose has no feature_group_count", self.docs + NO_GROUPS)
        refusal = mode_with_output_padding(case, self.docs) or invalid_crop_refusal(case)
        if refusal is not None:
            return refusal
        kernel = (
            "(*k, C_out, C_in), the forward conv's kernel (transpose_kernel=True)"
            if self.TRANSPOSE_KERNEL
            else "(*k, C_in, C_out), not flipped (transpose_kernel=False, the default)"
        )
        return self.native_call(
            case,
            {
                "strides": tuple(case.stride),
                "padding": conv_transpose_padding_arg(case),
                "kernel_dilation": tuple(case.dilation),
                "transpose_kernel": self.TRANSPOSE_KERNEL,
            },
            note=f"kernel {kernel}; explicit pairs pad the stride-dilated input (lax.conv_transpose)"
            + valid_length_note(case),
        )


class FlaxLinenConvTranspose(_FlaxConvTranspose):
    """``flax.linen.ConvTranspose(..., transpose_kernel=True)``: the transpose of conv."""

    name = "flax.linen.ConvTranspose"
    docs = DOCS_LINEN_CONV_TRANSPOSE
    API = "linen"


class FlaxLinenConvTransposeNoTransposeKernel(FlaxLinenConvTranspose):
    """``flax.linen.ConvTranspose`` with its default ``transpose_kernel=False`` (no flip)."""

    name = "flax.linen.ConvTranspose.no_transpose_kernel"
    TRANSPOSE_KERNEL = False


class FlaxNnxConvTranspose(_FlaxConvTranspose):
    """``flax.nnx.ConvTranspose(..., transpose_kernel=True)``."""

    name = "flax.nnx.ConvTranspose"
    docs = DOCS_NNX_CONV_TRANSPOSE
    API = "nnx"


class FlaxNnxConvTransposeNoTransposeKernel(FlaxNnxConvTranspose):
    """``flax.nnx.ConvTranspose`` with its default ``transpose_kernel=False`` (no flip)."""

    name = "flax.nnx.ConvTranspose.no_transpose_kernel"
    TRANSPOSE_KERNEL = False


class _FlaxConv(_FlaxAdapter):
    op = "conv"
    LAYER = "Conv"

    def translate(self, case: Case) -> NativeCall | Unsupported:
        return self.native_call(
            case,
            {
                "strides": tuple(case.stride),
                "padding": conv_padding_arg(case),
                "kernel_dilation": tuple(case.dilation),
                "feature_group_count": case.groups,
            },
        )


class FlaxLinenConv(_FlaxConv):
    """``flax.linen.Conv``."""

    name = "flax.linen.Conv"
    docs = DOCS_LINEN_CONV
    API = "linen"


class FlaxNnxConv(_FlaxConv):
    """``flax.nnx.Conv``."""

    name = "flax.nnx.Conv"
    docs = DOCS_NNX_CONV
    API = "nnx"


ADAPTERS = [
    FlaxLinenConvTranspose,
    FlaxLinenConvTransposeNoTransposeKernel,
    FlaxNnxConvTranspose,
    FlaxNnxConvTransposeNoTransposeKernel,
    FlaxLinenConv,
    FlaxNnxConv,
]
