"""tract (sonos/tract, the Rust inference engine, through its ``tract`` Python bindings): one
ONNX ``ConvTranspose`` or ``Conv`` node, loaded by ``tract.onnx()``, typed, optimized and run.

1. The node is the one ``onnxruntime_api`` builds (``OnnxNodeAdapter``: the same
   attributes from the same pure functions, the same model-building text), so a difference between the columns is a difference
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

from ..case import Case
from .base import NativeCall, Unsupported
from .onnxruntime_api import DOCS_CONV, DOCS_CONV_TRANSPOSE, OnnxNodeAdapter

# The bindings' element types: DatumType has F16/F32/F64, no bfloat16.
DOCS_DATUM_TYPES = "https://github.com/sonos/tract/blob/main/api/py/tract/tensor.py"


class _TractNodeAdapter(OnnxNodeAdapter):
    """One ONNX node loaded by ``tract.onnx().load``, ``into_model().into_runnable()``, run."""

    framework = "tract"
    module = "tract"
    pip_extras = ("onnx",)
    framework_modules = ("tract",)
    dtypes = frozenset({"float64", "float32", "float16"})
    dtype_reasons = {
        "bfloat16": "tract's DatumType has no bfloat16 (F16/F32/F64 only); tract-onnx refuses the tensor at load",
    }

    runtime_note = "tract.onnx().load -> into_model -> into_runnable"
    runtime_imports = ("import os", "import tempfile", "import tract")

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

    def run_lines(self) -> list[str]:
        return [
            "# tract's bindings load a model from a path only",
            "with tempfile.TemporaryDirectory() as folder:",
            "    path = os.path.join(folder, 'model.onnx')",
            "    with open(path, 'wb') as f:",
            "        f.write(model.SerializeToString())",
            "    inference_model = tract.onnx().load(path)",
            "runnable = inference_model.into_model().into_runnable()",
            "y = runnable.run([x.astype(dtype)])[0].to_numpy().astype(np.float64)",
        ]


class TractConvTranspose(_TractNodeAdapter):
    """ONNX ``ConvTranspose`` in tract (tract-onnx's ConvTranspose -> tract-core's Deconv)."""

    name = "tract.ConvTranspose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE
    node_op = "ConvTranspose"


class TractConv(_TractNodeAdapter):
    """ONNX ``Conv`` in tract (tract-core's Conv)."""

    name = "tract.Conv"
    op = "conv"
    docs = DOCS_CONV
    node_op = "Conv"


ADAPTERS = [TractConvTranspose, TractConv]
