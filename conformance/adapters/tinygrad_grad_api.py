"""tinygrad's backward of ``Tensor.conv_transpose2d`` and ``Tensor.conv2d``: its autograd.

The forward adapter's call (``tinygrad_api``: the same arguments, the same UNSUPPORTED
reasons, tensors on the CPU device in the case dtype) differentiated by
``Tensor.gradient``, tinygrad's autograd (what ``Tensor.backward`` runs), with the upstream
gradient ``g`` cast to the case dtype: ``out.gradient(target, gradient=gt)`` for the one
tensor judged (input, weight or bias), so only that gradient's kernels are built and
compiled. tinygrad's layouts are the canonical ones (torch's): no relayout. tinygrad
differentiates the ops its conv is built of (pad, reshape/expand, multiply, sum, and for
conv_transpose the stride-dilation and flip), so its backward is the gradients of those
movement and reduce ops, compiled for the CPU like the forward.
"""

from __future__ import annotations

from ..case import Case
from .base import NativeCall
from .gradient import GradientMixin
from .tinygrad_api import DEVICE, SOURCE_OPS, TinygradConv, TinygradConvTranspose

# Tensor.gradient is defined (and documented, with its example) beside the conv methods
DOCS_GRADIENT = SOURCE_OPS
GRADIENT_NOTE = "gradient by Tensor.gradient (tinygrad's autograd) of the call w.r.t. the tensor judged, upstream g"
TARGETS = {"grad_input": "xt", "grad_weight": "wt", "grad_bias": "bt"}


class _TinygradGradient(GradientMixin):
    gradient_note = GRADIENT_NOTE
    docs = DOCS_GRADIENT

    def gradient_source(self, case: Case, call: NativeCall) -> str:
        forward = self.forward_source(case, call)  # the tensors and `out = ...`, then the read-back
        tensors_and_call = forward[: forward.index("y = out.")]
        return (
            tensors_and_call
            + f"gt = Tensor(np.asarray(g, dtype=np.float64), device={DEVICE!r}).cast(tg_dtype)  # upstream gradient\n"
            + f"(grad,) = out.gradient({TARGETS[case.quantity]}, gradient=gt)  # {case.quantity}\n"
            + "y = grad.cast(dtypes.float64).numpy()\n"
        )


class TinygradConvTransposeGrad(_TinygradGradient, TinygradConvTranspose):
    name = "tinygrad.Tensor.conv_transpose2d.grad"


class TinygradConvGrad(_TinygradGradient, TinygradConv):
    name = "tinygrad.Tensor.conv2d.grad"


ADAPTERS = [TinygradConvTransposeGrad, TinygradConvGrad]
