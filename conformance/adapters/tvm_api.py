"""Apache TVM (Relax): one ONNX ``ConvTranspose`` or ``Conv`` node imported by TVM's ONNX
frontend, compiled for the ``llvm`` target and run by the Relax VM on the CPU.

1. The node is the one ``onnxruntime_api`` builds (``OnnxNodeAdapter``: the same attributes
   from the same pure functions, the same model-building text), so a difference between this
   column and ORT's or onnx.reference's is TVM's: its ONNX importer
   (``tvm.relax.frontend.onnx.from_onnx``: ONNX attributes -> ``relax.op.nn.conv*d_transpose``
   / ``conv*d``), Relax's shape inference and legalization, or the TOPI kernels it lowers to.
   The ONNX frontend is in the PyPI wheel, and it is what a porter feeds TVM, so it is the
   source here (not ``relax.op.nn.conv2d_transpose`` called by hand): UNSUPPORTED is ONNX's
   (none: the node has every attribute), and whatever the frontend or the compiler refuses is
   an ERROR with an expectation.
2. The rendered call (``repro_source``) is the path TVM documents: ``from_onnx(model)`` (W and
   B initializers become constants), ``tvm.compile(mod, target="llvm")`` (Relax's default
   pipeline: legalize to TIR, then LLVM), ``relax.VirtualMachine(executable, tvm.cpu())``,
   ``vm["main"](tensor)``. onnx and tvm are imported there only.
3. Target: the plain ``"llvm"`` of TVM's tutorials, no ``mcpu``: LLVM's generic x86-64 (SSE2;
   no AVX, measured in the generated assembly), the same code on every x86-64 machine;
   ``build_properties`` records the target, LLVM's version and the features it enabled.
4. Every dtype the operators' ``T`` accepts is asked (TVM's dtypes include float16, float64
   and bfloat16); what the frontend, the compiler or the kernels do with one is TVM's answer.
"""

from __future__ import annotations

from typing import Any

from .onnxruntime_api import DOCS_CONV, DOCS_CONV_TRANSPOSE, OnnxNodeAdapter

TARGET = "llvm"
# The x86 vector features whose presence says which instructions LLVM may emit.
X86_VECTOR_FEATURES = ("sse2", "sse4.1", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bf16", "avx512fp16")


class _TvmNodeAdapter(OnnxNodeAdapter):
    """One ONNX node through ``from_onnx`` -> ``tvm.compile(target="llvm")`` -> the Relax VM."""

    framework = "tvm"
    module = "tvm"
    pip_package = "apache-tvm"
    pip_extras = ("onnx",)
    # TVM's C++ errors reach Python through tvm_ffi (its FFI package, a separate wheel)
    framework_modules = ("tvm", "tvm_ffi")
    runtime_note = f"tvm.relax.frontend.onnx.from_onnx -> tvm.compile(target={TARGET!r}) -> relax.VirtualMachine on tvm.cpu()"
    runtime_imports = ("import tvm", "from tvm import relax", "from tvm.relax.frontend.onnx import from_onnx")

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """The target, the LLVM TVM links, and the CPU features LLVM enables for it (no
        ``mcpu``: LLVM's generic CPU, whatever this machine has)."""
        import tvm
        from tvm.target import codegen

        target = tvm.target.Target(TARGET)
        features = set(codegen.llvm_get_cpu_features(target))
        return {
            "target": TARGET,
            "llvm_version": int(codegen.llvm_version_major()),
            "llvm_mcpu": str(target.attrs.get("mcpu", "")) or "generic (none given)",
            "llvm_vector_features": [name for name in X86_VECTOR_FEATURES if name in features],
        }

    def run_lines(self) -> list[str]:
        return [
            "mod = from_onnx(model)  # TVM's ONNX frontend: the node -> relax.op.nn, W and B as constants",
            f"executable = tvm.compile(mod, target={TARGET!r})  # Relax's default pipeline, LLVM's generic CPU",
            "vm = relax.VirtualMachine(executable, tvm.cpu())",
            "y = vm['main'](tvm.runtime.tensor(x.astype(dtype))).numpy().astype(np.float64)",
        ]


class TvmConvTranspose(_TvmNodeAdapter):
    """ONNX ``ConvTranspose`` in TVM (the frontend's ConvTranspose -> relax.op.nn.conv{1,2,3}d_transpose)."""

    name = "tvm.ConvTranspose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE
    node_op = "ConvTranspose"


class TvmConv(_TvmNodeAdapter):
    """ONNX ``Conv`` in TVM (the frontend's Conv -> relax.op.nn.conv{1,2,3}d)."""

    name = "tvm.Conv"
    op = "conv"
    docs = DOCS_CONV
    node_op = "Conv"


ADAPTERS = [TvmConvTranspose, TvmConv]
