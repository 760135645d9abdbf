"""MindSpore adapters: the ``mindspore.nn`` Conv cells and ``mint.nn.functional.conv_transpose2d``.

1. MindSpore is channels first like the canonical layouts (NCW / NCHW / NCDHW); the cells'
   weights are (in, out/group, *k) for the transposed ones and (out, in/group, *k) for the
   forward ones (nn/layer/conv.py ``_Conv``), so the canonical arrays load as they are,
   through the constructor's ``weight_init`` / ``bias_init`` (Conv1d and Conv1dTranspose
   expand a 3D ``weight_init`` to their internal (.., 1, k) kernel themselves).
2. The cells take ``pad_mode`` 'same' / 'valid' / 'pad'. A canonical 'same' or 'valid' (no
   output_shape) is passed as that mode (a divergence is a result); everything else is
   ``pad_mode='pad'`` with per-side ``padding`` in dim order, first dim first:
   (top, bottom, left, right) in 2D, (head, tail, top, bottom, left, right) in 3D.
   Conv1d and Conv1dTranspose take one int (both sides) and Conv1dTranspose has no
   ``output_padding``: what they cannot say is UNSUPPORTED.
3. ``output_padding`` (Conv2dTranspose, Conv3dTranspose) is passed as the case gives it.
   MindSpore documents it as padding of the output ("the bottom and right padding"), and
   Conv2dTranspose appends it with ``ops.Pad`` (zeros) after cropping; canonical
   output_padding re-appends positions of the full result. The cells have no output size
   argument: a case's output_shape becomes the output_padding that gives it.
4. ``mindspore.mint.nn.functional.conv_transpose2d`` (the same function as
   ``mindspore.ops.conv_transpose2d``) has torch's signature; its translation is torch's
   (``torch_api.conv_transpose_args``). Its documented platform is Ascend only: on CPU it is
   asked anyway, and its refusal is the result.
5. The rendered call runs in MindSpore 2.10's default execution mode, PyNative (eager; no
   ``set_context``): ``build_properties`` records the mode and the device target (CPU).
"""

from __future__ import annotations

import abc
from typing import Any

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .canonical import axes
from .torch_api import conv_transpose_args as torch_conv_transpose_args

DOCS_BASE = "https://www.mindspore.cn/docs/en/r2.10.0/api_python"
DOCS_NN_CONV_TRANSPOSE = DOCS_BASE + "/nn/mindspore.nn.Conv2dTranspose.html"
DOCS_NN_CONV1D_TRANSPOSE = (
    DOCS_BASE + "/nn/mindspore.nn.Conv1dTranspose.html (padding: one int for both sides; no output_padding)"
)
DOCS_NN_CONV = DOCS_BASE + "/nn/mindspore.nn.Conv2d.html"
DOCS_NN_CONV1D = DOCS_BASE + "/nn/mindspore.nn.Conv1d.html (padding: one int for both sides)"
DOCS_MINT_CONV_TRANSPOSE2D = DOCS_BASE + "/mint/mindspore.mint.nn.functional.conv_transpose2d.html"

INPUT_LAYOUT = {1: "NCW", 2: "NCHW", 3: "NCDHW"}
CONV_WEIGHT_LAYOUT = {1: "OIW", 2: "OIHW", 3: "OIDHW"}
TRANSPOSE_WEIGHT_LAYOUT = {1: "IOW", 2: "IOHW", 3: "IODHW"}
# The modes MindSpore's cells share with the canonical ones.
CELL_MODES = ("same", "valid")


def per_side_padding(pairs) -> list[int]:
    """(before, after) per spatial dim -> MindSpore's per-side tuple, first dim first."""
    return [amount for before, after in pairs for amount in (before, after)]


# -- conv_transpose cells --------------------------------------------------------------------
def conv_transpose_window_args(case: Case) -> tuple[list[tuple[int, int]], list[int]] | Unsupported:
    """Per dim: the (before, after) crop and output_padding for ``pad_mode='pad'``.

    Explicit pairs pass as they are, with the case's output_padding (or, with an output_shape,
    the one it implies). A mode crops as the canonical window does: 'valid' crops nothing and
    an output_shape past ``F`` is output_padding ``O - F`` (a negative one of an invalid case is
    asked); 'same'/'same_lower' crop their total (odd one after / before), and an output_shape
    past ``F`` appends ``O - F``.
    """
    pairs, output_paddings = [], []
    for i, axis in enumerate(axes(case)):
        if isinstance(axis.padding, str):
            before, out = axis.window()
            if axis.padding == "valid":
                pairs.append((0, 0))
                output_paddings.append(out - axis.full)
            else:
                total = max(axis.full - out, 0)
                pairs.append((before, total - before))
                output_paddings.append(max(out - axis.full, 0))
            continue
        if axis.output_padding_disagrees():
            return Unsupported(
                "output-shape-with-output-padding",
                f"spatial dim {i}: output_shape {axis.output_shape} implies output_padding"
                f" {axis.explicit_output_padding()}, the case gives {axis.output_padding}; the cells have no output size argument",
                DOCS_NN_CONV_TRANSPOSE,
            )
        pairs.append(tuple(axis.padding))
        output_paddings.append(axis.explicit_output_padding())
    return pairs, output_paddings


def conv_transpose_cell_args(case: Case) -> dict[str, Any] | Unsupported:
    """The case -> ``nn.Conv{1,2,3}dTranspose``'s ``pad_mode``, ``padding``, ``output_padding``,
    ``stride``, ``dilation``, ``group`` (ints for 1D, one per dim or side otherwise)."""
    dims = case.spatial_dims
    args: dict[str, Any] = {"stride": list(case.stride), "dilation": list(case.dilation), "group": case.groups}
    if isinstance(case.padding, str) and case.padding in CELL_MODES and case.output_shape is None:
        # MindSpore's own mode; an output_padding beside it (an invalid case) is MindSpore's to refuse
        args.update(pad_mode=case.padding, padding=0, output_padding=list(case.output_padding))
    elif isinstance(case.padding, str) and any(case.output_padding):
        # output_padding beside a mode MindSpore lacks, or beside an output_shape
        return Unsupported(
            "output-padding-with-padding-mode",
            f"padding {case.padding!r} with output_padding {list(case.output_padding)}: MindSpore has no"
            f" {case.padding!r} mode to pass it with",
            DOCS_NN_CONV_TRANSPOSE,
        )
    else:
        window = conv_transpose_window_args(case)
        if isinstance(window, Unsupported):
            return window
        pairs, output_paddings = window
        args.update(pad_mode="pad", padding=per_side_padding(pairs), output_padding=output_paddings)
    if dims == 1:
        return _one_dim_transpose_args(args)
    return args


def _one_dim_transpose_args(args: dict[str, Any]) -> dict[str, Any] | Unsupported:
    """Conv1dTranspose: int stride, dilation and padding (both sides), no output_padding."""
    before, after = args["padding"] if args["pad_mode"] == "pad" else (0, 0)
    if before != after:
        return Unsupported(
            "asymmetric-padding", f"padding {before} before, {after} after", DOCS_NN_CONV1D_TRANSPOSE
        )
    if args["output_padding"][0]:
        return Unsupported("output-padding", f"output_padding {args['output_padding'][0]}", DOCS_NN_CONV1D_TRANSPOSE)
    return {
        "stride": args["stride"][0],
        "pad_mode": args["pad_mode"],
        "padding": before,
        "dilation": args["dilation"][0],
        "group": args["group"],
    }


# -- conv cells ------------------------------------------------------------------------------
def conv_cell_args(case: Case) -> dict[str, Any] | Unsupported:
    """The case -> ``nn.Conv{1,2,3}d``'s ``pad_mode``, ``padding``, ``stride``, ``dilation``, ``group``.

    'same' and 'valid' are MindSpore's own modes (its 'same' puts the odd zero at the
    bottom/right, as the canonical one does); 'same_lower' is ``pad_mode='pad'`` with the
    canonical pads (odd zero first). A non-positive stride has no 'same' total: the mode
    is passed as 'same' so MindSpore answers about the invalid stride.
    """
    dims = case.spatial_dims
    args: dict[str, Any] = {"stride": list(case.stride), "dilation": list(case.dilation), "group": case.groups}
    if isinstance(case.padding, str) and (case.padding in CELL_MODES or any(s < 1 for s in case.stride)):
        args.update(pad_mode=case.padding if case.padding in CELL_MODES else "same", padding=0)
        pairs = [(0, 0)] * dims
    else:
        if isinstance(case.padding, str):  # same_lower
            pairs = []
            for axis in axes(case):
                total = axis.same_total()
                pairs.append((total - total // 2, total // 2))
        else:
            pairs = [tuple(pair) for pair in case.padding]
        args.update(pad_mode="pad", padding=per_side_padding(pairs))
    if dims == 1:
        before, after = pairs[0]
        if before != after:
            return Unsupported("asymmetric-padding", f"padding {before} before, {after} after", DOCS_NN_CONV1D)
        return {**args, "stride": case.stride[0], "dilation": case.dilation[0], "padding": before}
    return args


# -- rendering ------------------------------------------------------------------------------
def _literal(value: Any) -> str:
    """A kwarg as Python text: lists become tuples (the cells check ``tuple``)."""
    return repr(tuple(value)) if isinstance(value, list) else repr(value)


_REPRO_TENSORS = """\
import numpy as np
import mindspore
from mindspore import Tensor

# MindSpore 2.10's default execution mode (PyNative) on its CPU target
ms_dtype = getattr(mindspore, dtype)
xt = Tensor(np.asarray(x, dtype=np.float64)).astype(ms_dtype)
wt = Tensor(np.asarray(w, dtype=np.float64)).astype(ms_dtype)
bt = None if b is None else Tensor(np.asarray(b, dtype=np.float64)).astype(ms_dtype)
"""


class _MindsporeAdapter(Adapter):
    framework = "mindspore"
    module = "mindspore"
    framework_modules = ("mindspore",)
    # mindspore has all four dtypes; which have CPU kernels is MindSpore's answer.
    dtypes = frozenset({"float64", "float32", "float16", "bfloat16"})
    ARGS: tuple[str, ...] = ()

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """The execution mode the rendered call runs in and the device target."""
        import mindspore as ms

        mode = ms.get_context("mode")
        return {
            "mode": {ms.PYNATIVE_MODE: "pynative", ms.GRAPH_MODE: "graph"}.get(mode, str(mode)),
            "device_target": ms.get_context("device_target"),
        }

    def _kwargs_source(self, call: NativeCall) -> str:
        return ", ".join(f"{name}={_literal(call.kwargs[name])}" for name in self.ARGS if name in call.kwargs)

    def execute(self, case: Case, call: NativeCall):
        """The rendered call; after a refusal, wait for PyNative's pipeline before answering.

        PyNative launches ops from a pipeline thread, which can keep its own copy of an
        error and raise it again at the next sync point, in the next case: a CI corpus run
        got mint.conv_transpose2d's "ConvTranspose2D unregistered" as the ERROR of the next
        case on mindspore.nn.ConvTranspose. The wait takes that copy here (the refusal
        already raised is the answer, so what the wait raises is dropped).
        """
        try:
            return super().execute(case, call)
        except Exception:
            from mindspore.common.api import _pynative_executor

            try:
                _pynative_executor.sync()
            except RuntimeError:
                pass
            raise


class _MindsporeCellAdapter(_MindsporeAdapter):
    """An ``nn`` cell built from the kernel's shape, its weights given as ``weight_init``."""

    CELL = ""  # e.g. "Conv{}dTranspose"

    @abc.abstractmethod
    def channels(self, case: Case) -> tuple[int, int]:
        """(in_channels, out_channels) of the cell for this case's kernel."""

    @abc.abstractmethod
    def cell_args(self, case: Case) -> dict[str, Any] | Unsupported:
        """The cell's constructor arguments but its channels and weights, or why it cannot say the case."""

    def translate(self, case: Case) -> NativeCall | Unsupported:
        args = self.cell_args(case)
        if isinstance(args, Unsupported):
            return args
        dims = case.spatial_dims
        in_channels, out_channels = self.channels(case)
        kernel = list(case.kernel_spatial) if dims > 1 else case.kernel_spatial[0]
        kwargs = {
            "in_channels": in_channels, "out_channels": out_channels, "kernel_size": kernel, **args,
            "has_bias": case.b is not None,
        }
        weight = CONV_WEIGHT_LAYOUT if self.op == "conv" else TRANSPOSE_WEIGHT_LAYOUT
        return NativeCall(f"mindspore.nn.{self.CELL.format(dims)}", kwargs, INPUT_LAYOUT[dims], weight[dims])

    def repro_source(self, case: Case, call: NativeCall) -> str:
        return (
            _REPRO_TENSORS
            + f"cell = {call.api}({self._kwargs_source(call)},\n"
            + "    weight_init=wt, bias_init=bt, dtype=ms_dtype)\n"
            + "y = cell(xt).astype(mindspore.float64).asnumpy()\n"
        )


class MindsporeConvTransposeCell(_MindsporeCellAdapter):
    """``mindspore.nn.Conv{1,2,3}dTranspose``."""

    name = "mindspore.nn.ConvTranspose"
    op = "conv_transpose"
    docs = DOCS_NN_CONV_TRANSPOSE
    CELL = "Conv{}dTranspose"
    ARGS = (
        "in_channels", "out_channels", "kernel_size", "stride", "pad_mode", "padding", "output_padding", "dilation",
        "group", "has_bias",
    )

    def channels(self, case: Case) -> tuple[int, int]:
        return case.w.shape[0], case.w.shape[1] * case.groups

    def cell_args(self, case: Case) -> dict[str, Any] | Unsupported:
        return conv_transpose_cell_args(case)


class MindsporeConvCell(_MindsporeCellAdapter):
    """``mindspore.nn.Conv{1,2,3}d``."""

    name = "mindspore.nn.Conv"
    op = "conv"
    docs = DOCS_NN_CONV
    CELL = "Conv{}d"
    ARGS = ("in_channels", "out_channels", "kernel_size", "stride", "pad_mode", "padding", "dilation", "group", "has_bias")

    def channels(self, case: Case) -> tuple[int, int]:
        return case.w.shape[1] * case.groups, case.w.shape[0]

    def cell_args(self, case: Case) -> dict[str, Any] | Unsupported:
        return conv_cell_args(case)


class MindsporeMintConvTranspose2d(_MindsporeAdapter):
    """``mindspore.mint.nn.functional.conv_transpose2d`` (= ``mindspore.ops.conv_transpose2d``):
    torch's signature, 2D only."""

    name = "mindspore.mint.nn.functional.conv_transpose2d"
    op = "conv_transpose"
    docs = DOCS_MINT_CONV_TRANSPOSE2D
    spatial_dims = frozenset({2})
    ARGS = ("stride", "padding", "output_padding", "groups", "dilation")

    def translate(self, case: Case) -> NativeCall | Unsupported:
        args = torch_conv_transpose_args(case)
        if isinstance(args, Unsupported):
            return Unsupported(args.reason, args.detail, DOCS_MINT_CONV_TRANSPOSE2D)
        return NativeCall(
            "mindspore.mint.nn.functional.conv_transpose2d", {**args, "bias": case.b is not None}, "NCHW", "IOHW"
        )

    def repro_source(self, case: Case, call: NativeCall) -> str:
        return (
            _REPRO_TENSORS
            + f"out = {call.api}(xt, wt, bt, {self._kwargs_source(call)})\n"
            + "y = out.astype(mindspore.float64).asnumpy()\n"
        )


ADAPTERS = [MindsporeConvTransposeCell, MindsporeConvCell, MindsporeMintConvTranspose2d]
