"""JAX's backward of lax.conv_transpose and lax.conv_general_dilated: ``jax.vjp``.

The forward call of ``jax_api`` (canonical layouts through dimension_numbers, the kernel
passed as is) differentiated with ``jax.vjp`` w.r.t. the input and the kernel; the
cotangent is the upstream gradient ``g``. lax takes no bias, so neither has grad_bias.
"""

from __future__ import annotations

from ..case import Case
from .base import NativeCall
from .gradient import GradientMixin
from .jax_api import RENDERED_HEADER, JaxConvGeneralDilated, JaxConvTranspose, kwargs_source, lax_kwargs

DOCS_VJP = "https://docs.jax.dev/en/latest/_autosummary/jax.vjp.html"
VJP_NOTE = "gradient by jax.vjp of the call w.r.t. (input, kernel), cotangent g"


class _JaxVjp(GradientMixin):
    quantities = ("grad_input", "grad_weight")

    gradient_note = VJP_NOTE

    def gradient_source(self, case: Case, call: NativeCall) -> str:
        which = 0 if case.quantity == "grad_input" else 1
        return (
            RENDERED_HEADER
            + self.kernel_source(case, call)
            + "gj = jnp.asarray(g, dtype=dtype)\n"
            + f"out, backward = jax.vjp(lambda xj, wj: {call.api}(xj, wj, {kwargs_source(lax_kwargs(call))}), xj, wj)\n"
            + f"grad = backward(gj)[{which}]  # (grad_input, grad_weight)[{which}]: {case.quantity}\n"
            + "y = np.asarray(grad).astype(np.float64)\n"
        )


class JaxConvTransposeGrad(_JaxVjp, JaxConvTranspose):
    name = "jax.lax.conv_transpose.grad"
    docs = DOCS_VJP


class JaxConvGeneralDilatedGrad(_JaxVjp, JaxConvGeneralDilated):
    name = "jax.lax.conv_general_dilated.grad"
    docs = DOCS_VJP


ADAPTERS = [JaxConvTransposeGrad, JaxConvGeneralDilatedGrad]
