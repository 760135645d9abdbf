"""JAX adapters: ``jax.lax.conv_transpose`` (both kernel conventions), ``conv_general_dilated``,
and one recipe (conv_transpose as ``conv_general_dilated`` with ``lhs_dilation``).

1. Every call is channels first, through ``dimension_numbers`` ('NCH'/'NCHW'/'NCDHW'), so the
   canonical arrays go in as they are; only the kernel's *labels* differ between adapters.
2. ``lax.conv_transpose`` is a convolution of the stride-dilated input (``lhs_dilation``):
   'SAME'/'VALID' are modes of the forward conv, but explicit ``(low, high)`` pairs pad the
   dilated input. A canonical crop (before, after) + output_padding is the pair
   ``(e-1-before, e-1-after+output_padding)`` (``dilated_input_padding``).
3. float64 needs ``jax_enable_x64``: the rendered call switches it on (process-wide), so a
   float64 case is never silently computed in float32.
4. The run is the rendered call (``Adapter.execute`` runs ``repro_source``), the text a user
   pastes into an upstream issue: the casts, the kernel the call takes, the call, the read-back.
5. The casts to the case dtype are numpy's on the host (bfloat16 is ml_dtypes', the type
   ``jnp.dtype`` names), the rounding the oracle applies (``dtypes.round_to_dtype``), and
   ``jax.device_put`` moves the result: ``jnp.asarray`` compiles an XLA program per shape and
   dtype even for an array already of its dtype (``jit(stage)``, jax 0.10), a cast on the
   device (``jnp.asarray(x, dtype=...)``) one more, where device_put compiles none.
"""

from __future__ import annotations

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .canonical import axes, effective_kernel, full_transpose_length
from .layout import canonical_input_layout, canonical_kernel_layout, spatial_letters

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


# -- conv_transpose: jax's padding numbers for the canonical window (canonical.transpose_window) --
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
    return full_transpose_length(length, kernel, stride, dilation) + max(stride - effective_kernel(kernel, dilation), 0)


def valid_length_note(case: Case) -> str:
    """Where jax's 'VALID' is longer than the canonical 'valid' window, say so for the report."""
    if case.padding != "valid" or case.output_shape is not None or min(case.stride) < 1 or min(case.dilation) < 1:
        return ""
    lengths = [
        (jax_conv_transpose_mode_length(axis.length, axis.kernel, axis.stride, axis.dilation, "VALID"), axis.full)
        for axis in axes(case)
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
    for i, axis in enumerate(axes(case)):
        out = axis.output_shape
        if isinstance(axis.padding, str):
            before = after = 0
            implied = 0 if out is None or axis.padding != "valid" else out - axis.full
        else:
            before, after = axis.padding
            implied = axis.output_padding if out is None else out - (axis.full - before - after)
            if out is not None and axis.output_padding and axis.output_padding != implied:
                return Unsupported(
                    "output-shape-with-output-padding",
                    f"spatial dim {i}: output_shape {out} implies output_padding {implied}, the case gives"
                    f" {axis.output_padding}; jax has neither parameter",
                    DOCS_EXPLICIT_PAIRS,
                )
        if min(before, after, implied, axis.output_padding) < 0:
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
    return [
        list(dilated_input_padding(axis.length, axis.kernel, axis.stride, axis.dilation, *axis.window()))
        for axis in axes(case)
    ]


def mode_with_output_padding(case: Case, doc: str) -> Unsupported | None:
    """output_padding with a padding mode is an invalid canonical case jax has no way to be asked."""
    if isinstance(case.padding, str) and any(case.output_padding):
        return Unsupported(
            "output-padding-with-padding-mode",
            f"padding {case.padding!r} with output_padding {list(case.output_padding)}: jax has no output_padding",
            doc,
        )
    return None


# -- the rendered call: the run and the repro --------------------------------------------------
RENDERED_HEADER = """\
import numpy as np
import jax
jax.config.update("jax_enable_x64", True)  # or jax silently computes float64 in float32
import jax.numpy as jnp

# The casts to dtype are numpy's, on the host (jnp.dtype("bfloat16") is ml_dtypes' bfloat16),
# and device_put moves the arrays as they are (jnp.asarray would compile a program per shape).
# x and w are channels first; dimension_numbers tell lax so, and the output comes back that way.
np_dtype = jnp.dtype(dtype)
xj = jax.device_put(x.astype(np_dtype))
"""

# jax dispatches asynchronously: an XLA error surfaces when the output is read.
RENDERED_READ_BACK = "y = np.asarray(out).astype(np.float64)\n"


def kwargs_source(kwargs: dict) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in kwargs.items())


def lax_kwargs(call: NativeCall) -> dict:
    """The call's kwargs as lax takes them (tuples where lax wants hashable values)."""
    kwargs = dict(call.kwargs)
    kwargs["dimension_numbers"] = tuple(kwargs["dimension_numbers"])
    if isinstance(kwargs.get("padding"), list):
        kwargs["padding"] = [tuple(pair) for pair in kwargs["padding"]]
    return kwargs


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

    def kernel_source(self, case: Case, call: NativeCall) -> str:
        """The lines that leave ``wj``, the kernel as the call takes it: the canonical array itself."""
        return "wj = jax.device_put(w.astype(np_dtype))\n"

    def repro_source(self, case: Case, call: NativeCall) -> str:
        return (
            RENDERED_HEADER
            + self.kernel_source(case, call)
            + f"out = {call.api}(xj, wj, {kwargs_source(lax_kwargs(call))})\n"
            + RENDERED_READ_BACK
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
    """A recipe, not an API: conv_transpose computed as ``lax.conv_general_dilated`` of the
    stride-dilated, padded input with the flipped, in/out-swapped kernel.

    The seeds' formulation: ``lhs_dilation=stride``, window stride 1, explicit pairs
    ``(e-1-before, e-1-after+output_padding)``, and the kernel spatially flipped with its
    in/out channels swapped within each group. That kernel preparation *is* the recipe, so
    the rendered call does it (``kernel_source``) before calling lax. Where the grouping is
    invalid (the kernel's C_in not a positive multiple of groups) the swap cannot be formed:
    the kernel goes to lax flipped only and lax's own feature_group_count check refuses the
    case (the framework is asked; it always refuses, since the kernel's output channels
    C_in are then not a multiple of groups either).
    """

    name = "jax.lax.conv_general_dilated.lhs_dilation"
    op = "conv_transpose"
    docs = DOCS_CONV_GENERAL_DILATED
    kind = "recipe"

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
                "a recipe: the kernel prepared as it defines it, (C_in, C_out/g, *k) -> per group swap in/out"
                " -> (C_out, C_in/g, *k), spatially flipped; explicit pairs (e-1-before, e-1-after+output_padding)"
            ),
        )

    def kernel_source(self, case: Case, call: NativeCall) -> str:
        groups = call.kwargs["feature_group_count"]
        c_in = case.w.shape[0]
        spatial_axes = tuple(range(2, case.w.ndim))
        if groups < 1 or c_in % groups:
            return (
                "# The recipe swaps the kernel's in/out channels within each group, which needs its\n"
                f"# {c_in} input channels split into groups={groups} equal parts. They do not split, so the swap\n"
                "# cannot be formed: the kernel goes to lax flipped only, and lax's own feature_group_count\n"
                "# check answers for the invalid grouping.\n"
                f"w_conv = np.flip(w, axis={spatial_axes!r})\n"
                "wj = jax.device_put(w_conv.astype(np_dtype))\n"
            )
        return (
            "# The recipe: conv_transpose is the convolution of the stride-dilated input (lhs_dilation)\n"
            "# with the spatially flipped kernel, its in/out channels swapped within each group:\n"
            "# (C_in, C_out/groups, *k) -> (C_out, C_in/groups, *k).\n"
            f"groups = {groups}\n"
            "c_in, c_out_g, *k = w.shape\n"
            "w_conv = np.swapaxes(w.reshape(groups, c_in // groups, c_out_g, *k), 1, 2)\n"
            "w_conv = w_conv.reshape(groups * c_out_g, c_in // groups, *k)\n"
            f"w_conv = np.flip(w_conv, axis={spatial_axes!r})\n"
            "wj = jax.device_put(w_conv.astype(np_dtype))\n"
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
