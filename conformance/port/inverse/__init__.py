"""The inverse of every adapter's translation: a ``NativeCall`` (API, keyword arguments,
layouts) plus the tensors' shapes in those layouts -> the canonical ``Layer``, or an
``InverseError`` naming the argument it cannot read.

One pure function per API family, chosen by the call's API name (several adapters share
one: the ONNX node family, TFLite and tf2onnx convert tf.nn's call, torch.compile and
torch.onnx run torch's module). No framework is imported.
"""

from __future__ import annotations

from ...adapters.base import NativeCall
from . import onnxlike, tflike, torchlike, xla
from .common import InverseError

PATTERNS = [*torchlike.PATTERNS, *tflike.PATTERNS, *xla.PATTERNS, *onnxlike.PATTERNS]


def inverse_for(api: str):
    for pattern, function in PATTERNS:
        if pattern.match(api):
            return function
    return None


def canonical_from_native(call: NativeCall, x_shape=None, w_shape=None):
    """The canonical layer an adapter's native call computes (its translation run backwards)."""
    function = inverse_for(call.api)
    if function is None:
        raise InverseError(call.api, "api", "no inverse knows this API")
    return function(call, x_shape, w_shape)


__all__ = ["InverseError", "canonical_from_native", "inverse_for"]
