"""PaddlePaddle adapters: paddle.nn.functional.conv{,_transpose}{1,2,3}d and the paddle.nn Conv layers.

1. Paddle's kernels are the canonical arrays: conv weight ``(C_out, C_in/groups, *k)``,
   conv_transpose weight ``(C_in, C_out/groups, *k)``, in both data formats (only the input
   and output move their channels). ``data_format`` channels last (NLC/NHWC/NDHWC) is its own
   adapter (``@NHWC``): Paddle's CPU kernels take another path for it (conv_transpose_kernel_impl.h
   slices each group and concatenates, with a transposed GEMM and col2im in NHWC; the conv
   kernel likewise), so it can answer differently.
2. ``padding`` is 'SAME', 'VALID', one int per dim, or per-side amounts
   ``[before_1, after_1, before_2, after_2, ...]``: every canonical crop is expressible.
   Canonical 'same' is asked as Paddle's own 'SAME' (what a user writes), 'same_lower' as the
   per-side amounts of the canonical window (Paddle has no such mode).
3. conv_transpose: ``output_padding`` and ``output_size`` are both arguments (Paddle refuses them
   together; the refusal is its answer). The layers take ``output_size`` in ``forward``.
4. In eager mode on the CPU the kernels are Paddle's own (im2col + BLAS GEMM): FLAGS_use_onednn /
   FLAGS_use_mkldnn do not switch them (the kernel key stays (CPU, ...), no oneDNN primitive
   runs, results are bitwise equal). A group count equal to the channel count with one filter
   per group takes the depthwise kernel unless FLAGS_use_accuracy_compatible_kernel is set.
   ``build_properties`` records all three.
5. The translation functions below are pure; paddle is imported only by the rendered call.
"""

from __future__ import annotations

import abc
from typing import Any

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .canonical import axes

DOCS_BASE = "https://www.paddlepaddle.org.cn/documentation/docs/en/api/paddle/nn"
DOCS_CONV_TRANSPOSE_FUNCTION = f"{DOCS_BASE}/functional/conv2d_transpose_en.html"
DOCS_CONV_FUNCTION = f"{DOCS_BASE}/functional/conv2d_en.html"
DOCS_CONV_TRANSPOSE_LAYER = f"{DOCS_BASE}/Conv2DTranspose_en.html"
DOCS_CONV_LAYER = f"{DOCS_BASE}/Conv2D_en.html"

INPUT_LAYOUT = {False: {1: "NCL", 2: "NCHW", 3: "NCDHW"}, True: {1: "NLC", 2: "NHWC", 3: "NDHWC"}}
CONV_WEIGHT_LAYOUT = {1: "OIL", 2: "OIHW", 3: "OIDHW"}
TRANSPOSE_WEIGHT_LAYOUT = {1: "IOL", 2: "IOHW", 3: "IODHW"}


# -- translation -------------------------------------------------------------------------------
def padding_arg(pairs: list[tuple[int, int]]) -> list[int]:
    """Explicit (before, after) pairs -> Paddle's ``padding``: one int per dim when symmetric,
    else the documented per-side form ``[before_1, after_1, before_2, after_2, ...]``."""
    if all(before == after for before, after in pairs):
        return [before for before, _ in pairs]
    return [amount for pair in pairs for amount in pair]


def conv_transpose_args(case: Case) -> dict[str, Any]:
    """The case -> Paddle's conv_transpose arguments (``stride``, ``padding``, ``output_padding``,
    ``groups``, ``dilation``, ``output_size``).

    'same' and 'valid' are Paddle's 'SAME' and 'VALID'; 'same_lower' the per-side crops of the
    canonical window (``before = total - total // 2``), with ``output_size`` where the case asks
    a size (or the window reaches past the full result). output_padding is 0 when none is
    asked: Paddle refuses any non-zero output_padding beside ``output_size``.
    """
    padding: str | list[int]
    output_size = None if case.output_shape is None else list(case.output_shape)
    if case.padding in ("same", "valid"):
        padding = case.padding.upper()
    elif case.padding == "same_lower":
        pairs, lengths, fits = [], [], True
        for axis in axes(case):
            before, out = axis.window()
            pairs.append((before, max(axis.full - out, 0) - before))
            lengths.append(out)
            fits = fits and out <= axis.full
        padding = padding_arg(pairs)
        if output_size is None and not fits:
            # the window reaches past the full result: only output_size says that length
            output_size = lengths
    else:
        padding = padding_arg([tuple(pair) for pair in case.padding])
    output_padding: int | list[int] = list(case.output_padding) if any(case.output_padding) else 0
    return {
        "stride": list(case.stride),
        "padding": padding,
        "output_padding": output_padding,
        "groups": case.groups,
        "dilation": list(case.dilation),
        "output_size": output_size,
    }


def conv_padding_arg(case: Case) -> str | list[int]:
    """The case's padding -> Paddle conv's ``padding``: 'SAME'/'VALID' as Paddle's modes,
    'same_lower' as per-side amounts (the odd zero first), explicit pairs as they are."""
    if case.padding in ("same", "valid"):
        return case.padding.upper()
    if case.padding == "same_lower":
        totals = [axis.same_total() for axis in axes(case)]
        return padding_arg([(total - total // 2, total // 2) for total in totals])
    return padding_arg([tuple(pair) for pair in case.padding])


def conv_args(case: Case) -> dict[str, Any]:
    """The case -> Paddle's conv arguments (``stride``, ``padding``, ``dilation``, ``groups``)."""
    return {
        "stride": list(case.stride),
        "padding": conv_padding_arg(case),
        "dilation": list(case.dilation),
        "groups": case.groups,
    }


def _kwargs(kwargs: dict[str, Any], names: tuple[str, ...]) -> str:
    return ", ".join(f"{name}={kwargs[name]!r}" for name in names)


_TENSORS = """\
import numpy as np
import paddle

paddle.set_device("cpu")
xt = paddle.to_tensor(np.asarray(x, dtype=np.float64){relayout}).astype(dtype)
wt = paddle.to_tensor(np.asarray(w, dtype=np.float64)).astype(dtype)
bt = None if b is None else paddle.to_tensor(np.asarray(b, dtype=np.float64)).astype(dtype)
"""


def _channels_last_order(dims: int) -> tuple[int, ...]:
    return (0, *range(2, 2 + dims), 1)


def _channels_first_order(dims: int) -> tuple[int, ...]:
    return (0, 1 + dims, *range(1, 1 + dims))


def _flag(paddle, name: str) -> bool | None:
    """A global flag's value, or None when this release does not define it (get_flags raises
    ValueError "Flag ... cannot get its value through this function" for an unknown name)."""
    try:
        return bool(paddle.get_flags([name])[name])
    except ValueError:
        return None


# -- adapters ----------------------------------------------------------------------------------
class _PaddleAdapter(Adapter):
    framework = "paddle"
    module = "paddle"
    pip_package = "paddlepaddle"
    # Tensors of every dtype reach the kernel; which have a CPU kernel is Paddle's answer.
    dtypes = frozenset({"float64", "float32", "float16", "bfloat16"})
    channels_last = False

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """oneDNN compiled in and its flags (which do not switch the eager CPU conv kernels),
        the depthwise switch, CUDA. A flag the release does not have is recorded as None
        (absent): 2.6 and 3.0 have no FLAGS_use_onednn (only FLAGS_use_mkldnn), 2.6 no
        is_compiled_with_onednn, and FLAGS_use_accuracy_compatible_kernel came after 3.2."""
        import paddle

        core = paddle.base.core
        compiled = getattr(core, "is_compiled_with_onednn", None) or core.is_compiled_with_mkldnn
        return {
            "onednn_compiled": bool(compiled()),
            "flags_use_onednn": _flag(paddle, "FLAGS_use_onednn"),
            "flags_use_mkldnn": _flag(paddle, "FLAGS_use_mkldnn"),
            "accuracy_compatible_kernel": _flag(paddle, "FLAGS_use_accuracy_compatible_kernel"),
            "cuda": bool(paddle.is_compiled_with_cuda()),
        }

    def layouts(self, case: Case) -> tuple[str, str]:
        weight = CONV_WEIGHT_LAYOUT if case.op == "conv" else TRANSPOSE_WEIGHT_LAYOUT
        return INPUT_LAYOUT[self.channels_last][case.spatial_dims], weight[case.spatial_dims]

    def tensors_source(self, case: Case) -> str:
        order = _channels_last_order(case.spatial_dims) if self.channels_last else None
        return _TENSORS.format(relayout=f".transpose{order}" if order else "")

    def output_source(self, case: Case) -> str:
        if self.channels_last:
            return f"y = out.astype('float64').numpy().transpose{_channels_first_order(case.spatial_dims)}\n"
        return "y = out.astype('float64').numpy()\n"


class _PaddleFunctional(_PaddleAdapter):
    """A ``paddle.nn.functional`` form: ``function(x, weight, bias, **ARGS)``."""

    ARGS: tuple[str, ...] = ()

    @abc.abstractmethod
    def arguments(self, case: Case) -> dict[str, Any] | Unsupported:
        """The function's keyword arguments (among ARGS), or why it cannot say the case."""

    def translate(self, case: Case) -> NativeCall | Unsupported:
        args = self.arguments(case)
        if isinstance(args, Unsupported):
            return args
        input_layout, kernel_layout = self.layouts(case)
        suffix = "_transpose" if case.op == "conv_transpose" else ""
        api = f"paddle.nn.functional.conv{case.spatial_dims}d{suffix}"
        return NativeCall(api, {**args, "data_format": input_layout}, input_layout, kernel_layout)

    def repro_source(self, case: Case, call: NativeCall) -> str:
        return (
            self.tensors_source(case)
            + f"out = {call.api}(xt, wt, bt, {_kwargs(call.kwargs, (*self.ARGS, 'data_format'))})\n"
            + self.output_source(case)
        )


class PaddleFunctionalConvTranspose(_PaddleFunctional):
    """``paddle.nn.functional.conv{1,2,3}d_transpose`` (channels first)."""

    name = "paddle.nn.functional.conv_transpose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE_FUNCTION
    ARGS = ("stride", "padding", "output_padding", "groups", "dilation", "output_size")

    def arguments(self, case: Case) -> dict[str, Any]:
        return conv_transpose_args(case)


class PaddleFunctionalConvTransposeNHWC(PaddleFunctionalConvTranspose):
    """The same function with ``data_format`` channels last (NLC, NHWC, NDHWC)."""

    name = "paddle.nn.functional.conv_transpose@NHWC"
    channels_last = True


class PaddleFunctionalConv(_PaddleFunctional):
    """``paddle.nn.functional.conv{1,2,3}d`` (channels first)."""

    name = "paddle.nn.functional.conv"
    op = "conv"
    docs = DOCS_CONV_FUNCTION
    ARGS = ("stride", "padding", "dilation", "groups")

    def arguments(self, case: Case) -> dict[str, Any]:
        return conv_args(case)


class PaddleFunctionalConvNHWC(PaddleFunctionalConv):
    """The same function with ``data_format`` channels last (NLC, NHWC, NDHWC)."""

    name = "paddle.nn.functional.conv@NHWC"
    channels_last = True


class _PaddleLayer(_PaddleAdapter):
    """A paddle.nn Conv layer built from the kernel's shape, cast to the case's dtype
    (``Layer.to(dtype=...)``), its weight (and bias) loaded with ``set_value``."""

    CONSTRUCTOR: tuple[str, ...] = ()

    @abc.abstractmethod
    def channels(self, case: Case) -> tuple[int, int]:
        """(in_channels, out_channels) of the layer for this case's kernel."""

    def layer_call(self, case: Case, args: dict[str, Any], forward: dict[str, Any]) -> NativeCall:
        in_channels, out_channels = self.channels(case)
        kind = "DTranspose" if case.op == "conv_transpose" else "D"
        kwargs = {
            "in_channels": in_channels,
            "out_channels": out_channels,
            "kernel_size": list(case.kernel_spatial),
            **args,
            "bias_attr": None if case.b is not None else False,
            **forward,
        }
        input_layout, kernel_layout = self.layouts(case)
        note = "output_size is an argument of forward(), the rest of the constructor" if forward else ""
        return NativeCall(f"paddle.nn.Conv{case.spatial_dims}{kind}", kwargs, input_layout, kernel_layout, note)

    def repro_source(self, case: Case, call: NativeCall) -> str:
        forward = "".join(f", {name}={call.kwargs[name]!r}" for name in ("output_size",) if name in call.kwargs)
        return (
            self.tensors_source(case)
            + f"layer = {call.api}({_kwargs(call.kwargs, self.CONSTRUCTOR)})\n"
            + "layer.to(dtype=dtype)\n"
            + "layer.weight.set_value(wt)\n"
            + "if bt is not None:\n"
            + "    layer.bias.set_value(bt)\n"
            + "with paddle.no_grad():\n"
            + f"    out = layer(xt{forward})\n"
            + self.output_source(case)
        )


class PaddleConvTransposeLayer(_PaddleLayer):
    """``paddle.nn.Conv{1,2,3}DTranspose``; an output_shape goes to ``forward(output_size=...)``.

    Conv2DTranspose/Conv3DTranspose drop the constructor's output_padding when forward gets an
    output_size; Conv1DTranspose passes both on (and its functional form refuses the pair).
    """

    name = "paddle.nn.ConvTranspose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE_LAYER
    CONSTRUCTOR = (
        "in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups", "dilation",
        "bias_attr",
    )

    def channels(self, case: Case) -> tuple[int, int]:
        return case.w.shape[0], case.w.shape[1] * case.groups

    def translate(self, case: Case) -> NativeCall:
        args = conv_transpose_args(case)
        output_size = args.pop("output_size")
        return self.layer_call(case, args, {} if output_size is None else {"output_size": output_size})


class PaddleConvLayer(_PaddleLayer):
    """``paddle.nn.Conv{1,2,3}D`` (padding_mode 'zeros')."""

    name = "paddle.nn.Conv"
    op = "conv"
    docs = DOCS_CONV_LAYER
    CONSTRUCTOR = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias_attr")

    def channels(self, case: Case) -> tuple[int, int]:
        return case.w.shape[1] * case.groups, case.w.shape[0]

    def translate(self, case: Case) -> NativeCall:
        return self.layer_call(case, conv_args(case), {})


ADAPTERS = [
    PaddleFunctionalConvTranspose,
    PaddleFunctionalConvTransposeNHWC,
    PaddleConvTransposeLayer,
    PaddleFunctionalConv,
    PaddleFunctionalConvNHWC,
    PaddleConvLayer,
]
