"""tinygrad adapters: ``Tensor.conv_transpose2d`` and ``Tensor.conv2d`` on the CPU device.

1. Despite the names both take any number of spatial dims (tinygrad/mixin/op.py: "unlike
   PyTorch, this implementation is not limited to only 2d"): 1, 2 and 3 are asked. Layouts
   are torch's, which are the canonical ones: input (N, C, *spatial), conv weight
   (out, in/groups, *k), conv_transpose weight (in, out/groups, *k).
2. ``padding`` is an int, one int per spatial dim (first dim first), or one int per SIDE in
   tinygrad's own order: the LAST spatial dim first, each as (before, after) -
   ``(left, right, top, bottom)`` in 2D, ``(w_before, w_after, h_before, h_after,
   d_before, d_after)`` in 3D (``helpers.flat_to_grouped``: ``zip(p[-2::-2], p[::-2])``;
   the order of ``torch.nn.functional.pad``). The adapters always pass the per-side form
   (``per_side_padding``), so asymmetric pads and crops are said exactly.
3. conv_transpose2d is a conv2d of the stride-dilated input with the flipped kernel, padded
   ``(k-1)d - before`` and ``(k-1)d - after + output_padding``: its output is
   ``full[before : F - after + output_padding]`` (zeros past ``F``), the canonical window,
   with no rule on output_padding. It has no output_size: a case's output_shape becomes the
   output_padding that gives it (``conv_transpose_args``). conv2d has no 'same'/'valid'
   modes: a mode becomes the explicit pads canonical 'same' / 'same_lower' / 'valid' use.
4. The rendered call puts every tensor on ``device="CPU"`` explicitly (a user's way to pick
   it; ``DEV=CPU`` does the same for the default device). tinygrad's CPU device compiles each
   kernel with clang by default (``ClangRenderer``; ``DEV=CPU:LLVM`` picks LLVM):
   ``build_properties`` records the device, renderer and compiler that ran.
"""

from __future__ import annotations

from typing import Any

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .canonical import axes

DOCS_TENSOR = "https://docs.tinygrad.org/tensor/ops/"
DOCS_CONV_TRANSPOSE = DOCS_TENSOR + "#tinygrad.Tensor.conv_transpose2d"
DOCS_CONV = DOCS_TENSOR + "#tinygrad.Tensor.conv2d"
SOURCE_OPS = "https://github.com/tinygrad/tinygrad/blob/v0.14.0/tinygrad/mixin/op.py"
# The one device the adapters ask: tinygrad's CPU backend.
DEVICE = "CPU"
INPUT_LAYOUT = {1: "NCW", 2: "NCHW", 3: "NCDHW"}
CONV_WEIGHT_LAYOUT = {1: "OIW", 2: "OIHW", 3: "OIDHW"}
TRANSPOSE_WEIGHT_LAYOUT = {1: "IOW", 2: "IOHW", 3: "IODHW"}


def per_side_padding(pairs: list[tuple[int, int]]) -> list[int]:
    """Canonical (before, after) per spatial dim, first dim first -> tinygrad's flat per-side
    list: last spatial dim first, each dim as before, after."""
    return [amount for before, after in reversed(pairs) for amount in (before, after)]


# -- conv_transpose ------------------------------------------------------------------------
def conv_transpose_args(case: Case) -> dict[str, Any] | Unsupported:
    """The case -> ``conv_transpose2d``'s ``stride``, ``dilation``, ``padding``, ``output_padding``, ``groups``.

    Per dim the canonical window is ``full[before : before + O]``; tinygrad gives
    ``full[before : F - after + output_padding]``. Explicit pairs pass as they are (with
    output_shape, output_padding ``= O - (F - before - after)``, as a user computes it; a
    negative one of an invalid case is still asked). A mode crops ``(before, F - before - O)``;
    an ``O`` past ``F`` (a 'valid' output_shape, or 'same' with a kernel below the stride)
    crops nothing after and appends ``O - F + before`` as output_padding.
    Unsupported: output_padding beside a mode (tinygrad has no modes; the case is the
    canonical ambiguity), and an output_shape that disagrees with the case's output_padding
    (tinygrad takes one number).
    """
    if isinstance(case.padding, str) and any(case.output_padding):
        return Unsupported(
            "output-padding-with-padding-mode",
            f"padding {case.padding!r} with output_padding {list(case.output_padding)}: tinygrad's"
            " conv_transpose2d has explicit padding only",
            DOCS_CONV_TRANSPOSE,
        )
    pairs, output_paddings = [], []
    for i, axis in enumerate(axes(case)):
        if isinstance(axis.padding, str):
            before, out = axis.window()
            after = axis.full - before - out
            pairs.append((before, max(after, 0)))
            output_paddings.append(max(-after, 0))
            continue
        if axis.output_padding_disagrees():
            return Unsupported(
                "output-shape-with-output-padding",
                f"spatial dim {i}: output_shape {axis.output_shape} implies output_padding"
                f" {axis.explicit_output_padding()}, the case gives {axis.output_padding}; conv_transpose2d has no output size argument",
                DOCS_CONV_TRANSPOSE,
            )
        pairs.append(tuple(axis.padding))
        output_paddings.append(axis.explicit_output_padding())
    return {
        "groups": case.groups,
        "stride": list(case.stride),
        "dilation": list(case.dilation),
        "padding": per_side_padding(pairs),
        "output_padding": output_paddings,
    }


# -- conv ----------------------------------------------------------------------------------
def conv_padding_pairs(case: Case) -> list[tuple[int, int]]:
    """The case's padding as explicit (before, after) per dim, first dim first.

    'valid' is no padding; 'same' puts the odd zero of the canonical total after,
    'same_lower' before. A non-positive stride has no 'same' total (the case is invalid and
    tinygrad is asked about its stride): no padding then.
    """
    if not isinstance(case.padding, str):
        return [tuple(pair) for pair in case.padding]
    if case.padding == "valid" or any(s < 1 for s in case.stride):
        return [(0, 0)] * case.spatial_dims
    pairs = []
    for axis in axes(case):
        total = axis.same_total()
        before = total // 2 if case.padding == "same" else total - total // 2
        pairs.append((before, total - before))
    return pairs


def conv_args(case: Case) -> dict[str, Any]:
    """The case -> ``conv2d``'s ``groups``, ``stride``, ``dilation``, ``padding`` (per side)."""
    return {
        "groups": case.groups,
        "stride": list(case.stride),
        "dilation": list(case.dilation),
        "padding": per_side_padding(conv_padding_pairs(case)),
    }


# -- adapters --------------------------------------------------------------------------------
_REPRO_TENSORS = """\
import numpy as np
from tinygrad import Tensor, dtypes

device = {device!r}  # tinygrad's CPU backend (kernels compiled by clang unless DEV=CPU:LLVM)
tg_dtype = getattr(dtypes, dtype)
xt = Tensor(np.asarray(x, dtype=np.float64), device=device).cast(tg_dtype)
wt = Tensor(np.asarray(w, dtype=np.float64), device=device).cast(tg_dtype)
bt = None if b is None else Tensor(np.asarray(b, dtype=np.float64), device=device).cast(tg_dtype)
"""


class _TinygradAdapter(Adapter):
    """``Tensor.<method>(x, weight, bias, **ARGS)`` on the CPU device, read back as float64."""

    framework = "tinygrad"
    # Its CPU device compiles new kernels with clang for every new shape (392 s for the
    # environment, cold kernel cache, in .ci/run's one tox p): in the main job all the same
    module = "tinygrad"
    framework_modules = ("tinygrad",)
    # tinygrad's dtypes has all four, and the CPU device runs them.
    dtypes = frozenset({"float64", "float32", "float16", "bfloat16"})
    METHOD = ""
    ARGS: tuple[str, ...] = ()

    @classmethod
    def framework_version(cls) -> str:
        """tinygrad has no ``__version__``: the installed distribution's."""
        from importlib.metadata import version

        return version("tinygrad")

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """The device asked, and the renderer / compiler its kernels went through (clang by
        default; ``DEV=CPU:LLVM`` switches to LLVM)."""
        from tinygrad import Device

        device = Device[DEVICE]
        return {
            "device": DEVICE,
            "renderer": type(device.renderer).__name__,
            "compiler": type(device.compiler).__name__,
        }

    def repro_source(self, case: Case, call: NativeCall) -> str:
        args = ", ".join(f"{name}={call.kwargs[name]!r}" for name in self.ARGS)
        return (
            _REPRO_TENSORS.format(device=DEVICE)
            + f"out = {call.api}(xt, wt, bt, {args})\n"
            + "y = out.cast(dtypes.float64).numpy()\n"
        )


class TinygradConvTranspose(_TinygradAdapter):
    """``Tensor.conv_transpose2d`` (any number of spatial dims)."""

    name = "tinygrad.Tensor.conv_transpose2d"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE
    ARGS = ("groups", "stride", "dilation", "padding", "output_padding")

    def translate(self, case: Case) -> NativeCall | Unsupported:
        args = conv_transpose_args(case)
        if isinstance(args, Unsupported):
            return args
        return NativeCall(
            "Tensor.conv_transpose2d", {**args, "bias": case.b is not None},
            INPUT_LAYOUT[case.spatial_dims], TRANSPOSE_WEIGHT_LAYOUT[case.spatial_dims],
        )


class TinygradConv(_TinygradAdapter):
    """``Tensor.conv2d`` (any number of spatial dims)."""

    name = "tinygrad.Tensor.conv2d"
    op = "conv"
    docs = DOCS_CONV
    ARGS = ("groups", "stride", "dilation", "padding")

    def translate(self, case: Case) -> NativeCall | Unsupported:
        return NativeCall(
            "Tensor.conv2d", {**conv_args(case), "bias": case.b is not None},
            INPUT_LAYOUT[case.spatial_dims], CONV_WEIGHT_LAYOUT[case.spatial_dims],
        )


ADAPTERS = [TinygradConvTranspose, TinygradConv]
