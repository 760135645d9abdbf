"""PyTorch's backward of conv and conv_transpose: autograd over the functional forms, and
the explicit ``torch.nn.grad.conv{1,2,3}d_input`` / ``conv{1,2,3}d_weight``.

autograd: the forward call of ``torch_api`` with ``requires_grad`` on the tensor whose
gradient is judged, then ``torch.autograd.grad(out, [that], g)``: the backward kernels a
training step runs (ATen's convolution_backward, oneDNN's backward-data/-weights).
torch's layouts are the canonical ones, so the gradients need no relayout.

``torch.nn.grad`` is conv's backward as public functions (grad_input and grad_weight; no
bias): they take explicit int padding only, so a padding mode is passed as the symmetric
pads it means, and an odd total is UNSUPPORTED, as for torch's strided conv.
"""

from __future__ import annotations

from typing import Any

from ..case import Case
from .base import NativeCall, Unsupported
from .canonical import axes
from .gradient import GradientMixin
from .torch_api import (
    _REPRO_TENSORS,
    DOCS_SYMMETRIC_CONV,
    TorchFunctionalConv,
    TorchFunctionalConvTranspose,
    _kwargs_source,
    _TorchAdapter,
    _layouts,
)

DOCS_AUTOGRAD = "https://pytorch.org/docs/stable/generated/torch.autograd.grad.html"
DOCS_NN_GRAD = "https://github.com/pytorch/pytorch/blob/main/torch/nn/grad.py"
AUTOGRAD_NOTE = "gradient by torch.autograd.grad(out, [input | weight | bias], g)"

# The tensor of the rendered call each gradient is taken w.r.t.
_TARGETS = {"grad_input": "xt", "grad_weight": "wt", "grad_bias": "bt"}

_UPSTREAM = "gt = torch.from_numpy(np.asarray(g, dtype=np.float64)).to(torch_dtype).to(device)\n"


class _TorchAutograd(GradientMixin):
    gradient_note = AUTOGRAD_NOTE

    def gradient_source(self, case: Case, call: NativeCall) -> str:
        target = _TARGETS[case.quantity]
        return (
            f"device = {self.device!r}\n"
            + _REPRO_TENSORS
            + f"{target}.requires_grad_(True)  # the tensor whose gradient ({case.quantity}) is judged\n"
            + f"out = {call.api}(xt, wt, bt, {_kwargs_source(call.kwargs, self.ARGS)})\n"
            + _UPSTREAM
            + f"(grad,) = torch.autograd.grad(out, [{target}], gt)\n"
            + "y = grad.cpu().to(torch.float64).numpy()\n"
        )


class TorchFunctionalConvTransposeGrad(_TorchAutograd, TorchFunctionalConvTranspose):
    """autograd through ``torch.nn.functional.conv_transpose{1,2,3}d``."""

    name = "torch.nn.functional.conv_transpose.grad"
    docs = DOCS_AUTOGRAD


class TorchFunctionalConvGrad(_TorchAutograd, TorchFunctionalConv):
    """autograd through ``torch.nn.functional.conv{1,2,3}d``."""

    name = "torch.nn.functional.conv.grad"
    docs = DOCS_AUTOGRAD


def explicit_padding(case: Case) -> list[int] | Unsupported:
    """torch.nn.grad's ``padding``: one int per dim (the functions take no mode)."""
    if isinstance(case.padding, str):
        if any(s < 1 for s in case.stride):
            return [0] * case.spatial_dims
        totals = [0 if case.padding == "valid" else axis.same_total() for axis in axes(case)]
        if any(total % 2 for total in totals):
            return Unsupported(
                "asymmetric-padding",
                f"'{case.padding}' needs total padding {totals}; torch.nn.grad pads symmetrically",
                DOCS_NN_GRAD,
            )
        return [total // 2 for total in totals]
    if any(before != after for before, after in case.padding):
        return Unsupported("asymmetric-padding", f"padding {[list(p) for p in case.padding]}", DOCS_SYMMETRIC_CONV)
    return [before for before, _ in case.padding]


class TorchNnGradConv(GradientMixin, _TorchAdapter):
    """``torch.nn.grad.conv{1,2,3}d_input`` and ``conv{1,2,3}d_weight``: conv's backward."""

    name = "torch.nn.grad.conv"
    op = "conv"
    docs = DOCS_NN_GRAD
    quantities = ("grad_input", "grad_weight")
    ARGS = ("stride", "padding", "dilation", "groups")

    def translate(self, case: Case) -> NativeCall | Unsupported:
        padding = explicit_padding(case)
        if isinstance(padding, Unsupported):
            return padding
        kwargs: dict[str, Any] = {
            "stride": list(case.stride),
            "padding": padding,
            "dilation": list(case.dilation),
            "groups": case.groups,
        }
        input_layout, kernel_layout = _layouts(case)
        api = f"torch.nn.grad.conv{case.spatial_dims}d_{{input|weight}}"
        return NativeCall(api, kwargs, input_layout, kernel_layout)

    def repro_source(self, case: Case, call: NativeCall) -> str:
        dims = case.spatial_dims
        args = _kwargs_source(call.kwargs, self.ARGS)
        if case.quantity == "grad_input":
            line = f"grad = torch.nn.grad.conv{dims}d_input(list(xt.shape), wt, gt, {args})\n"
        else:
            line = f"grad = torch.nn.grad.conv{dims}d_weight(xt, list(wt.shape), gt, {args})\n"
        return (
            f"device = {self.device!r}\n"
            + _REPRO_TENSORS
            + _UPSTREAM
            + line
            + "y = grad.cpu().to(torch.float64).numpy()\n"
        )


ADAPTERS = [TorchFunctionalConvTransposeGrad, TorchFunctionalConvGrad, TorchNnGradConv]
