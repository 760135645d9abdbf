"""PaddlePaddle's backward of paddle.nn.functional.conv{,_transpose}{1,2,3}d: ``paddle.grad``.

The forward call of ``paddle_api`` (the channels-first functional forms; canonical layouts,
no relayout) with ``stop_gradient = False`` on the tensor whose gradient is judged, then
``paddle.grad(out, [that], grad_outputs=[g])``: Paddle's backward kernels.
"""

from __future__ import annotations

from ..case import Case
from .base import NativeCall
from .gradient import GradientMixin
from .paddle_api import PaddleFunctionalConv, PaddleFunctionalConvTranspose, _kwargs

DOCS_GRAD = "https://www.paddlepaddle.org.cn/documentation/docs/en/api/paddle/grad_en.html"
GRAD_NOTE = "gradient by paddle.grad(out, [x | weight | bias], grad_outputs=[g])"
_TARGETS = {"grad_input": "xt", "grad_weight": "wt", "grad_bias": "bt"}


class _PaddleGrad(GradientMixin):
    gradient_note = GRAD_NOTE

    def gradient_source(self, case: Case, call: NativeCall) -> str:
        target = _TARGETS[case.quantity]
        return (
            self.tensors_source(case)
            + f"{target}.stop_gradient = False  # the tensor whose gradient ({case.quantity}) is judged\n"
            + f"out = {call.api}(xt, wt, bt, {_kwargs(call.kwargs, (*self.ARGS, 'data_format'))})\n"
            + "gt = paddle.to_tensor(np.asarray(g, dtype=np.float64)).astype(dtype)\n"
            + f"(grad,) = paddle.grad([out], [{target}], grad_outputs=[gt])\n"
            + "y = grad.astype('float64').numpy()\n"
        )


class PaddleFunctionalConvTransposeGrad(_PaddleGrad, PaddleFunctionalConvTranspose):
    name = "paddle.nn.functional.conv_transpose.grad"
    docs = DOCS_GRAD


class PaddleFunctionalConvGrad(_PaddleGrad, PaddleFunctionalConv):
    name = "paddle.nn.functional.conv.grad"
    docs = DOCS_GRAD


ADAPTERS = [PaddleFunctionalConvTransposeGrad, PaddleFunctionalConvGrad]
