"""MLX adapters: ``mlx.core.conv_transpose{1,2,3}d``, ``mlx.core.conv{1,2,3}d`` and ``mlx.core.conv_general``.

1. MLX is channels last: input (N, *spatial, C_in), weight (C_out, *k, C_in/groups) for
   the forward conv *and* for the transposed one (whose C_in is the transposed call's
   input). The canonical conv_transpose kernel (C_in, C_out/g, *k) therefore has its
   in/out channels swapped within each group before the relayout (``kernel_source``).
2. ``conv_transpose*d`` crops ``padding`` from both ends of the full result and appends
   ``output_padding`` at the end (``conv_transpose_general`` in mlx/ops.cpp: a flipped
   conv of the stride-dilated input padded by ``(e-1-p, e-1-p+output_padding)``), torch's
   model: the translation is torch's (``torch_api.conv_transpose_args``), imported.
3. The functions have no bias argument, and ``conv{1,2,3}d`` one symmetric padding per dim;
   ``conv_general`` takes ``(low, high)`` lists, so it says every forward padding.
4. The run is the rendered call (``Adapter.execute`` runs ``repro_source``).
"""

from __future__ import annotations

from typing import Any

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .canonical import axes
from .layout import canonical_input_layout, canonical_kernel_layout, spatial_letters
from .torch_api import conv_transpose_args as torch_conv_transpose_args

DOCS_ROOT = "https://ml-explore.github.io/mlx/build/html/python/_autosummary/"
DOCS_CONV_TRANSPOSE = DOCS_ROOT + "mlx.core.conv_transpose2d.html"
DOCS_CONV = DOCS_ROOT + "mlx.core.conv2d.html"
DOCS_CONV_GENERAL = DOCS_ROOT + "mlx.core.conv_general.html"
DOCS_NO_BIAS = " (signature: input, weight, stride, padding, dilation, ..., groups: no bias argument)"
DOCS_SYMMETRIC_TRANSPOSE = (
    DOCS_CONV_TRANSPOSE + " ('padding (int or tuple(int), optional): tuple of size 2 with symmetric input padding';"
    " no padding modes)"
)
DOCS_SYMMETRIC_CONV = DOCS_CONV + " ('padding: tuple of size 2 with symmetric input padding'; no padding modes)"

# Why torch's translation refused, in MLX's terms (the same symmetric-crop model).
TRANSPOSE_REFUSALS = {
    "asymmetric-padding": "mlx crops one `padding` from both ends (output_padding only appends)",
    "output-padding-with-padding-mode": "mlx has no padding modes, only symmetric amounts",
    "output-shape-with-output-padding": "mlx has no output size argument, only output_padding",
}


# -- layouts ---------------------------------------------------------------------------------------
def mlx_input_layout(dims: int) -> str:
    """NWC / NHWC / NDHWC."""
    return "N" + spatial_letters(dims) + "C"


def mlx_weight_layout(dims: int) -> str:
    """(C_out, *k, C_in/groups): the layout of every MLX conv weight, transposed ones included."""
    return "O" + spatial_letters(dims) + "I"


def transpose_axes(src: str, dst: str) -> tuple[int, ...]:
    """The ``np.transpose`` axes that take layout ``src`` to ``dst``."""
    return tuple(src.index(letter) for letter in dst)


# -- conv_transpose ---------------------------------------------------------------------------------
def conv_transpose_args(case: Case) -> dict[str, Any] | Unsupported:
    """The case -> ``stride``, ``padding``, ``dilation``, ``output_padding``, ``groups``.

    MLX's window is torch's, ``full[p : F - p + output_padding]`` (mlx/ops.cpp pads the
    dilated input by ``e-1-p`` low and ``e-1-p+output_padding`` high), so torch's
    translation is the translation; only its refusals are reworded for MLX.
    """
    args = torch_conv_transpose_args(case)
    if isinstance(args, Unsupported):
        detail = args.detail.split(";")[0].split(": torch")[0]
        return Unsupported(args.reason, f"{detail}; {TRANSPOSE_REFUSALS[args.reason]}", DOCS_SYMMETRIC_TRANSPOSE)
    return args


# -- conv -------------------------------------------------------------------------------------------
def conv_padding_pairs(case: Case) -> list[tuple[int, int]]:
    """The canonical forward padding as (low, high) per dim: 'same' puts an odd zero after,
    'same_lower' before; a non-positive stride leaves 'same' unpadded (MLX refuses the stride)."""
    if not isinstance(case.padding, str):
        return [tuple(pair) for pair in case.padding]
    if case.padding == "valid" or min(case.stride) < 1:
        return [(0, 0)] * case.spatial_dims
    totals = [axis.same_total() for axis in axes(case)]
    if case.padding == "same":
        return [(total // 2, total - total // 2) for total in totals]
    return [(total - total // 2, total // 2) for total in totals]


def symmetric_conv_padding(case: Case) -> list[int] | Unsupported:
    """``conv{1,2,3}d``'s one int per dim, or Unsupported where the two ends differ."""
    pairs = conv_padding_pairs(case)
    if any(low != high for low, high in pairs):
        what = f"'{case.padding}' needs" if isinstance(case.padding, str) else "padding"
        return Unsupported(
            "asymmetric-padding",
            f"{what} (low, high) = {[list(pair) for pair in pairs]}; mlx's conv pads both ends alike",
            DOCS_SYMMETRIC_CONV,
        )
    return [low for low, _ in pairs]


# -- the rendered call: the run and the repro --------------------------------------------------------
def kernel_source(case: Case, call: NativeCall) -> str:
    """Lines leaving ``wm``: the canonical kernel as MLX takes it, (C_out, *k, C_in/groups)."""
    dims = case.spatial_dims
    to_mlx = transpose_axes(canonical_kernel_layout("conv", dims), call.kernel_layout)
    if case.op == "conv":
        return f"wm = mx.array(np.transpose(w, {to_mlx})).astype(mx_dtype)  # (C_out, C_in/groups, *k) -> {call.kernel_layout}\n"
    groups = call.kwargs["groups"]
    if groups < 1 or case.w.shape[0] % groups:
        # No per-group swap exists for this grouping: the plain swap goes in and MLX's own
        # channel checks answer for the invalid case.
        return (
            "# The kernel's input channels do not split into `groups` equal parts: in/out swapped as a whole.\n"
            f"w_conv = np.swapaxes(w, 0, 1)\n"
            f"wm = mx.array(np.transpose(w_conv, {to_mlx})).astype(mx_dtype)\n"
        )
    return (
        "# MLX's transposed-conv weight is (C_out, *k, C_in/groups): swap in/out within each group.\n"
        f"groups = {groups}\n"
        "c_in, c_out_g, *k = w.shape\n"
        "w_conv = np.swapaxes(w.reshape(groups, c_in // groups, c_out_g, *k), 1, 2)\n"
        "w_conv = w_conv.reshape(groups * c_out_g, c_in // groups, *k)\n"
        f"wm = mx.array(np.transpose(w_conv, {to_mlx})).astype(mx_dtype)  # -> {call.kernel_layout}\n"
    )


def mlx_kwargs_source(kwargs: dict) -> str:
    """Keyword arguments as MLX takes them: tuples per dim (conv_general: lists)."""
    return ", ".join(f"{key}={value!r}" for key, value in kwargs.items())


class _MlxAdapter(Adapter):
    framework = "mlx"
    module = "mlx.core"
    pip_package = "mlx[cpu]"
    framework_modules = ("mlx",)
    # mx.array takes all four; whether the CPU convolution computes one is MLX's answer.
    dtypes = frozenset({"float64", "float32", "float16", "bfloat16"})

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """The device the calls run on (MLX's CPU backend here; Metal or CUDA elsewhere)."""
        import mlx.core as mx

        return {"mlx_device": str(mx.default_device())}

    def native_call(self, case: Case, api: str, kwargs: dict[str, Any], note: str = "") -> NativeCall:
        dims = case.spatial_dims
        return NativeCall(api, kwargs, mlx_input_layout(dims), mlx_weight_layout(dims), note)

    def repro_source(self, case: Case, call: NativeCall) -> str:
        dims = case.spatial_dims
        to_mlx = transpose_axes(canonical_input_layout(dims), call.input_layout)
        back = transpose_axes(call.input_layout, canonical_input_layout(dims))
        return (
            "import numpy as np\n"
            "import mlx.core as mx\n"
            "\n"
            "mx_dtype = getattr(mx, dtype)\n"
            f"xm = mx.array(np.transpose(x, {to_mlx})).astype(mx_dtype)  # -> {call.input_layout}\n"
            + kernel_source(case, call)
            + f"out = {call.api}(xm, wm, {mlx_kwargs_source(call.kwargs)})\n"
            # MLX is lazy: the convolution runs (and may raise) when the output is read.
            + f"y = np.transpose(np.array(out.astype(mx.float64)), {back})  # {call.input_layout} -> NC...\n"
        )


class MlxConvTranspose(_MlxAdapter):
    """``mlx.core.conv_transpose{1,2,3}d``."""

    name = "mlx.core.conv_transpose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE

    def translate(self, case: Case) -> NativeCall | Unsupported:
        if case.b is not None:
            return Unsupported("bias", "mlx.core.conv_transpose*d has no bias argument", DOCS_CONV_TRANSPOSE + DOCS_NO_BIAS)
        args = conv_transpose_args(case)
        if isinstance(args, Unsupported):
            return args
        kwargs = {
            "stride": tuple(args["stride"]),
            "padding": tuple(args["padding"]),
            "dilation": tuple(args["dilation"]),
            "output_padding": tuple(args["output_padding"]),
            "groups": args["groups"],
        }
        if case.spatial_dims == 1:  # conv_transpose1d takes ints
            kwargs = {key: value[0] if isinstance(value, tuple) else value for key, value in kwargs.items()}
        return self.native_call(
            case,
            f"mx.conv_transpose{case.spatial_dims}d",
            kwargs,
            "weight (C_out, *k, C_in/groups): the canonical kernel's in/out swapped within each group",
        )


class MlxConv(_MlxAdapter):
    """``mlx.core.conv{1,2,3}d``: one symmetric padding per dim."""

    name = "mlx.core.conv"
    op = "conv"
    docs = DOCS_CONV

    def translate(self, case: Case) -> NativeCall | Unsupported:
        if case.b is not None:
            return Unsupported("bias", "mlx.core.conv*d has no bias argument", DOCS_CONV + DOCS_NO_BIAS)
        padding = symmetric_conv_padding(case)
        if isinstance(padding, Unsupported):
            return padding
        kwargs = {
            "stride": tuple(case.stride),
            "padding": tuple(padding),
            "dilation": tuple(case.dilation),
            "groups": case.groups,
        }
        if case.spatial_dims == 1:
            kwargs = {key: value[0] if isinstance(value, tuple) else value for key, value in kwargs.items()}
        return self.native_call(case, f"mx.conv{case.spatial_dims}d", kwargs)


class MlxConvGeneral(_MlxAdapter):
    """``mlx.core.conv_general``: a (low, high) padding per dim, so every canonical padding."""

    name = "mlx.core.conv_general"
    op = "conv"
    docs = DOCS_CONV_GENERAL

    def translate(self, case: Case) -> NativeCall | Unsupported:
        if case.b is not None:
            return Unsupported("bias", "mlx.core.conv_general has no bias argument", DOCS_CONV_GENERAL + DOCS_NO_BIAS)
        pairs = conv_padding_pairs(case)
        kwargs = {
            "stride": list(case.stride),
            "padding": ([low for low, _ in pairs], [high for _, high in pairs]),
            "kernel_dilation": list(case.dilation),
            "groups": case.groups,
        }
        return self.native_call(case, "mx.conv_general", kwargs, "padding as ([low per dim], [high per dim])")


ADAPTERS = [MlxConvTranspose, MlxConv, MlxConvGeneral]
