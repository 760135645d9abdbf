"""IREE: one ONNX ``ConvTranspose`` or ``Conv`` node imported by ``iree-import-onnx``, compiled
by ``iree-compile`` for the ``llvm-cpu`` backend and run by ``iree.runtime`` on ``local-sync``.

1. The node is the one ``onnxruntime_api`` builds (``OnnxNodeAdapter``: the same attributes
   from the same pure functions, the same model-building text), so a difference between this
   column and ORT's or onnx.reference's is IREE's: its ONNX importer (torch-mlir's
   ``torch.operator "onnx.ConvTranspose"``), the lowering of that to linalg, or the code
   LLVM generates. UNSUPPORTED is ONNX's (none: the node has every attribute); whatever the
   importer or the compiler refuses (an op it cannot legalize, say) is an ERROR with an
   expectation.
2. The rendered call (``repro_source``) is IREE's ONNX guide in Python: the model written to
   a file, ``iree-import-onnx model.onnx -o model.mlir`` (the tool's own ``main``, in
   process, so its exceptions are Python's), ``iree.compiler.tools.compile_file(...,
   target_backends=['llvm-cpu'])`` (``iree-compile --iree-hal-target-backends=llvm-cpu``;
   its diagnostics are the CompilerToolError's text), then
   ``iree.runtime.load_vm_flatbuffer(vmfb, driver='local-sync')`` and the function the
   importer names after the graph. onnx and iree are imported there only.
3. Target: no ``--iree-llvmcpu-target-cpu``, as the guide's command has none: IREE then
   targets a generic CPU of the host's architecture (it warns 'Defaulting to targeting a
   generic CPU ... will result in poor performance'), the same code on every x86-64 machine.
   ``build_properties`` records that, the compiler's version and revision, and the driver.
   ``local-sync`` runs inline on one thread (the suite runs one thread per worker).
4. Every dtype the operators' ``T`` accepts is asked; what the importer, the compiler or
   the runtime does with one is IREE's answer.
"""

from __future__ import annotations

from typing import Any

from .onnxruntime_api import DOCS_CONV, DOCS_CONV_TRANSPOSE, OnnxNodeAdapter

TARGET_BACKEND = "llvm-cpu"
DRIVER = "local-sync"


class _IreeNodeAdapter(OnnxNodeAdapter):
    """One ONNX node through iree-import-onnx -> iree-compile (llvm-cpu) -> iree.runtime."""

    framework = "iree"
    # iree-compile runs once per case (about 0.6 s of CPU each: 587 s for the environment in
    # .ci/run's one tox p, the longest of the main job, which runs it)
    module = "iree.compiler"
    pip_package = "iree-base-compiler"
    pip_extras = ("iree-base-runtime", "onnx")
    framework_modules = ("iree",)
    runtime_note = f"iree-import-onnx -> iree-compile --iree-hal-target-backends={TARGET_BACKEND} -> iree.runtime ({DRIVER})"
    runtime_imports = (
        "import os",
        "import tempfile",
        "import iree.compiler.tools",
        "import iree.runtime",
        "from iree.compiler.tools.import_onnx.__main__ import main as iree_import_onnx, parse_arguments",
    )

    @classmethod
    def framework_version(cls) -> str:
        """``iree.compiler`` has no ``__version__``: the wheel's version."""
        from importlib import metadata

        return metadata.version("iree-base-compiler")

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """The compiler's build (version and revision), the runtime wheel, the backend, the
        CPU it targets (no target-cpu flag: IREE's generic CPU) and the runtime driver."""
        from importlib import metadata

        from iree.compiler import version

        return {
            "compiler": f"{version.VERSION} @ {version.REVISIONS.get('IREE', '')}",
            "runtime": metadata.version("iree-base-runtime"),
            "target_backend": TARGET_BACKEND,
            "llvmcpu_target_cpu": "generic (no --iree-llvmcpu-target-cpu)",
            "driver": DRIVER,
        }

    def run_lines(self) -> list[str]:
        return [
            "with tempfile.TemporaryDirectory() as folder:",
            "    onnx_path, mlir_path = os.path.join(folder, 'model.onnx'), os.path.join(folder, 'model.mlir')",
            "    with open(onnx_path, 'wb') as f:",
            "        f.write(model.SerializeToString())",
            "    iree_import_onnx(parse_arguments([onnx_path, '-o', mlir_path]))  # iree-import-onnx model.onnx -o model.mlir",
            f"    # iree-compile --iree-hal-target-backends={TARGET_BACKEND} model.mlir (no target CPU: IREE's generic one)",
            f"    vmfb = iree.compiler.tools.compile_file(mlir_path, target_backends=[{TARGET_BACKEND!r}])",
            f"module = iree.runtime.load_vm_flatbuffer(vmfb, driver={DRIVER!r})",
            "# the importer names the function after the graph",
            "y = np.asarray(module[graph.name](x.astype(dtype))).astype(np.float64)",
        ]


class IreeConvTranspose(_IreeNodeAdapter):
    """ONNX ``ConvTranspose`` in IREE (torch-mlir's onnx.ConvTranspose lowering)."""

    name = "iree.ConvTranspose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE
    node_op = "ConvTranspose"


class IreeConv(_IreeNodeAdapter):
    """ONNX ``Conv`` in IREE (torch-mlir's onnx.Conv lowering)."""

    name = "iree.Conv"
    op = "conv"
    docs = DOCS_CONV
    node_op = "Conv"


ADAPTERS = [IreeConvTranspose, IreeConv]
