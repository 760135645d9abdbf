"""MXNet's backward of mx.nd.Deconvolution and mx.nd.Convolution: ``mx.autograd``.

The forward call of ``mxnet_api`` (canonical layouts, no relayout) recorded under
``autograd.record()`` with a gradient buffer attached to the tensor whose gradient is
judged, then ``out.backward(g)``: MXNet's backward kernels (oneDNN's backward-data and
backward-weights where the build has it).
"""

from __future__ import annotations

from ..case import Case
from .base import NativeCall
from .gradient import GradientMixin
from .mxnet_api import NdConvolution, NdDeconvolution, _inputs_source, _kwargs_source

DOCS_AUTOGRAD = "https://mxnet.apache.org/versions/1.9.1/api/python/docs/api/autograd/index.html"
AUTOGRAD_NOTE = "gradient by mx.autograd: attach_grad, record, out.backward(g)"
_TARGETS = {"grad_input": "data", "grad_weight": "weight", "grad_bias": "bias"}


class _MXNetAutograd(GradientMixin):
    gradient_note = AUTOGRAD_NOTE

    def gradient_source(self, case: Case, call: NativeCall) -> str:
        target = _TARGETS[case.quantity]
        bias = "" if case.b is None else "bias=bias, "
        if case.dtype == "bfloat16":
            upstream = 'g_mx = mx.nd.array(g, dtype="float32").astype(BFLOAT16)\n'
            read = f'y = {target}.grad.astype("float32").asnumpy()\n'
        else:
            upstream = "g_mx = mx.nd.array(g, dtype=dtype)\n"
            read = f"y = {target}.grad.asnumpy()\n"
        return (
            _inputs_source(case, call)
            + upstream
            + f"{target}.attach_grad()  # the tensor whose gradient ({case.quantity}) is judged\n"
            + "with mx.autograd.record():\n"
            + f"    out = {call.api}(data=data, weight=weight, {bias}{_kwargs_source(call)})\n"
            + "out.backward(g_mx)\n"
            + "# MXNet runs asynchronously: reading the result back is where its errors surface. The\n"
            + "# backward runs the op's whole backward kernel, so a failure raised here is also left in\n"
            + "# the engine, where the next waitall (or a later call's read) would raise it again:\n"
            + "# clear it here, keeping the read's own error; an unread part's failure is this call's too\n"
            + "try:\n"
            + "    " + read
            + "except mx.base.MXNetError:\n"
            + "    try:\n"
            + "        mx.nd.waitall()\n"
            + "    except mx.base.MXNetError:\n"
            + "        pass\n"
            + "    raise\n"
            + "mx.nd.waitall()\n"
        )


class NdDeconvolutionGrad(_MXNetAutograd, NdDeconvolution):
    name = "mxnet.nd.Deconvolution.grad"
    docs = DOCS_AUTOGRAD


class NdConvolutionGrad(_MXNetAutograd, NdConvolution):
    name = "mxnet.nd.Convolution.grad"
    docs = DOCS_AUTOGRAD


ADAPTERS = [NdDeconvolutionGrad, NdConvolutionGrad]
