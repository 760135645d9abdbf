"""TensorFlow.js, run by Node: ``tf.conv2dTranspose``/``tf.conv3dTranspose`` and ``tf.conv1d``/
``conv2d``/``conv3d`` on the pure-JS ``cpu`` backend and on the ``wasm`` backend.

1. The call is an ES module (``repro_source``, ``node_program``): the inputs relaid out by
   plain JS (``permute``: only the convolution is TF.js's work), float32 ``tf.tensor``s, the
   op, ``y`` back to channels first. The runner runs it in its persistent Node child and the
   repro is a standalone ``.mjs`` embedding the same text. The packages are the modular ones
   TensorFlow.js documents (``@tensorflow/tfjs-core`` with a backend package: the ops and
   kernels ``@tensorflow/tfjs`` bundles, without its webgl/layers/data/converter start-up),
   pinned in ``js/tfjs/package.json`` and installed by ``npm ci`` in the ``tfjs`` tox
   environment (``NPM_FOLDER``).
2. A JavaScript exception thrown inside the packages (``util.assert``'s ``Error in
   conv2dDerInput: ...``) is the framework's answer; a ReferenceError/SyntaxError/TypeError
   of the program's own text is HARNESS. Node dying is a CRASH, a hang a TIMEOUT.
3. TF.js is channels last (``NHWC``; conv filters ``[*k, in, out]``, transposed-conv filters
   ``[*k, outDepth, inDepth]``), TF's layouts: the layout helpers are ``tensorflow_api``'s.
   ``conv2dTranspose`` is TF's ``conv2d_transpose`` (``conv2DBackpropInput``): the output
   shape is an argument, the canonical output length is passed and TF.js places the window
   as the gradient of its conv; ``ExplicitPadding`` (NHWC pairs) is 2D only and conv3d(Transpose)
   take 'valid'/'same'. No dilation for the transposed ops, no groups, no bias, float32 only
   (``DataType`` has no float16/float64/bfloat16): UNSUPPORTED, each with its doc.
4. Build properties: the backend, its version, Node's and V8's versions, and for wasm whether
   the SIMD and multi-threaded binaries were chosen (they are chosen at load by feature
   detection: no environment variable flips them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..case import Case
from .base import NativeCall, Unsupported
from .canonical import axes, same_lower_pads
from .layout import canonical_input_layout, canonical_kernel_layout
from .node_program import PERMUTE_SOURCE, NodeProgramAdapter, js
from .tensorflow_api import (
    channels_last_input_layout,
    conv_filter_layout,
    transpose_axes,
    transpose_filter_layout,
)

# The npm project of the tfjs adapters (package.json + package-lock.json; `npm ci` there).
NPM_FOLDER = Path(__file__).resolve().parents[2] / "js" / "tfjs"
# js/tfjs/package.json's pins (a test keeps them equal), for the repro's install line
PACKAGE_VERSIONS = {
    "@tensorflow/tfjs-core": "4.22.0",
    "@tensorflow/tfjs-backend-cpu": "4.22.0",
    "@tensorflow/tfjs-backend-wasm": "4.22.0",
    "@tensorflow/tfjs-layers": "4.22.0",  # tfjs_layers_api
}

DOCS = "https://js.tensorflow.org/api/4.22.0/"
DOCS_CONV2D_TRANSPOSE = DOCS + "#conv2dTranspose"
DOCS_CONV3D_TRANSPOSE = DOCS + "#conv3dTranspose"
DOCS_CONV1D = DOCS + "#conv1d"
DOCS_CONV2D = DOCS + "#conv2d"
DOCS_CONV3D = DOCS + "#conv3d"
DOCS_DTYPE = DOCS + "#tensor ('dtype: The data type. (optional) 'float32'|'int32'|'bool'|'complex64'|'string'')"
DTYPE_REASONS = {
    "float64": "TF.js tensors have no float64 (DataType: float32, int32, bool, complex64, string)",
    "float16": "TF.js tensors have no float16 (DataType: float32, int32, bool, complex64, string)",
    "bfloat16": "TF.js tensors have no bfloat16 (DataType: float32, int32, bool, complex64, string)",
}

TRANSPOSE_FUNCTIONS = {2: "conv2dTranspose", 3: "conv3dTranspose"}
CONV_FUNCTIONS = {1: "conv1d", 2: "conv2d", 3: "conv3d"}
# The positional arguments after (x, filter), in the signature's order.
TRANSPOSE_ARGS = ("outputShape", "strides", "pad")
CONV_ARGS = {1: ("stride", "pad", "dataFormat", "dilation"), 2: ("strides", "pad", "dataFormat", "dilations"),
             3: ("strides", "pad", "dataFormat", "dilations")}  # fmt: skip
# ExplicitPadding ([[0, 0], [top, bottom], [left, right], [0, 0]], NHWC) exists for these only:
# conv1d passes its pad to conv2d on a [batch, 1, width, channels] view.
EXPLICIT_PADDING_TRANSPOSE_DIMS = frozenset({2})
EXPLICIT_PADDING_CONV_DIMS = frozenset({1, 2})


# -- translation -----------------------------------------------------------------------------
def explicit_padding(pairs, dims: int) -> list[list[int]]:
    """Per-dim (before, after) pairs -> TF.js ``ExplicitPadding``: four NHWC pairs (1D: the
    ``[batch, 1, width, channels]`` view conv1d hands to conv2d)."""
    spatial = [[0, 0]] * (2 - dims) + [[before, after] for before, after in pairs]
    return [[0, 0], *spatial, [0, 0]]


def transpose_pad(case: Case) -> str | list[list[int]] | Unsupported:
    """The case's padding -> ``pad`` of conv2dTranspose/conv3dTranspose ('valid', 'same' or
    ExplicitPadding in 2D; canonical 'same_lower' as its explicit pairs where those exist)."""
    dims = case.spatial_dims
    docs = DOCS_CONV2D_TRANSPOSE if dims == 2 else DOCS_CONV3D_TRANSPOSE
    if case.padding in ("same", "valid"):
        return case.padding
    if dims not in EXPLICIT_PADDING_TRANSPOSE_DIMS:
        if case.padding == "same_lower":
            return Unsupported("padding-mode:same_lower", "conv3dTranspose's pad is 'valid' or 'same'", docs)
        if all(pair == (0, 0) for pair in case.padding):
            return "valid"
        return Unsupported("explicit-padding", "conv3dTranspose's pad is 'valid' or 'same'", docs)
    if case.padding == "same_lower":
        pairs = [same_lower_pads(a.length, a.kernel, a.stride, a.dilation, a.window()[1]) for a in axes(case)]
    else:
        pairs = case.padding
    return explicit_padding(pairs, dims)


def conv_pad(case: Case) -> str | list[list[int]] | Unsupported:
    """The case's padding -> ``pad`` of conv1d/conv2d/conv3d ('valid', 'same' or
    ExplicitPadding in 1D/2D; canonical 'same_lower' as its explicit pairs there)."""
    dims = case.spatial_dims
    if case.padding in ("same", "valid"):
        return case.padding
    if dims not in EXPLICIT_PADDING_CONV_DIMS:
        if case.padding == "same_lower":
            return Unsupported("padding-mode:same_lower", "conv3d's pad is 'valid' or 'same'", DOCS_CONV3D)
        if all(pair == (0, 0) for pair in case.padding):
            return "valid"
        return Unsupported("explicit-padding", "conv3d's pad is 'valid' or 'same'", DOCS_CONV3D)
    if case.padding == "same_lower":
        totals = [axis.same_total() for axis in axes(case)]
        pairs = [(total - total // 2, total // 2) for total in totals]  # the odd zero before
    else:
        pairs = case.padding
    return explicit_padding(pairs, dims)


def transpose_arguments(case: Case) -> dict[str, Any] | Unsupported:
    """The case -> conv2dTranspose/conv3dTranspose's ``outputShape``, ``strides``, ``pad``."""
    docs = DOCS_CONV2D_TRANSPOSE if case.spatial_dims == 2 else DOCS_CONV3D_TRANSPOSE
    if case.groups != 1:
        return Unsupported("groups", "TF.js transposed convolutions have no groups argument", docs)
    if case.b is not None:
        return Unsupported("bias", "TF.js transposed convolutions have no bias argument", docs)
    if any(d != 1 for d in case.dilation):
        return Unsupported("dilation", f"dilation {list(case.dilation)}: no dilation argument", docs)
    if case.padding_mode is not None and any(case.output_padding):
        return Unsupported(
            "output-padding-with-padding-mode",
            f"padding {case.padding_mode!r} with output_padding {list(case.output_padding)}: no output_padding"
            " argument, only outputShape",
            docs,
        )
    pad = transpose_pad(case)
    if isinstance(pad, Unsupported):
        return pad
    # outputShape is the canonical output: TF.js itself decides whether its conv maps it back.
    outs = [axis.window()[1] for axis in axes(case)]
    return {"outputShape": [case.x.shape[0], *outs, case.w.shape[1]], "strides": list(case.stride), "pad": pad}


def conv_arguments(case: Case) -> dict[str, Any] | Unsupported:
    """The case -> conv1d/conv2d/conv3d's stride(s), ``pad``, ``dataFormat``, dilation(s)."""
    dims = case.spatial_dims
    docs = {1: DOCS_CONV1D, 2: DOCS_CONV2D, 3: DOCS_CONV3D}[dims]
    if case.groups != 1:
        return Unsupported("groups", "no groups argument; the filter's inDepth must match the input's", docs)
    if case.b is not None:
        return Unsupported("bias", "TF.js convolutions have no bias argument", docs)
    pad = conv_pad(case)
    if isinstance(pad, Unsupported):
        return pad
    names = CONV_ARGS[dims]
    if dims == 1:  # conv1d takes one number each
        return {names[0]: case.stride[0], "pad": pad, "dataFormat": "NWC", names[3]: case.dilation[0]}
    layout = channels_last_input_layout(dims)
    return {names[0]: list(case.stride), "pad": pad, "dataFormat": layout, names[3]: list(case.dilation)}


# -- adapters ------------------------------------------------------------------------------
class _TfjsAdapter(NodeProgramAdapter):
    """One TF.js op on one backend, run by Node (see the module docstring)."""

    framework = "tfjs"
    module = "@tensorflow/tfjs-core"
    framework_modules = ("tfjs",)
    npm_folder = NPM_FOLDER
    dtypes = frozenset({"float32"})
    dtype_reasons = DTYPE_REASONS
    backend = "cpu"
    backend_package = "@tensorflow/tfjs-backend-cpu"
    backend_version = "version_cpu"

    @classmethod
    def install_line(cls, version: str | None) -> str:
        """The core and this backend's package, at js/tfjs/package.json's pins."""
        return f"npm install {cls.module}@{PACKAGE_VERSIONS[cls.module]} {cls.backend_package}@{PACKAGE_VERSIONS[cls.backend_package]}"

    def express(self, case: Case) -> NativeCall | Unsupported:
        """As ``Adapter.express``, with TF.js's DataType as the doc of a dtype refusal."""
        if case.dtype not in self.dtypes:
            return Unsupported(f"dtype:{case.dtype}", self.dtype_reasons.get(case.dtype, ""), DOCS_DTYPE)
        return super().express(case)

    @classmethod
    def probe_source(cls) -> str:
        backend_flags = (
            " simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),"
            " threads: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),"
            if cls.backend == "wasm"
            else ""
        )
        return "\n".join(
            [
                "import * as tf from '@tensorflow/tfjs-core';",
                f"import * as backend from '{cls.backend_package}';",
                f"await tf.setBackend('{cls.backend}');",
                f"const y = {{core: tf.version_core, backend: tf.getBackend(), backend_version: backend.{cls.backend_version},"
                f"{backend_flags} node: process.versions.node, v8: process.versions.v8}};",
            ]
        )

    @classmethod
    def version_from_probe(cls, probe: dict[str, Any]) -> str:
        return str(probe["core"])

    @classmethod
    def build_from_probe(cls, probe: dict[str, Any]) -> dict[str, Any]:
        """The backend that ran (setBackend refuses silently: tf.getBackend() says), its
        package's version, Node/V8, and for wasm the SIMD / multi-threaded binary choice."""
        build = {"backend": probe["backend"], "backend_version": probe["backend_version"], **super().build_from_probe(probe)}
        if cls.backend == "wasm":
            build.update(wasm_simd=bool(probe["simd"]), wasm_threads=bool(probe["threads"]))
        return build

    def arguments(self, case: Case) -> dict[str, Any] | Unsupported:
        raise NotImplementedError  # abstract

    def function(self, case: Case) -> str:
        raise NotImplementedError  # abstract

    def kernel_layout(self, dims: int) -> str:
        raise NotImplementedError  # abstract

    def translate(self, case: Case) -> NativeCall | Unsupported:
        args = self.arguments(case)
        if isinstance(args, Unsupported):
            return args
        dims = case.spatial_dims
        return NativeCall(
            api=f"tf.{self.function(case)}",
            kwargs=args,
            input_layout=channels_last_input_layout(dims),
            kernel_layout=self.kernel_layout(dims),
            note=f"TF.js {self.backend} backend, run by Node (the arguments are positional, in this order)",
        )

    def repro_source(self, case: Case, call: NativeCall) -> str:
        """The ES module: plain-JS relayout to TF.js's layouts, float32 tensors, the call,
        and ``y`` back to channels first."""
        dims = case.spatial_dims
        canonical_x, canonical_w = canonical_input_layout(dims), canonical_kernel_layout(case.op, dims)
        args = ", ".join(js(value) for value in call.kwargs.values())
        to_canonical = transpose_axes(call.input_layout, canonical_x)
        return "\n".join(
            [
                "import * as tf from '@tensorflow/tfjs-core';",
                f"import '{self.backend_package}';",
                "",
                PERMUTE_SOURCE,
                "",
                f"await tf.setBackend('{self.backend}');",
                f"const xIn = permute(x, {js(transpose_axes(canonical_x, call.input_layout))});"
                f"  // {canonical_x} -> {call.input_layout}",
                f"const wIn = permute(w, {js(transpose_axes(canonical_w, call.kernel_layout))});"
                f"  // {canonical_w} -> {call.kernel_layout}",
                "const input = tf.tensor(Float32Array.from(xIn.data), xIn.shape, 'float32');",
                "const filter = tf.tensor(Float32Array.from(wIn.data), wIn.shape, 'float32');",
                f"const output = {call.api}(input, filter, {args});",
                f"const y = permute({{shape: output.shape, data: await output.data()}}, {js(to_canonical)});"
                f"  // {call.input_layout} -> {canonical_x}",
                "tf.dispose([input, filter, output]);",
            ]
        )


class _TfjsConvTranspose(_TfjsAdapter):
    op = "conv_transpose"
    spatial_dims = frozenset({2, 3})  # no conv1dTranspose
    docs = DOCS_CONV2D_TRANSPOSE

    def arguments(self, case: Case) -> dict[str, Any] | Unsupported:
        return transpose_arguments(case)

    def function(self, case: Case) -> str:
        return TRANSPOSE_FUNCTIONS[case.spatial_dims]

    def kernel_layout(self, dims: int) -> str:
        return transpose_filter_layout(dims)


class _TfjsConv(_TfjsAdapter):
    op = "conv"
    docs = DOCS_CONV2D

    def arguments(self, case: Case) -> dict[str, Any] | Unsupported:
        return conv_arguments(case)

    def function(self, case: Case) -> str:
        return CONV_FUNCTIONS[case.spatial_dims]

    def kernel_layout(self, dims: int) -> str:
        return conv_filter_layout(dims)


class TfjsConvTranspose(_TfjsConvTranspose):
    """``tf.conv2dTranspose`` / ``tf.conv3dTranspose`` on the pure-JS cpu backend."""

    name = "tfjs.conv_transpose"


class TfjsConv(_TfjsConv):
    """``tf.conv1d`` / ``tf.conv2d`` / ``tf.conv3d`` on the pure-JS cpu backend."""

    name = "tfjs.conv"


class _OnWasm:
    """The wasm backend (``@tensorflow/tfjs-backend-wasm``, XNNPACK kernels compiled to WebAssembly).

    Its kernels read outside their buffers on some cases (conv3dTranspose always, see
    ``TfjsConvTransposeWasm``; the convs on invalid cases), so what they return depends on the
    wasm heap's contents and layout, i.e. on what ran before in the process: an out-of-range
    read that returns garbage in one process traps ('memory access out of bounds') or hangs
    in another. Each case gets a fresh Node (``node_child_per_case``), as a user's one script
    does, so results do not depend on the order cases run in."""

    backend = "wasm"
    node_child_per_case = True
    backend_package = "@tensorflow/tfjs-backend-wasm"
    backend_version = "version_wasm"


class TfjsConvTransposeWasm(_OnWasm, _TfjsConvTranspose):
    """``tf.conv2dTranspose`` / ``tf.conv3dTranspose`` on the wasm backend.

    Its conv3dTranspose reads filter taps outside the filter's buffer (the depth loop's bound
    ``yf_max = min(out_depth, filter_depth / stride_depth)`` in ``conv3d_impl.h`` lacks the
    ``+ xf_corner`` its row and column bounds have), so its answer depends on what earlier
    tensors left in the wasm heap: measured, channels.yaml's ch-3d-in1-out3 passes in a fresh
    process and fails when run again in it."""

    name = "tfjs.conv_transpose@wasm"


class TfjsConvWasm(_OnWasm, _TfjsConv):
    """``tf.conv1d`` / ``tf.conv2d`` / ``tf.conv3d`` on the wasm backend."""

    name = "tfjs.conv@wasm"


ADAPTERS = [TfjsConvTranspose, TfjsConv, TfjsConvTransposeWasm, TfjsConvWasm]
