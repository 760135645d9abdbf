"""PyTorch adapters: torch.nn.functional.conv{,_transpose}{1,2,3}d and the torch.nn Conv modules.

1. torch is channels first like the canonical layouts: input (N, C, *spatial), conv weight
   (out, in/groups, *k), conv_transpose weight (in, out/groups, *k); no relayout is needed.
2. torch pads symmetrically (one int per dim). conv_transpose crops ``padding`` from both
   ends of the full scatter result and re-appends ``output_padding`` positions at the end,
   which torch requires to be smaller than the stride or the dilation.
3. The translation functions below are pure integer arithmetic; torch is imported in
   ``execute`` only.
"""

from __future__ import annotations

import abc
import dataclasses
from typing import Any


from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .canonical import axes, full_transpose_length, transpose_window

DOCS_CONV_TRANSPOSE_MODULE = "https://pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html"
DOCS_CONV_TRANSPOSE_FUNCTION = "https://pytorch.org/docs/stable/generated/torch.nn.functional.conv_transpose2d.html"
DOCS_CONV_MODULE = "https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html"
DOCS_CONV_FUNCTION = "https://pytorch.org/docs/stable/generated/torch.nn.functional.conv2d.html"
# The output_padding rule is enforced (and worded) by ATen's shape check, not the Python docs.
DOCS_OUTPUT_PADDING_CHECK = (
    "https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/NaiveConvolutionTranspose2d.cpp"
    " ('output padding must be smaller than either stride or dilation')"
)
DOCS_SYMMETRIC_TRANSPOSE = (
    DOCS_CONV_TRANSPOSE_FUNCTION + " ('padding: dilation * (kernel_size - 1) - padding zero-padding will be"
    " added to both sides of each dimension in the input')"
)
DOCS_SYMMETRIC_CONV = (
    DOCS_CONV_FUNCTION + " ('padding: implicit paddings on both sides of the input. Can be a string"
    " {'valid', 'same'}, single number or a tuple (padH, padW)')"
)
DOCS_SAME_STRIDE_ONE = (
    DOCS_CONV_FUNCTION + " ('padding='same' pads the input so the output has the same shape as the input."
    " However, this mode doesn't support any stride values other than 1.')"
)

TORCH_LAYOUT_INPUT = {1: "NCW", 2: "NCHW", 3: "NCDHW"}
TORCH_LAYOUT_CONV_WEIGHT = {1: "OIW", 2: "OIHW", 3: "OIDHW"}
TORCH_LAYOUT_TRANSPOSE_WEIGHT = {1: "IOW", 2: "IOHW", 3: "IODHW"}


# -- conv_transpose: torch's output-size model ---------------------------------------------
def conv_transpose_output_length(
    length: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int
) -> int:
    """torch ConvTranspose: ``(L - 1) * s - 2 * p + d * (k - 1) + output_padding + 1``.

    The output is ``full[p : p + that]`` of the full scatter result (length
    ``(L - 1) * s + d * (k - 1) + 1``): ``padding`` crops both ends, ``output_padding``
    re-appends positions at the end (read from ``full``, zero past its end).
    """
    return (length - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def conv_transpose_axis_args(
    length: int,
    kernel: int,
    stride: int,
    dilation: int,
    padding,
    output_padding: int,
    output_shape: int | None,
) -> tuple[int, int] | Unsupported:
    """One spatial dim: canonical padding/output_padding/output_shape -> torch (padding, output_padding).

    torch's window is ``full[p : F - p + output_padding]``: it starts ``p`` in and is
    cropped ``p - output_padding`` at the end. The canonical window ``full[before : F -
    after + output_padding]`` is therefore torch's with ``p = before`` and
    ``output_padding = before - after + output_padding``: every crop with ``before >=
    after`` is expressible (torch's documented idiom ``padding=1, output_padding=1``, which
    is canonical 'same_lower' for k=3, s=2), one with ``before < after`` is not. 'valid' is
    ``p = 0``; 'same'/'same_lower' crop ``total = max(F - O, 0)`` split in halves (the odd
    one after for 'same', before for 'same_lower'). Whether torch's ATen check accepts the
    resulting output_padding is torch's answer, not the adapter's.
    """
    full = full_transpose_length(length, kernel, stride, dilation)
    if isinstance(padding, str):
        before, out = transpose_window(length, kernel, stride, dilation, padding, 0, output_shape)
        if padding != "valid":
            after = max(full - out, 0) - before
            # A non-positive stride or dilation is an invalid case: torch is asked and refuses it.
            if before < after and stride >= 1 and dilation >= 1:
                return Unsupported(
                    "asymmetric-padding",
                    f"'{padding}' crops {before} before and {after} after (an odd total);"
                    " torch crops at least as much before as after",
                    DOCS_SYMMETRIC_TRANSPOSE,
                )
        return before, out - (full - 2 * before)
    before, after = padding
    if before < after:
        return Unsupported(
            "asymmetric-padding", f"padding {before} before, {after} after", DOCS_SYMMETRIC_TRANSPOSE
        )
    if output_shape is None:
        return before, before - after + output_padding
    implied = output_shape - (full - 2 * before)
    if output_padding and output_padding != implied - (before - after):
        # Only an invalid case gives both and they disagree; torch's functional form takes one number.
        return Unsupported(
            "output-shape-with-output-padding",
            f"output_shape {output_shape} implies output_padding {implied - (before - after)},"
            f" the case gives {output_padding}",
            DOCS_CONV_TRANSPOSE_FUNCTION,
        )
    return before, implied


def conv_transpose_args(case: Case) -> dict[str, Any] | Unsupported:
    """The case -> torch's conv_transpose parameters (``stride``, ``padding``, ``output_padding``, ...).

    Returns Unsupported for what torch cannot express: asymmetric or odd 'same' crops with
    more after than before, and output_padding combined with a padding mode (torch has no
    padding modes here, so the canonical ambiguity cannot reach it). An output_padding
    torch's ATen shape check refuses (``>= stride and >= dilation``) is still asked: torch
    has the parameter, and its refusal is the result.
    """
    if isinstance(case.padding, str) and any(case.output_padding):
        return Unsupported(
            "output-padding-with-padding-mode",
            f"padding {case.padding!r} with output_padding {list(case.output_padding)}: torch's conv_transpose"
            " takes explicit symmetric padding only",
            DOCS_SYMMETRIC_TRANSPOSE,
        )
    paddings, output_paddings = [], []
    for i in range(case.spatial_dims):
        pad = case.padding if isinstance(case.padding, str) else case.padding[i]
        out = None if case.output_shape is None else case.output_shape[i]
        args = conv_transpose_axis_args(
            case.x.shape[2 + i], case.w.shape[2 + i], case.stride[i], case.dilation[i], pad, case.output_padding[i], out
        )
        if isinstance(args, Unsupported):
            return Unsupported(args.reason, f"spatial dim {i}: {args.detail}", args.doc)
        paddings.append(args[0])
        output_paddings.append(args[1])
    return {
        "stride": list(case.stride),
        "padding": paddings,
        "output_padding": output_paddings,
        "groups": case.groups,
        "dilation": list(case.dilation),
    }


# -- conv ----------------------------------------------------------------------------------
def conv_padding_arg(case: Case) -> str | list[int] | Unsupported:
    """The case's padding -> torch conv's ``padding`` (a string mode or one int per dim).

    'valid' and 'same' at stride 1 are torch's own modes (torch puts an odd 'same' zero at
    the end, as the canonical 'same' does: a divergence is a result). Strided 'same' and
    'same_lower' become symmetric explicit pads when every total is even; torch's own
    'same' refuses strides other than 1. A non-positive stride under a mode passes the mode
    through so torch itself refuses the invalid case.
    """
    padding = case.padding
    if not isinstance(padding, str):
        if any(before != after for before, after in padding):
            pairs = [list(pair) for pair in padding]
            return Unsupported("asymmetric-padding", f"padding {pairs}", DOCS_SYMMETRIC_CONV)
        return [before for before, _ in padding]
    if padding == "valid":
        return "valid"
    if padding == "same" and all(s == 1 for s in case.stride):
        return "same"
    if any(s < 1 for s in case.stride):
        return padding
    totals = [axis.same_total() for axis in axes(case)]
    if any(total % 2 for total in totals):
        why = "torch's padding='same' is for stride 1 only" if padding == "same" else "torch has no 'same_lower'"
        return Unsupported(
            "asymmetric-padding",
            f"'{padding}' needs total padding {totals} with stride {list(case.stride)}; {why} and explicit"
            " padding is symmetric",
            DOCS_SAME_STRIDE_ONE,
        )
    return [total // 2 for total in totals]


def conv_args(case: Case) -> dict[str, Any] | Unsupported:
    """The case -> torch's conv parameters (``stride``, ``padding``, ``dilation``, ``groups``)."""
    padding = conv_padding_arg(case)
    if isinstance(padding, Unsupported):
        return padding
    return {"stride": list(case.stride), "padding": padding, "dilation": list(case.dilation), "groups": case.groups}


# -- execution helpers -----------------------------------------------------------------------
def _layouts(case: Case) -> tuple[str, str]:
    dims = case.spatial_dims
    weight = TORCH_LAYOUT_CONV_WEIGHT if case.op == "conv" else TORCH_LAYOUT_TRANSPOSE_WEIGHT
    return TORCH_LAYOUT_INPUT[dims], weight[dims]


_REPRO_TENSORS = """\
import numpy as np
import torch

torch_dtype = getattr(torch, dtype)
xt = torch.from_numpy(np.asarray(x, dtype=np.float64)).to(torch_dtype).to(device)
wt = torch.from_numpy(np.asarray(w, dtype=np.float64)).to(torch_dtype).to(device)
bt = None if b is None else torch.from_numpy(np.asarray(b, dtype=np.float64)).to(torch_dtype).to(device)
"""


def _kwargs_source(kwargs: dict[str, Any], names: tuple[str, ...]) -> str:
    return ", ".join(f"{name}={kwargs[name]!r}" for name in names)


# -- adapters --------------------------------------------------------------------------------
class _TorchAdapter(Adapter):
    framework = "torch"
    module = "torch"
    # CPU kernels exist for all four (float16/bfloat16 through mkldnn or the slow path).
    dtypes = frozenset({"float64", "float32", "float16", "bfloat16"})

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """oneDNN (mkldnn) on or off, and the ATen kernel set picked for this CPU
        (``ATEN_CPU_CAPABILITY`` lowers it)."""
        import torch

        from .torch_precision import apply_fp32_precision

        # The executor's child calls this once, right after importing the adapter and before
        # any case: the place a user's script would set torch's precision switch.
        apply_fp32_precision(torch)
        return {
            "onednn": bool(torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled),
            "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "cuda": torch.version.cuda,
        }


class _TorchFunctionalAdapter(_TorchAdapter):
    """A ``torch.nn.functional`` form: ``function(input, weight, bias, **ARGS)``."""

    ARGS: tuple[str, ...] = ()  # the function's keyword arguments taken from the call, in order
    FUNCTION = ""  # e.g. "conv_transpose": the dims suffix is appended

    @abc.abstractmethod
    def arguments(self, case: Case) -> dict[str, Any] | Unsupported:
        """The case -> the function's keyword arguments, or Unsupported."""

    def translate(self, case: Case) -> NativeCall | Unsupported:
        args = self.arguments(case)
        if isinstance(args, Unsupported):
            return args
        input_layout, kernel_layout = _layouts(case)
        api = f"torch.nn.functional.{self.FUNCTION}{case.spatial_dims}d"
        return NativeCall(api, {**args, "bias": case.b is not None}, input_layout, kernel_layout)

    def repro_source(self, case: Case, call: NativeCall) -> str:
        return (
            f"device = {self.device!r}\n"
            + _REPRO_TENSORS
            + f"out = {call.api}(xt, wt, bt, {_kwargs_source(call.kwargs, self.ARGS)})\n"
            + "y = out.cpu().to(torch.float64).numpy()\n"
        )


class TorchFunctionalConvTranspose(_TorchFunctionalAdapter):
    """``torch.nn.functional.conv_transpose{1,2,3}d``."""

    name = "torch.nn.functional.conv_transpose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE_FUNCTION
    FUNCTION = "conv_transpose"
    ARGS = ("stride", "padding", "output_padding", "groups", "dilation")

    def arguments(self, case: Case) -> dict[str, Any] | Unsupported:
        return conv_transpose_args(case)


class TorchFunctionalConv(_TorchFunctionalAdapter):
    """``torch.nn.functional.conv{1,2,3}d``."""

    name = "torch.nn.functional.conv"
    op = "conv"
    docs = DOCS_CONV_FUNCTION
    FUNCTION = "conv"
    ARGS = ("stride", "padding", "dilation", "groups")

    def arguments(self, case: Case) -> dict[str, Any] | Unsupported:
        return conv_args(case)


class _TorchModuleAdapter(_TorchAdapter):
    """A torch.nn Conv module: built from the kernel's shape, weights loaded with load_state_dict.

    Channel counts come from the kernel (as a layer's weights define them), so a mismatched
    input reaches the module's forward; ``load_state_dict`` checks shapes (``copy_`` would
    broadcast a wrong-shaped bias silently).
    """

    CONSTRUCTOR = ()  # the constructor's keyword arguments taken from the call, in order

    @abc.abstractmethod
    def module_channels(self, case: Case) -> tuple[int, int]:
        """(in_channels, out_channels) as the canonical kernel holds them."""

    def native_call(
        self, case: Case, args: dict[str, Any], api: str, forward: dict[str, Any] | None = None, note: str = ""
    ) -> NativeCall:
        """The constructor's arguments, then ``forward``'s (kept in kwargs for the report)."""
        in_channels, out_channels = self.module_channels(case)
        kwargs = {
            "in_channels": in_channels,
            "out_channels": out_channels,
            "kernel_size": list(case.kernel_spatial),
            **args,
            "bias": case.b is not None,
            **(forward or {}),
        }
        input_layout, kernel_layout = _layouts(case)
        return NativeCall(api, kwargs, input_layout, kernel_layout, note)

    def forward_kwargs(self, call: NativeCall) -> dict[str, Any]:
        return {}

    def repro_source(self, case: Case, call: NativeCall) -> str:
        forward = "".join(f", {name}={value!r}" for name, value in self.forward_kwargs(call).items())
        return (
            f"device = {self.device!r}\n"
            + _REPRO_TENSORS
            + f"module = {call.api}({_kwargs_source(call.kwargs, self.CONSTRUCTOR)}).to(torch_dtype).to(device)\n"
            + 'module.load_state_dict({"weight": wt} if bt is None else {"weight": wt, "bias": bt})\n'
            + "with torch.no_grad():\n"
            + f"    out = module(xt{forward})\n"
            + "y = out.cpu().to(torch.float64).numpy()\n"
        )


class TorchConvTransposeModule(_TorchModuleAdapter):
    """``torch.nn.ConvTranspose{1,2,3}d``; an output_shape goes to ``forward(output_size=...)``.

    torch's ``_output_padding`` (torch/nn/modules/conv.py) accepts output sizes from
    ``(L - 1) * s - 2 * p + d * (k - 1) + 1`` to that plus ``stride - 1`` and raises
    ValueError otherwise: it allows output_padding ``< stride`` only, while the constructor
    and the functional form take ``< stride or < dilation``. The adapter asks torch anyway
    (a refusal is a result); only what no torch form can express is Unsupported.
    """

    name = "torch.nn.ConvTranspose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE_MODULE
    CONSTRUCTOR = (
        "in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups", "bias",
        "dilation",
    )

    def module_channels(self, case: Case) -> tuple[int, int]:
        return case.w.shape[0], case.w.shape[1] * case.groups

    def translate(self, case: Case) -> NativeCall | Unsupported:
        api = f"torch.nn.ConvTranspose{case.spatial_dims}d"
        if case.output_shape is None:
            args = conv_transpose_args(case)
            return args if isinstance(args, Unsupported) else self.native_call(case, args, api)
        # torch's documented way to pick among the sizes a strided conv maps to one shape:
        # forward(output_size=...) derives output_padding itself, so the case's own
        # output_padding goes to the constructor as written (torch decides what wins).
        args = conv_transpose_args(dataclasses.replace(case, output_padding=(0,) * case.spatial_dims))
        if isinstance(args, Unsupported):
            return args
        return self.native_call(
            case,
            {**args, "output_padding": list(case.output_padding)},
            api,
            forward={"output_size": list(case.output_shape)},
            note="output_size is an argument of forward(), the rest of the constructor",
        )

    def forward_kwargs(self, call: NativeCall) -> dict[str, Any]:
        return {"output_size": call.kwargs["output_size"]} if "output_size" in call.kwargs else {}


class TorchConvModule(_TorchModuleAdapter):
    """``torch.nn.Conv{1,2,3}d`` with ``padding`` an int tuple, 'same' or 'valid'."""

    name = "torch.nn.Conv"
    op = "conv"
    docs = DOCS_CONV_MODULE
    CONSTRUCTOR = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias")

    def module_channels(self, case: Case) -> tuple[int, int]:
        return case.w.shape[1] * case.groups, case.w.shape[0]

    def translate(self, case: Case) -> NativeCall | Unsupported:
        args = conv_args(case)
        if isinstance(args, Unsupported):
            return args
        return self.native_call(case, args, f"torch.nn.Conv{case.spatial_dims}d")


def on_cuda(adapter: type[_TorchAdapter]) -> type[_TorchAdapter]:
    """The same API surface run on the GPU: its own name, framework and results file.

    ``--framework torch-cuda`` runs these where ``torch.cuda.is_available()``; the report
    shows them as their own columns beside the CPU ones.
    """

    class OnCuda(adapter):
        name = adapter.name + "@cuda"
        framework = "torch-cuda"
        device = "cuda"

        @classmethod
        def framework_version(cls) -> str:
            import torch

            if not torch.cuda.is_available():
                raise RuntimeError(f"torch {torch.__version__} sees no CUDA device")
            return f"{torch.__version__} ({torch.cuda.get_device_name(0)})"

    OnCuda.__name__ = OnCuda.__qualname__ = adapter.__name__ + "OnCuda"
    return OnCuda


# Module attributes, so the runner's executor finds them by ``module:ClassName`` too.
TorchFunctionalConvTransposeOnCuda = on_cuda(TorchFunctionalConvTranspose)
TorchConvTransposeModuleOnCuda = on_cuda(TorchConvTransposeModule)
TorchFunctionalConvOnCuda = on_cuda(TorchFunctionalConv)
TorchConvModuleOnCuda = on_cuda(TorchConvModule)

CPU_ADAPTERS = [TorchFunctionalConvTranspose, TorchConvTransposeModule, TorchFunctionalConv, TorchConvModule]
CUDA_ADAPTERS = [
    TorchFunctionalConvTransposeOnCuda,
    TorchConvTransposeModuleOnCuda,
    TorchFunctionalConvOnCuda,
    TorchConvModuleOnCuda,
]
ADAPTERS = CPU_ADAPTERS + CUDA_ADAPTERS
