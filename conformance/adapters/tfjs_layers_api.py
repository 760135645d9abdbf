"""TensorFlow.js layers, run by Node: ``tf.layers.conv2dTranspose`` / ``conv3dTranspose``
(``@tensorflow/tfjs-layers``, Keras 2's layers ported) on the pure-JS ``cpu`` backend.

1. The layer is built for the case's input shape, its weights set from ``w`` (and ``b``) with
   ``setWeights``, and applied: the program is an ES module (``node_program``) that the runner
   runs in its Node child and the ``.mjs`` repro embeds. ``dataFormat: 'channelsFirst'``: the
   input is the canonical one; the kernel is ``[*k, filters, inDim]`` (relaid out by plain JS).
2. The layer has no output_padding, output size or explicit padding: its ``padding`` is
   'valid' or 'same' and ``deconvLength`` (utils/conv_utils) gives its length, ``L * s +
   max(k - s, 0)`` for 'valid' and ``L * s`` for 'same'; the op it calls is
   ``conv2dTranspose`` with that output shape, so 'valid' is the window (0, that length). A
   case is expressible when one mode's window is the case's on every axis (the rule read with
   the effective kernel, ``d (k - 1) + 1``: the length a layer honouring ``dilationRate`` would
   give). Otherwise UNSUPPORTED with the parameter it lacks.
3. ``dilationRate`` is a documented argument of the layer (its Conv base class takes it), so
   a dilated case is asked; ``call`` never passes it on (the test of the layer is the run).
4. No groups; bias with ``useBias``; float32 only (TF.js DataType), as ``tfjs_api``.
"""

from __future__ import annotations

from typing import Any

from ..case import Case
from .base import NativeCall, Unsupported
from .canonical import Axis, axes, effective_kernel
from .layout import canonical_input_layout, canonical_kernel_layout
from .node_program import PERMUTE_SOURCE, js
from .tensorflow_api import transpose_axes, transpose_filter_layout
from .tfjs_api import DOCS, PACKAGE_VERSIONS, _TfjsAdapter

DOCS_LAYER = {2: DOCS + "#layers.conv2dTranspose", 3: DOCS + "#layers.conv3dTranspose"}
LAYER_FUNCTIONS = {2: "conv2dTranspose", 3: "conv3dTranspose"}
LAYERS_PACKAGE = "@tensorflow/tfjs-layers"


def layer_window(axis: Axis, mode: str) -> tuple[int, int]:
    """(before, output length) of the layer on one axis: 'same' is TF.js's conv2dTranspose
    'same' at length L*s (the canonical 'same' window), 'valid' the window (0, L*s + max(e - s, 0))."""
    if mode == "same":
        return Axis(axis.length, axis.kernel, axis.stride, axis.dilation, "same", 0, None).window()
    return 0, axis.length * axis.stride + max(effective_kernel(axis.kernel, axis.dilation) - axis.stride, 0)


def layer_padding(case: Case) -> str | Unsupported:
    """The layer's ``padding`` whose window is the case's on every axis, or what it lacks."""
    dims = case.spatial_dims
    docs = DOCS_LAYER[dims]
    if case.padding_mode is not None and any(case.output_padding):
        return Unsupported("output-padding-with-padding-mode", "no outputPadding argument", docs)
    # Negative amounts (invalid cases) cannot be asked of the layer at all: a mode whose window
    # happened to match would turn the invalid case into an ordinary, valid call.
    if any(op < 0 for op in case.output_padding):
        return Unsupported("output-padding", f"output_padding {list(case.output_padding)}: no outputPadding argument", docs)
    if not isinstance(case.padding, str) and any(amount < 0 for pair in case.padding for amount in pair):
        return Unsupported("explicit-padding", "the layer's padding is 'valid' or 'same'", docs)
    case_axes = axes(case)
    wanted = [axis.window() for axis in case_axes]
    modes = sorted(("valid", "same"), key=lambda mode: mode != case.padding)  # the case's own mode first
    for mode in modes:
        if all(layer_window(axis, mode) == window for axis, window in zip(case_axes, wanted)):
            return mode
    if case.padding == "same_lower":
        return Unsupported("padding-mode:same_lower", "the layer's padding is 'valid' or 'same'", docs)
    if not isinstance(case.padding, str) and any(pair != (0, 0) for pair in case.padding):
        return Unsupported("explicit-padding", "the layer's padding is 'valid' or 'same'", docs)
    if case.output_shape is not None:
        return Unsupported("output-shape", "the layer computes its output size (deconvLength)", docs)
    return Unsupported(
        "output-padding",
        f"output_padding {list(case.output_padding)}: the layer's 'valid' length is L*s + max(k - s, 0)"
        " (deconvLength), no outputPadding argument",
        docs,
    )


def layer_arguments(case: Case) -> dict[str, Any] | Unsupported:
    """The case -> the layer's config (``filters``, ``kernelSize``, ``strides``, ``padding``,
    ``dataFormat``, ``dilationRate``, ``useBias``)."""
    if case.groups != 1:
        return Unsupported("groups", "the layer has no groups argument", DOCS_LAYER[case.spatial_dims])
    padding = layer_padding(case)
    if isinstance(padding, Unsupported):
        return padding
    return {
        "filters": case.w.shape[1],
        "kernelSize": list(case.kernel_spatial),
        "strides": list(case.stride),
        "padding": padding,
        "dataFormat": "channelsFirst",
        "dilationRate": list(case.dilation),
        "useBias": case.b is not None,
    }


class TfjsLayersConvTranspose(_TfjsAdapter):
    """``tf.layers.conv2dTranspose`` / ``tf.layers.conv3dTranspose`` on the cpu backend."""

    name = "tfjs.layers.ConvTranspose"
    op = "conv_transpose"
    spatial_dims = frozenset({2, 3})  # no conv1dTranspose layer
    docs = DOCS_LAYER[2]

    @classmethod
    def install_line(cls, version: str | None) -> str:
        packages = (cls.module, LAYERS_PACKAGE, cls.backend_package)
        return "npm install " + " ".join(f"{name}@{PACKAGE_VERSIONS[name]}" for name in packages)

    def arguments(self, case: Case) -> dict[str, Any] | Unsupported:
        return layer_arguments(case)

    def function(self, case: Case) -> str:
        return f"layers.{LAYER_FUNCTIONS[case.spatial_dims]}"

    def kernel_layout(self, dims: int) -> str:
        return transpose_filter_layout(dims)

    def translate(self, case: Case) -> NativeCall | Unsupported:
        call = super().translate(case)
        if isinstance(call, Unsupported):
            return call
        return NativeCall(
            api=call.api,
            kwargs=call.kwargs,
            input_layout=canonical_input_layout(case.spatial_dims),  # dataFormat 'channelsFirst'
            kernel_layout=call.kernel_layout,
            note="TF.js layers (Keras 2 port), cpu backend, run by Node; weights set with setWeights",
        )

    def repro_source(self, case: Case, call: NativeCall) -> str:
        canonical_w = canonical_kernel_layout(case.op, case.spatial_dims)
        weights = "[kernel, tf.tensor(Float32Array.from(b.data), b.shape, 'float32')]" if case.b is not None else "[kernel]"
        return "\n".join(
            [
                "import * as tf from '@tensorflow/tfjs-core';",
                f"import '{self.backend_package}';",
                f"import * as tfl from '{LAYERS_PACKAGE}';",
                "",
                PERMUTE_SOURCE,
                "",
                f"await tf.setBackend('{self.backend}');",
                f"const layer = tfl.{call.api.removeprefix('tf.')}({js(call.kwargs)});",
                f"const input = tf.tensor(Float32Array.from(x.data), x.shape, 'float32');  // {call.input_layout}: dataFormat 'channelsFirst'",
                "layer.build(input.shape);",
                f"const wIn = permute(w, {js(transpose_axes(canonical_w, call.kernel_layout))});"
                f"  // {canonical_w} -> {call.kernel_layout}: [*kernelSize, filters, inDim]",
                "const kernel = tf.tensor(Float32Array.from(wIn.data), wIn.shape, 'float32');",
                f"layer.setWeights({weights});",
                "const output = layer.apply(input);",
                "const y = { shape: output.shape, data: await output.data() };  // channelsFirst, like x",
                "tf.dispose([input, kernel, output]);",
            ]
        )


ADAPTERS = [TfjsLayersConvTranspose]
