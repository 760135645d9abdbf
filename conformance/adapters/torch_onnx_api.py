"""torch.onnx.export -> ONNX Runtime: a torch.nn Conv module exported to ONNX, run on ORT's CPU provider.

1. The source is the torch adapters' own module call: ``torch_api.TorchConvTransposeModule``
   and ``TorchConvModule`` translate the case (imported, not copied), so the module that is
   exported is exactly the one ``torch.nn.ConvTranspose{1,2,3}d`` / ``torch.nn.Conv{1,2,3}d``
   are asked with (an output shape goes to ``forward(output_size=...)``, which the exporter
   receives as ``kwargs``), and what torch.nn cannot say is UNSUPPORTED here for the same
   documented reason.
2. Two exporters, one adapter each: the dynamo exporter (``torch.onnx.export(...,
   dynamo=True)``, the default since torch 2.9: ``torch.export`` then onnxscript's torchlib)
   and the TorchScript exporter (``dynamo=False``, a setting the rendered text shows),
   named ``<name>@torchscript``. Each exports with its defaults (its default opset, the
   dynamo exporter's ``optimize=True``); ``build_properties`` records the opset each
   emits and the exporter's versions.
3. The exported model runs on ``onnxruntime.InferenceSession`` with the CPU provider, by
   the lines ``onnxruntime_api`` renders for its own node (imported): the exporter's input
   is named ``X`` (``input_names``, a name only) so those lines apply as they are.
4. The dynamo exporter rebuilds its operator registry from torchlib at every call (about 0.5 s
   of CPU, two thirds of an export of one Conv module: ``ONNXRegistry.from_torchlib`` parses
   the source of ~500 onnxscript functions). The runner's child builds it once per process
   and opset (``share_torchlib_registry``): the same registry object the call would build,
   which the exporter only reads when no ``custom_translation_table`` is given (none is);
   the exported model is the same, and the rendered call (the repro) is unchanged.
5. Every dtype the module takes is asked: the exporter and ORT answer (ORT's CPU provider
   has no float64 or bfloat16 Conv/ConvTranspose kernel: an ERROR with an expectation). An
   exporter's refusal of a case eager torch computes is an ERROR with an expectation; a
   value eager torch gets right and this path does not is the exporter's finding, or ORT's
   (the expectations say which, from the same exported model run by onnx.reference).
"""

from __future__ import annotations

from typing import Any

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .onnxruntime_api import OrtConv, OrtConvTranspose
from .torch_api import TorchConvModule, TorchConvTransposeModule

DOCS_EXPORT = "https://docs.pytorch.org/docs/stable/onnx_export.html"
DOCS_EXPORT_TORCHSCRIPT = "https://docs.pytorch.org/docs/stable/onnx_torchscript.html"


def share_torchlib_registry() -> bool:
    """Build the dynamo exporter's torchlib registry once per process and opset, instead of
    once per ``torch.onnx.export`` call; ``build_properties`` records whether it did.

    ``_compat.export_compat`` calls ``ONNXRegistry.from_torchlib(opset_version=...)`` and
    only adds to the result for a ``custom_translation_table`` (never given here), so the
    memoized registry is what every call would rebuild: populated from the same torchlib,
    cleaned for the same opset. A torch whose exporter no longer has that classmethod is
    left as it is (False): slower, never different."""
    from torch.onnx._internal.exporter import _registration

    registry_class = getattr(_registration, "ONNXRegistry", None)
    build = getattr(registry_class, "from_torchlib", None)
    if build is None:
        return False
    if getattr(build, "shared_by_conformance", False):
        return True
    built: dict[Any, Any] = {}
    unbound = build.__func__

    def from_torchlib(cls, *args, **kwargs):
        key = (cls, args, tuple(sorted(kwargs.items())))
        if key not in built:
            built[key] = unbound(cls, *args, **kwargs)
        return built[key]

    from_torchlib.shared_by_conformance = True  # type: ignore[attr-defined]
    registry_class.from_torchlib = classmethod(from_torchlib)
    return True


def module_source(source: type[Adapter], call: NativeCall) -> str:
    """The module's constructor call as the torch adapter writes it (its ``CONSTRUCTOR`` names)."""
    args = ", ".join(f"{name}={call.kwargs[name]!r}" for name in source.CONSTRUCTOR)
    return f"{call.api}({args})"


def forward_kwargs(source: type[Adapter], call: NativeCall) -> dict[str, Any]:
    """The keyword arguments of the module's ``forward`` (ConvTranspose's ``output_size``)."""
    return source().forward_kwargs(call)


def export_lines(call_kwargs: dict[str, Any], dynamo: bool) -> list[str]:
    """The ``torch.onnx.export`` call of one exporter, leaving the ModelProto as ``model``."""
    kwargs = f", kwargs={call_kwargs!r}" if call_kwargs else ""
    if dynamo:
        return [
            "# the dynamo exporter: torch.onnx.export's default since torch 2.9 (torch.export + onnxscript)",
            f"onnx_program = torch.onnx.export(module, (xt,){kwargs}, input_names=['X'], dynamo=True)",
            "model = onnx_program.model_proto",
        ]
    return [
        "# dynamo=False: not the default; this adapter asks the TorchScript exporter",
        "buffer = io.BytesIO()",
        f"torch.onnx.export(module, (xt,), buffer{kwargs}, input_names=['X'], dynamo=False)",
        "model = onnx.load_from_string(buffer.getvalue())",
    ]


class _TorchOnnxAdapter(Adapter):
    """The source adapter's torch.nn module, exported by one exporter, run by ORT's CPU provider."""

    framework = "torch_onnx"
    module = "torch"
    pip_extras = ("onnxscript", "onnx", "onnxruntime")
    # The exporters raise from torch (torch.export, torch.onnx) and onnxscript/onnx_ir
    # (torchlib, the optimizer), the session from onnxruntime.
    framework_modules = ("torch", "onnxscript", "onnx_ir", "onnx", "onnxruntime")
    docs = DOCS_EXPORT
    dtypes = TorchConvTransposeModule.dtypes

    source: type[Adapter]  # the torch_api module adapter whose module is exported
    runtime: type[Adapter]  # the onnxruntime_api adapter whose run lines run the model
    dynamo = True  # torch.onnx.export's default

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """The exporter (dynamo or TorchScript), the ONNX opset it emits (read from a model it
        exports), and the versions of what it and the runtime are made of. The runner's child
        calls it once, when it loads the adapter: the dynamo exporter's registry is shared
        from here on (``share_torchlib_registry``)."""
        import io
        from importlib import metadata

        import onnx
        import torch

        shared_registry = share_torchlib_registry() if cls.dynamo else None
        module = torch.nn.Conv1d(1, 1, 1)
        example = (torch.zeros(1, 1, 1),)
        if cls.dynamo:
            model = torch.onnx.export(module, example, dynamo=True, verbose=False).model_proto
        else:
            buffer = io.BytesIO()
            torch.onnx.export(module, example, buffer, dynamo=False)
            model = onnx.load_from_string(buffer.getvalue())
        opset = next(entry.version for entry in model.opset_import if entry.domain in ("", "ai.onnx"))
        return {
            "exporter": "dynamo" if cls.dynamo else "torchscript",
            "opset": opset,
            "onnxscript": metadata.version("onnxscript") if cls.dynamo else None,
            "onnx_ir": metadata.version("onnx-ir") if cls.dynamo else None,
            # the exporter's torchlib registry built once per process (share_torchlib_registry)
            "torchlib_registry_shared": shared_registry,
            "onnx": metadata.version("onnx"),
            "onnxruntime": metadata.version("onnxruntime"),
        }

    def translate(self, case: Case) -> NativeCall | Unsupported:
        call = self.source().translate(case)
        if isinstance(call, Unsupported):  # torch.nn cannot say it, so no exported model can hold it
            return call
        exporter = "dynamo=True" if self.dynamo else "dynamo=False (TorchScript)"
        return NativeCall(
            api=call.api,
            kwargs=call.kwargs,
            input_layout=call.input_layout,
            kernel_layout=call.kernel_layout,
            note=f"{call.api} exported by torch.onnx.export({exporter}), run by onnxruntime (CPUExecutionProvider)"
            + (f"; {call.note}" if call.note else ""),
        )

    def repro_source(self, case: Case, call: NativeCall) -> str:
        """The module built and loaded as the torch adapter does; exported; ORT's run lines."""
        bias = case.b is not None
        return "\n".join(
            [
                *(["import io"] if not self.dynamo else []),
                "import numpy as np",
                *(["import onnx"] if not self.dynamo else []),
                "import onnxruntime",
                "import torch",
                *(["import ml_dtypes  # numpy's 'bfloat16' (onnx installs it)"] if case.dtype == "bfloat16" else []),
                "",
                "torch_dtype = getattr(torch, dtype)",
                f"module = {module_source(self.source, call)}.to(torch_dtype).eval()",
                "weights = {'weight': torch.from_numpy(w).to(torch_dtype)"
                + (", 'bias': torch.from_numpy(b).to(torch_dtype)}" if bias else "}"),
                "module.load_state_dict(weights)",
                "xt = torch.from_numpy(x).to(torch_dtype)",
                *export_lines(forward_kwargs(self.source, call), self.dynamo),
                *self.runtime().run_lines(),
            ]
        )


class TorchOnnxConvTranspose(_TorchOnnxAdapter):
    """``torch.nn.ConvTranspose{1,2,3}d`` through the dynamo exporter, on ORT."""

    name = "torch.onnx.ConvTranspose"
    op = "conv_transpose"
    source = TorchConvTransposeModule
    runtime = OrtConvTranspose


class TorchOnnxConv(_TorchOnnxAdapter):
    """``torch.nn.Conv{1,2,3}d`` through the dynamo exporter, on ORT."""

    name = "torch.onnx.Conv"
    op = "conv"
    source = TorchConvModule
    runtime = OrtConv


class TorchOnnxConvTransposeTorchScript(TorchOnnxConvTranspose):
    """The same module through the TorchScript exporter (``dynamo=False``)."""

    name = "torch.onnx.ConvTranspose@torchscript"
    docs = DOCS_EXPORT_TORCHSCRIPT
    dynamo = False


class TorchOnnxConvTorchScript(TorchOnnxConv):
    """The same module through the TorchScript exporter (``dynamo=False``)."""

    name = "torch.onnx.Conv@torchscript"
    docs = DOCS_EXPORT_TORCHSCRIPT
    dynamo = False


ADAPTERS = [TorchOnnxConvTranspose, TorchOnnxConv, TorchOnnxConvTransposeTorchScript, TorchOnnxConvTorchScript]
