"""tract (sonos/tract, the Rust inference engine, through its ``tract`` Python bindings): one
ONNX ``ConvTranspose`` or ``Conv`` node, loaded by ``tract.onnx()``, typed, optimized and run.

1. The node is the one ``onnxruntime_api`` builds (the same attributes, from the same pure
   functions, imported from there: ``conv_transpose_attributes``, ``conv_attributes``,
   ``common_attributes``, ``OPSET``), so a difference between the columns is a difference
   between tract's ONNX import and kernels and ORT's on one model. ONNX is channels first like
   the canonical layouts; no relayout is needed.
2. The bindings load a model from a path only (``Onnx.load(path)``; no bytes), so the
   rendered call (``repro_source``) writes the onnx.helper model to a temporary file, loads it
   as an ``InferenceModel``, turns it into a typed ``Model`` (``into_model``: shape and type
   inference, then tract's declutter) and a ``Runnable`` (``into_runnable``: the optimized plan
   on the default CPU runtime), and runs it: the path the bindings document. onnx and tract
   are imported there only.
3. dtypes: the bindings' ``DatumType`` (tract/tensor.py) has F16, F32 and F64 and no bfloat16,
   and tract-onnx refuses a bfloat16 tensor at load ('Unknown DatumType Bfloat16'): bfloat16
   is UNSUPPORTED; float16, float32 and float64 are asked.
4. tract is a native library: a Rust panic in it aborts the process (no Python exception);
   the runner records that as CRASH, isolated per case.
5. tract picks its matrix kernels (tract-linalg) by CPUID when the library loads; no
   environment variable caps that and the bindings report none of it, so
   ``build_properties`` adds nothing; a CPU-dependent expectation reads ``cpu_has``.
"""

from __future__ import annotations

from typing import Any

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .layout import canonical_input_layout, canonical_kernel_layout
from .onnxruntime_api import (
    DOCS_CONV,
    DOCS_CONV_TRANSPOSE,
    OPSET,
    common_attributes,
    conv_attributes,
    conv_transpose_attributes,
)

# The bindings' element types: DatumType has F16/F32/F64, no bfloat16.
DOCS_DATUM_TYPES = "https://github.com/sonos/tract/blob/main/api/py/tract/tensor.py"


class _TractNodeAdapter(Adapter):
    """One ONNX node loaded by ``tract.onnx().load``, ``into_model().into_runnable()``, run."""

    framework = "tract"
    module = "tract"
    pip_extras = ("onnx",)
    framework_modules = ("tract",)
    dtypes = frozenset({"float64", "float32", "float16"})
    dtype_reasons = {
        "bfloat16": "tract's DatumType has no bfloat16 (F16/F32/F64 only); tract-onnx refuses the tensor at load",
    }

    node_op: str = ""  # the ONNX operator: "ConvTranspose" | "Conv"

    def express(self, case: Case) -> NativeCall | Unsupported:
        """As ``Adapter.express``, with the bindings' DatumType as the doc of a dtype refusal."""
        if case.dtype not in self.dtypes:
            return Unsupported(f"dtype:{case.dtype}", self.dtype_reasons.get(case.dtype, ""), DOCS_DATUM_TYPES)
        return super().express(case)

    @classmethod
    def framework_version(cls) -> str:
        """The bindings have no ``__version__``: ``tract.version()`` is the native library's."""
        import tract

        return str(tract.version())

    def native_call(self, case: Case, attributes: dict[str, Any]) -> NativeCall:
        dims = case.spatial_dims
        return NativeCall(
            api=self.node_op,
            kwargs={**attributes, **common_attributes(case)},
            input_layout=canonical_input_layout(dims),
            kernel_layout=canonical_kernel_layout(case.op, dims),
            note=f"one {self.node_op} node, opset {OPSET}, W/B as initializers, tract.onnx().load -> into_model -> into_runnable",
        )

    def repro_source(self, case: Case, call: NativeCall) -> str:
        """The model built with onnx.helper (X the graph input, W and B initializers in the
        case's dtype), saved to a temporary file, loaded and run by tract, Y back as float64."""
        args = ", ".join(f"{key}={value!r}" for key, value in call.kwargs.items())
        inputs = ["X", "W"] + (["B"] if case.b is not None else [])
        return "\n".join(
            [
                "import os",
                "import tempfile",
                "import numpy as np",
                "import tract",
                "from onnx import helper, numpy_helper",
                "",
                "# One node; W (and B) as initializers, as in an exported model. ONNX is channels first like x and w.",
                "elem_type = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))",
                "initializers = [numpy_helper.from_array(w.astype(dtype), 'W')]"
                + (" + [numpy_helper.from_array(b.astype(dtype), 'B')]" if case.b is not None else ""),
                f"node = helper.make_node({call.api!r}, {inputs!r}, ['Y'], {args})",
                "graph = helper.make_graph(",
                f"    [node], {call.api!r},",
                "    [helper.make_tensor_value_info('X', elem_type, list(x.shape))],",
                "    [helper.make_tensor_value_info('Y', elem_type, [None] * x.ndim)],",
                "    initializer=initializers,",
                ")",
                f"model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', {OPSET})])",
                "# tract's bindings load a model from a path only",
                "with tempfile.TemporaryDirectory() as folder:",
                "    path = os.path.join(folder, 'model.onnx')",
                "    with open(path, 'wb') as f:",
                "        f.write(model.SerializeToString())",
                "    inference_model = tract.onnx().load(path)",
                "runnable = inference_model.into_model().into_runnable()",
                "y = runnable.run([x.astype(dtype)])[0].to_numpy().astype(np.float64)",
            ]
        )


class TractConvTranspose(_TractNodeAdapter):
    """ONNX ``ConvTranspose`` in tract (tract-onnx's ConvTranspose -> tract-core's Deconv)."""

    name = "tract.ConvTranspose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE
    node_op = "ConvTranspose"

    def translate(self, case: Case) -> NativeCall | Unsupported:
        return self.native_call(case, conv_transpose_attributes(case))


class TractConv(_TractNodeAdapter):
    """ONNX ``Conv`` in tract (tract-core's Conv)."""

    name = "tract.Conv"
    op = "conv"
    docs = DOCS_CONV
    node_op = "Conv"

    def translate(self, case: Case) -> NativeCall | Unsupported:
        return self.native_call(case, conv_attributes(case))


ADAPTERS = [TractConvTranspose, TractConv]
