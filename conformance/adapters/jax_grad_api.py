"""JAX's backward of lax.conv_transpose and lax.conv_general_dilated: ``jax.vjp``.

The forward call of ``jax_api`` (canonical layouts through dimension_numbers, the kernel
passed as is) differentiated with ``jax.vjp`` w.r.t. the one argument whose gradient is
judged (the input or the kernel), the other closed over as a constant: jax then transposes
only that argument's path, one backward convolution instead of two. The cotangent is the
upstream gradient ``g``. lax takes no bias, so neither has grad_bias.
"""

from __future__ import annotations

from ..case import Case
from .base import NativeCall
from .gradient import GradientMixin
from .jax_api import RENDERED_HEADER, JaxConvGeneralDilated, JaxConvTranspose, kwargs_source, lax_kwargs

DOCS_VJP = "https://docs.jax.dev/en/latest/_autosummary/jax.vjp.html"
VJP_NOTE = "gradient by jax.vjp of the call w.r.t. the judged argument (input or kernel), cotangent g"
# The judged quantity -> the argument jax.vjp differentiates; the other is closed over.
_ARGUMENT = {"grad_input": "xj", "grad_weight": "wj"}


class _JaxVjp(GradientMixin):
    quantities = ("grad_input", "grad_weight")

    gradient_note = VJP_NOTE

    def gradient_source(self, case: Case, call: NativeCall) -> str:
        argument = _ARGUMENT[case.quantity]
        return (
            RENDERED_HEADER
            + self.kernel_source(case, call)
            + "gj = jax.device_put(g.astype(np_dtype))\n"
            + f"# {case.quantity}: the vjp w.r.t. {argument} alone, the other argument a constant\n"
            + f"out, backward = jax.vjp(lambda {argument}: {call.api}(xj, wj, {kwargs_source(lax_kwargs(call))}), {argument})\n"
            + "(grad,) = backward(gj)\n"
            + "y = np.asarray(grad).astype(np.float64)\n"
        )


class JaxConvTransposeGrad(_JaxVjp, JaxConvTranspose):
    name = "jax.lax.conv_transpose.grad"
    docs = DOCS_VJP


class JaxConvGeneralDilatedGrad(_JaxVjp, JaxConvGeneralDilated):
    name = "jax.lax.conv_general_dilated.grad"
    docs = DOCS_VJP


ADAPTERS = [JaxConvTransposeGrad, JaxConvGeneralDilatedGrad]
