"""MindSpore's backward of nn.Conv{1,2,3}d[Transpose]: ``mindspore.vjp`` in PyNative mode.

The forward cell of ``mindspore_api`` (channels first, the canonical arrays as its
``weight_init`` / ``bias_init``) differentiated with ``mindspore.vjp(cell, x,
weights=cell.trainable_params())``: the returned function, given the upstream gradient
``g``, gives the gradients w.r.t. the input and the cell's (weight, bias). Conv1d and
Conv1dTranspose keep their weight as (.., 1, k) internally: that gradient is reshaped to
the canonical kernel's shape (exact). ``mint.nn.functional.conv_transpose2d`` has no
gradient adapter: its forward has no CPU kernel (its expectations file).
"""

from __future__ import annotations

from ..case import Case
from .base import NativeCall
from .gradient import GradientMixin
from .mindspore_api import _REPRO_TENSORS, MindsporeConvCell, MindsporeConvTransposeCell

DOCS_VJP = "https://www.mindspore.cn/docs/en/r2.10.0/api_python/mindspore/mindspore.vjp.html"
VJP_NOTE = "gradient by mindspore.vjp(cell, x, weights=cell.trainable_params()) applied to g (PyNative)"
_READ = {
    "grad_input": "grad = grads_inputs[0]  # w.r.t. the input",
    "grad_weight": "grad = grads_weights[0]  # w.r.t. cell.weight",
    "grad_bias": "grad = grads_weights[1]  # w.r.t. cell.bias",
}


class _MindsporeVjp(GradientMixin):
    gradient_note = VJP_NOTE

    def gradient_source(self, case: Case, call: NativeCall) -> str:
        reshape = {
            "grad_input": "",
            # Conv1d / Conv1dTranspose hold a (.., 1, k) weight: back to the canonical kernel's shape
            "grad_weight": ".reshape(w.shape)",
            "grad_bias": "",
        }[case.quantity]
        return (
            _REPRO_TENSORS
            + f"cell = {call.api}({self._kwargs_source(call)},\n"
            + "    weight_init=wt, bias_init=bt, dtype=ms_dtype)\n"
            + "gt = Tensor(np.asarray(g, dtype=np.float64)).astype(ms_dtype)\n"
            + "out, backward = mindspore.vjp(cell, xt, weights=cell.trainable_params())\n"
            + "grads_inputs, grads_weights = backward(gt)\n"
            + _READ[case.quantity]
            + "\n"
            + f"y = grad.astype(mindspore.float64).asnumpy(){reshape}\n"
        )


class MindsporeConvTransposeCellGrad(_MindsporeVjp, MindsporeConvTransposeCell):
    name = "mindspore.nn.ConvTranspose.grad"
    docs = DOCS_VJP


class MindsporeConvCellGrad(_MindsporeVjp, MindsporeConvCell):
    name = "mindspore.nn.Conv.grad"
    docs = DOCS_VJP


ADAPTERS = [MindsporeConvTransposeCellGrad, MindsporeConvCellGrad]
