"""JAX adapters: ``jax.lax.conv_transpose`` (both kernel conventions), ``conv_general_dilated``.

1. Every call is channels first, through ``dimension_numbers`` ('NCH'/'NCHW'/'NCDHW'), so the
   canonical arrays go in as they are; only the kernel's *labels* differ between adapters.
2. ``lax.conv_transpose`` is a convolution of the stride-dilated input (``lhs_dilation``):
   'SAME'/'VALID' are modes of the forward conv, but explicit ``(low, high)`` pairs pad the
   dilated input. A canonical crop (before, after) + output_padding is the pair
   ``(e-1-before, e-1-after+output_padding)`` (``dilated_input_padding``).
3. float64 needs ``jax_enable_x64``: ``execute`` switches it on (lazily, process-wide), so a
   float64 case is never silently computed in float32.
"""

from __future__ import annotations

import numpy as np

from ..case import Case
from ..dtypes import numpy_dtype
from .base import Adapter, NativeCall, Unsupported, framework_call
from .layout import canonical_input_layout, canonical_kernel_layout, relayout, spatial_letters
from .canonical import canonical_transpose_length, effective_kernel, full_transpose_length

DOCS_CONV_TRANSPOSE = "https://docs.jax.dev/en/latest/_autosummary/jax.lax.conv_transpose.html"
DOCS_CONV_GENERAL_DILATED = "https://docs.jax.dev/en/latest/_autosummary/jax.lax.conv_general_dilated.html"
DOCS_CONV_TRANSPOSE_SIGNATURE = (
    DOCS_CONV_TRANSPOSE + " (signature: conv_transpose(lhs, rhs, strides, padding, rhs_dilation=None,"
    " dimension_numbers=None, transpose_kernel=False, precision=None, preferred_element_type=None,"
    " use_consistent_padding=False):"
    " no feature_group_count, no bias)"
)
DOCS_TRANSPOSE_KERNEL = (
    DOCS_CONV_TRANSPOSE + " ('transpose_kernel: if True flips spatial axes and swaps the input/output channel"
    " axes of the kernel. This makes the output of this function identical to the gradient-derived functions"
    " like keras.layers.Conv2DTranspose applied to the same kernel.')"
)
DOCS_EXPLICIT_PAIRS = (
    DOCS_CONV_TRANSPOSE + " ('If use_consistent_padding=False, the 'SAME' and 'VALID' strings are interpreted as"
    " the padding of the corresponding forward conv, but integer tuples are interpreted as padding for the"
    " transposed convolution.')"
)
DOCS_NO_BIAS_CONV = DOCS_CONV_GENERAL_DILATED + " (lhs, rhs, window_strides, padding, ...: no bias argument)"

CONV_PADDING_MODES = {"same": "SAME", "same_lower": "SAME_LOWER", "valid": "VALID"}
TRANSPOSE_PADDING_MODES = {"same": "SAME", "valid": "VALID"}


# -- layouts ---------------------------------------------------------------------------------
def jax_input_spec(dims: int) -> str:
    """'NCW' / 'NCHW' / 'NCDHW': lax's dimension_numbers string for a channels-first tensor."""
    return "NC" + spatial_letters(dims)


def jax_kernel_spec(dims: int, channels: str) -> str:
    """A kernel spec with the channel letters ``channels`` ('OI' or 'IO') first."""
    return channels + spatial_letters(dims)


def dimension_numbers(dims: int, kernel_channels: str) -> list[str]:
    """lax's (lhs_spec, rhs_spec, out_spec) for channels-first tensors."""
    return [jax_input_spec(dims), jax_kernel_spec(dims, kernel_channels), jax_input_spec(dims)]


# -- conv_transpose: the canonical window and jax's padding numbers ----------------------------
def canonical_window(length: int, kernel: int, stride: int, dilation: int, padding, output_padding: int, output_shape):
    """(before, O): the canonical output is ``full[before : before + O]`` (zeros outside ``full``).

    ``padding`` is a mode string or one (before, after) pair; this is the canonical
    arithmetic of SPEC.md, written here independently of the oracle.
    """
    out = canonical_transpose_length(length, kernel, stride, dilation, padding, output_padding, output_shape)
    if not isinstance(padding, str):
        return padding[0], out
    total = max(full_transpose_length(length, kernel, stride, dilation) - out, 0)
    before = {"valid": 0, "same": total // 2, "same_lower": total - total // 2}[padding]
    return before, out


def dilated_input_padding(length: int, kernel: int, stride: int, dilation: int, before: int, out: int):
    """The canonical window -> jax's explicit ``(low, high)`` pair for conv_transpose.

    jax's model: the input dilated by the stride (length ``(L-1)s+1``) is padded by
    ``(low, high)`` and correlated at stride 1 with the dilated kernel (length ``e``), so the
    output has ``(L-1)s + 1 + low + high - e + 1`` positions and starts at position
    ``e-1-low`` of the full scatter result. Hence ``low = e-1-before`` and
    ``high = e-1-(F-before-O)``; with explicit padding this is ``e-1-after+output_padding``.
    Negative values crop, as XLA's padding does.
    """
    e = effective_kernel(kernel, dilation)
    full = full_transpose_length(length, kernel, stride, dilation)
    return e - 1 - before, e - 1 - (full - before - out)


def jax_conv_transpose_mode_length(length: int, kernel: int, stride: int, dilation: int, mode: str) -> int:
    """The output length of ``lax.conv_transpose`` with padding 'SAME' or 'VALID'.

    ``_conv_transpose_padding`` (jax/_src/lax/convolution.py) pads the dilated input by
    ``e+s-2`` for SAME (length ``L*s``) and by ``e+s-2+max(e-s, 0)`` for VALID (length
    ``(L-1)s + max(e, s)``: Keras' default, not the full result ``(L-1)s + e`` when s > e).
    """
    if mode == "SAME":
        return length * stride
    return (length - 1) * stride + max(effective_kernel(kernel, dilation), stride)


def valid_length_note(case: Case) -> str:
    """Where jax's 'VALID' is longer than the canonical 'valid' window, say so for the report."""
    if case.padding != "valid" or case.output_shape is not None or min(case.stride) < 1 or min(case.dilation) < 1:
        return ""
    lengths = [
        (jax_conv_transpose_mode_length(length, kernel, s, d, "VALID"), full_transpose_length(length, kernel, s, d))
        for length, kernel, s, d in zip(case.x.shape[2:], case.kernel_spatial, case.stride, case.dilation)
    ]
    if all(jax_length == full for jax_length, full in lengths):
        return ""
    jax_lengths, full_lengths = [j for j, _ in lengths], [f for _, f in lengths]
    return f"; jax's 'VALID' gives (L-1)s + max(e, s) = {jax_lengths} positions, the full result {full_lengths}"


def invalid_crop_refusal(case: Case) -> Unsupported | None:
    """An invalid canonical crop that jax's explicit pairs would turn into a valid one.

    jax's pairs pad the dilated input and jax has no output_padding or output_shape, so a
    negative crop, a negative output_padding (also one implied by an output_shape below
    the cropped or 'valid' length) or an output_shape that disagrees with output_padding
    becomes an ordinary, valid pair: the invalid value itself has no jax parameter to
    reach. Non-positive strides/dilations are left for jax to refuse.
    """
    if min(case.stride) < 1 or min(case.dilation) < 1:
        return None
    for i in range(case.spatial_dims):
        length, kernel = case.x.shape[2 + i], case.w.shape[2 + i]
        full = full_transpose_length(length, kernel, case.stride[i], case.dilation[i])
        out = None if case.output_shape is None else case.output_shape[i]
        if isinstance(case.padding, str):
            before = after = 0
            implied = 0 if out is None or case.padding != "valid" else out - full
        else:
            before, after = case.padding[i]
            implied = case.output_padding[i] if out is None else out - (full - before - after)
            if out is not None and case.output_padding[i] and case.output_padding[i] != implied:
                return Unsupported(
                    "output-shape-with-output-padding",
                    f"spatial dim {i}: output_shape {out} implies output_padding {implied}, the case gives"
                    f" {case.output_padding[i]}; jax has neither parameter",
                    DOCS_EXPLICIT_PAIRS,
                )
        if min(before, after, implied, case.output_padding[i]) < 0:
            return Unsupported(
                "negative-padding",
                f"spatial dim {i}: crop ({before}, {after}) with output_padding {implied}: jax's explicit pairs pad"
                " the dilated input, so a negative crop or output_padding is an ordinary pair",
                DOCS_EXPLICIT_PAIRS,
            )
    return None


def conv_transpose_padding(case: Case, modes: dict[str, str]):
    """The case's padding -> jax's padding: a mode string from ``modes``, or explicit pairs.

    A canonical mode with a jax mode of the same name, and no output_shape, is passed as
    that mode (a divergence is a result). Everything else (explicit pairs, modes jax lacks,
    an output_shape) becomes the explicit pairs that give exactly the canonical window.
    """
    if isinstance(case.padding, str) and case.output_shape is None and case.padding in modes:
        return modes[case.padding]
    pairs = []
    for i in range(case.spatial_dims):
        length, kernel = case.x.shape[2 + i], case.w.shape[2 + i]
        stride, dilation = case.stride[i], case.dilation[i]
        padding = case.padding if isinstance(case.padding, str) else case.padding[i]
        output_shape = None if case.output_shape is None else case.output_shape[i]
        before, out = canonical_window(length, kernel, stride, dilation, padding, case.output_padding[i], output_shape)
        pairs.append(list(dilated_input_padding(length, kernel, stride, dilation, before, out)))
    return pairs


def mode_with_output_padding(case: Case, doc: str) -> Unsupported | None:
    """output_padding with a padding mode is an invalid canonical case jax has no way to be asked."""
    if isinstance(case.padding, str) and any(case.output_padding):
        return Unsupported(
            "output-padding-with-padding-mode",
            f"padding {case.padding!r} with output_padding {list(case.output_padding)}: jax has no output_padding",
            doc,
        )
    return None


# -- dtypes and arrays -------------------------------------------------------------------------
def enable_float64(jax) -> None:
    """Switch on ``jax_enable_x64`` (process-wide): without it jax silently makes float64 float32."""
    jax.config.update("jax_enable_x64", True)


def jax_array(jnp, array: np.ndarray, dtype: str):
    # Values are already rounded to the case dtype, so the float64 -> dtype cast is exact.
    return jnp.asarray(np.asarray(array, dtype=np.float64).astype(numpy_dtype(dtype)))


def to_canonical_float64(y, case: Case, call: NativeCall) -> np.ndarray:
    out = np.asarray(y).astype(np.float64)
    return relayout(out, call.input_layout, canonical_input_layout(case.spatial_dims))


REPRO_HEADER = """\
import numpy as np
import jax
jax.config.update("jax_enable_x64", True)  # or jax silently computes float64 in float32
import jax.numpy as jnp
from jax import lax

xj = jnp.asarray(x, dtype=dtype)
"""


def kwargs_source(kwargs: dict) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in kwargs.items())


# -- adapters ------------------------------------------------------------------------------------
class _JaxAdapter(Adapter):
    framework = "jax"
    module = "jax"
    # XlaRuntimeError and the compiled kernels live in jaxlib.
    framework_modules = ("jax", "jaxlib")
    # XLA's CPU convolution takes all four (float16/bfloat16 included).
    dtypes = frozenset({"float64", "float32", "float16", "bfloat16"})

    @classmethod
    def build_properties(cls) -> dict:
        """jaxlib's version (it carries XLA) and the backend the calls run on.

        XLA reports no kernel choice or ISA level to Python: its CPU switch
        (``XLA_FLAGS=--xla_cpu_max_isa=...``) is recorded with the run's environment.
        """
        import jax
        import jaxlib

        return {"jaxlib": str(jaxlib.__version__), "backend": jax.default_backend()}

    def execute(self, case: Case, call: NativeCall) -> np.ndarray:
        import jax
        import jax.numpy as jnp
        from jax import lax

        enable_float64(jax)
        x = jax_array(jnp, case.x, case.dtype)
        w = self.native_kernel(jnp, jax_array(jnp, case.w, case.dtype), call)
        with framework_call():
            y = getattr(lax, call.api.rsplit(".", 1)[1])(x, w, **self.native_kwargs(call))
            y = np.asarray(y)  # jax dispatches asynchronously: an XLA error surfaces here
        return to_canonical_float64(y, case, call)

    def native_kernel(self, jnp, w, call: NativeCall):
        """The kernel as the call takes it: the canonical array itself, unless overridden."""
        return w

    def native_kwargs(self, call: NativeCall) -> dict:
        """The call's kwargs as lax takes them (tuples where lax wants hashable values)."""
        kwargs = dict(call.kwargs)
        kwargs["dimension_numbers"] = tuple(kwargs["dimension_numbers"])
        if isinstance(kwargs.get("padding"), list):
            kwargs["padding"] = [tuple(pair) for pair in kwargs["padding"]]
        return kwargs

    def repro_kernel_source(self, call: NativeCall) -> str:
        return "wj = jnp.asarray(w, dtype=dtype)\n"

    def repro_source(self, case: Case, call: NativeCall) -> str:
        kwargs = self.native_kwargs(call)
        return (
            REPRO_HEADER
            + self.repro_kernel_source(call)
            + f"out = {call.api}(xj, wj, {kwargs_source(kwargs)})\n"
            + "y = np.asarray(out).astype(np.float64)\n"
        )


class JaxConvTranspose(_JaxAdapter):
    """``lax.conv_transpose(..., transpose_kernel=True)``: the gradient-of-conv convention.

    With ``transpose_kernel=True`` the kernel is the *forward* conv's kernel: jax flips its
    spatial axes and swaps its 'O' and 'I' axes. The canonical (C_in, C_out, *k) array is
    exactly that kernel (its axis 0 is the forward conv's output), so it goes in as is,
    labelled 'OI' + spatial.
    """

    name = "jax.lax.conv_transpose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE
    TRANSPOSE_KERNEL = True
    KERNEL_CHANNELS = "OI"
    NOTE = (
        "canonical (C_in, C_out, *k) kernel passed as is, labelled 'OI'+spatial (the forward conv's kernel);"
        " explicit pairs pad the stride-dilated input: (e-1-before, e-1-after+output_padding)"
    )

    def translate(self, case: Case) -> NativeCall | Unsupported:
        if case.groups != 1:
            return Unsupported("groups", "lax.conv_transpose has no feature_group_count", DOCS_CONV_TRANSPOSE_SIGNATURE)
        if case.b is not None:
            return Unsupported("bias", "lax.conv_transpose has no bias argument", DOCS_CONV_TRANSPOSE_SIGNATURE)
        refusal = mode_with_output_padding(case, DOCS_CONV_TRANSPOSE) or invalid_crop_refusal(case)
        if refusal is not None:
            return refusal
        dims = case.spatial_dims
        return NativeCall(
            api="jax.lax.conv_transpose",
            kwargs={
                "strides": list(case.stride),
                "padding": conv_transpose_padding(case, TRANSPOSE_PADDING_MODES),
                "rhs_dilation": list(case.dilation),
                "dimension_numbers": dimension_numbers(dims, self.KERNEL_CHANNELS),
                "transpose_kernel": self.TRANSPOSE_KERNEL,
            },
            input_layout=canonical_input_layout(dims),
            kernel_layout=canonical_kernel_layout(case.op, dims),
            note=self.NOTE + valid_length_note(case),
        )


class JaxConvTransposeNoTransposeKernel(JaxConvTranspose):
    """``lax.conv_transpose`` with its default ``transpose_kernel=False``.

    jax then correlates the dilated input with the kernel as given: no spatial flip, and the
    kernel's 'I' axis reads the input channels. The canonical array is labelled 'IO' +
    spatial (its real channel roles), so the channels line up and only the flip is missing:
    this is *not* the transpose of conv, and the results show it (diagnosis kernel-flipped).
    """

    name = "jax.lax.conv_transpose.no_transpose_kernel"
    TRANSPOSE_KERNEL = False
    KERNEL_CHANNELS = "IO"
    NOTE = (
        "default transpose_kernel=False: canonical (C_in, C_out, *k) kernel labelled 'IO'+spatial and not flipped;"
        " explicit pairs pad the stride-dilated input: (e-1-before, e-1-after+output_padding)"
    )


class JaxLhsDilatedConv(_JaxAdapter):
    """conv_transpose as ``lax.conv_general_dilated`` of the stride-dilated, padded input.

    The seeds' formulation: ``lhs_dilation=stride``, window stride 1, explicit pairs
    ``(e-1-before, e-1-after+output_padding)``, with the spatially flipped kernel whose
    in/out channels are swapped within each group. That kernel preparation *is* this
    formulation, so it belongs to the native call (see ``prepared_kernel_source``).
    """

    name = "jax.lax.conv_general_dilated.lhs_dilation"
    op = "conv_transpose"
    docs = DOCS_CONV_GENERAL_DILATED

    def translate(self, case: Case) -> NativeCall | Unsupported:
        if case.b is not None:
            return Unsupported("bias", "lax.conv_general_dilated has no bias argument", DOCS_NO_BIAS_CONV)
        refusal = mode_with_output_padding(case, DOCS_CONV_GENERAL_DILATED) or invalid_crop_refusal(case)
        if refusal is not None:
            return refusal
        dims = case.spatial_dims
        return NativeCall(
            api="jax.lax.conv_general_dilated",
            kwargs={
                "window_strides": [1] * dims,
                # lax's own 'SAME' here would be 'same' for the dilated input: always explicit pairs.
                "padding": conv_transpose_padding(case, {}),
                "lhs_dilation": list(case.stride),
                "rhs_dilation": list(case.dilation),
                "dimension_numbers": dimension_numbers(dims, "OI"),
                "feature_group_count": case.groups,
            },
            input_layout=canonical_input_layout(dims),
            kernel_layout=canonical_kernel_layout(case.op, dims),
            note=(
                "kernel prepared as the formulation defines it: (C_in, C_out/g, *k) -> per group swap in/out"
                " -> (C_out, C_in/g, *k), spatially flipped; explicit pairs (e-1-before, e-1-after+output_padding)"
            ),
        )

    def native_kernel(self, jnp, w, call: NativeCall):
        groups = call.kwargs["feature_group_count"]
        c_in, c_out_per_group, *k = w.shape
        if c_in % max(groups, 1):  # an invalid grouping goes to jax as it is, for jax to refuse
            return jnp.flip(w, axis=tuple(range(2, w.ndim)))
        grouped = jnp.reshape(w, (groups, c_in // groups, c_out_per_group, *k))
        swapped = jnp.reshape(jnp.swapaxes(grouped, 1, 2), (groups * c_out_per_group, c_in // groups, *k))
        return jnp.flip(swapped, axis=tuple(range(2, w.ndim)))

    def repro_kernel_source(self, call: NativeCall) -> str:
        groups = call.kwargs["feature_group_count"]
        return (
            "# the formulation's kernel: per group swap in/out, (C_in, C_out/g, *k) -> (C_out, C_in/g, *k), flip\n"
            f"groups = {groups}\n"
            "c_in, c_out_g, *k = w.shape\n"
            "wg = np.swapaxes(w.reshape(groups, c_in // groups, c_out_g, *k), 1, 2)\n"
            "wg = wg.reshape(groups * c_out_g, c_in // groups, *k)\n"
            "wj = jnp.asarray(np.flip(wg, axis=tuple(range(2, w.ndim))).copy(), dtype=dtype)\n"
        )


class JaxConvGeneralDilated(_JaxAdapter):
    """``lax.conv_general_dilated``: cross-correlation with lax's own padding modes or pairs."""

    name = "jax.lax.conv_general_dilated"
    op = "conv"
    docs = DOCS_CONV_GENERAL_DILATED

    def translate(self, case: Case) -> NativeCall | Unsupported:
        if case.b is not None:
            return Unsupported("bias", "lax.conv_general_dilated has no bias argument", DOCS_NO_BIAS_CONV)
        dims = case.spatial_dims
        padding = case.padding
        jax_padding = CONV_PADDING_MODES[padding] if isinstance(padding, str) else [list(pair) for pair in padding]
        return NativeCall(
            api="jax.lax.conv_general_dilated",
            kwargs={
                "window_strides": list(case.stride),
                "padding": jax_padding,
                "rhs_dilation": list(case.dilation),
                "dimension_numbers": dimension_numbers(dims, "OI"),
                "feature_group_count": case.groups,
            },
            input_layout=canonical_input_layout(dims),
            kernel_layout=canonical_kernel_layout(case.op, dims),
        )


ADAPTERS = [JaxConvTranspose, JaxConvTransposeNoTransposeKernel, JaxLhsDilatedConv, JaxConvGeneralDilated]
