"""What every gradient adapter shares: the quantities it offers and how its rendered call runs.

A gradient adapter is the forward adapter's API surface differentiated by the framework's
own machinery (autograd, GradientTape, jax.vjp) or called through its explicit backward
API (``torch.nn.grad.conv2d_input``, ``tf.nn.conv2d_backprop_input``). It is its own
adapter (``<forward name>.grad``, its own results file and expectations), so a test id is
(case, adapter, quantity) and its repro computes the gradient exactly as the run did.

It translates the case as its forward adapter does (same parameters, same UNSUPPORTED
reasons) and renders one text that leaves the gradient named by ``case.quantity`` as
``y`` in the canonical layout of the tensor it is the gradient of. The text reads ``g``,
the upstream gradient (canonical output layout, float64) besides ``x``, ``w``, ``b``, and
casts it to the case dtype as it does the inputs. A gradient w.r.t. a relaid-out tensor is
relaid back with the inverse permutation (exact). Asked for the forward output (which the
runner never does: it is not among ``quantities``), an autodiff adapter renders its forward
adapter's call.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..case import Case
from .base import RENDERED_CALL_FILE, NativeCall, Unsupported, framework_call

GRADIENTS = ("grad_input", "grad_weight", "grad_bias")


class GradientMixin:
    """Put first among the bases of a subclass of the forward adapter."""

    quantities: ClassVar[tuple[str, ...]] = GRADIENTS
    # How the gradient is taken (e.g. "gradient by jax.vjp ..."): put before the forward
    # call's note, so the report says it; empty for an explicit backward API's own translate.
    gradient_note: ClassVar[str] = ""

    def translate(self, case: Case) -> NativeCall | Unsupported:
        call = super().translate(case)  # the forward adapter's: same parameters, same reasons
        if isinstance(call, Unsupported) or not self.gradient_note:
            return call
        return with_gradient_note(call, self.gradient_note)

    def execute(self, case: Case, call: NativeCall) -> np.ndarray:
        return run_rendered_gradient(self, case, call)

    def repro_source(self, case: Case, call: NativeCall) -> str:
        """The forward adapter's text for the output; for a gradient the subclass's
        ``gradient_source`` (which leaves ``case.quantity``'s gradient as ``y``), unless it renders
        ``repro_source`` itself (an explicit backward API)."""
        if case.quantity == "output":  # not asked by the runner (quantities): the forward as it is
            return self.forward_source(case, call)
        return self.gradient_source(case, call)

    def forward_source(self, case: Case, call: NativeCall) -> str:
        """The forward adapter's own text of the call (a gradient text may start from it)."""
        return super().repro_source(case, call)


def run_rendered_gradient(adapter, case: Case, call: NativeCall) -> np.ndarray:
    """``base.run_rendered_call`` with ``g`` defined: the rendered text is the whole run."""
    source = adapter.repro_source(case, call)
    code = compile(source, RENDERED_CALL_FILE.format(name=adapter.name), "exec")
    namespace = {
        "__name__": "__rendered_call__",
        "np": np,
        "x": np.array(case.x, dtype=np.float64),
        "w": np.array(case.w, dtype=np.float64),
        "b": None if case.b is None else np.array(case.b, dtype=np.float64),
        "g": np.array(case.grad_output, dtype=np.float64),
        "dtype": case.dtype,
    }
    with framework_call():
        exec(code, namespace)  # noqa: S102 - the adapter's own rendering, never user input
    return np.asarray(namespace["y"], dtype=np.float64)


def with_gradient_note(call: NativeCall, how: str) -> NativeCall:
    """The forward call, its note saying how the gradient is taken (the report shows it)."""
    note = f"{how}; {call.note}" if call.note else how
    return NativeCall(call.api, call.kwargs, call.input_layout, call.kernel_layout, note)
