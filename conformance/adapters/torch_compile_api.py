"""torch.compile (inductor, CPU): the torch.nn Conv modules compiled as a porter compiles a model.

1. The source is the torch adapter's own module call: ``TorchConvTransposeModule`` and
   ``TorchConvModule`` (torch_api) translate the case and render the module (subclassed,
   not copied), so what inductor is given is exactly what eager ``torch.nn.ConvTranspose*``
   / ``torch.nn.Conv*`` are asked, and what that API cannot say is UNSUPPORTED here for the
   same documented reason.
2. The rendered call builds and loads the module as the eager adapter does, then calls
   ``torch.compile(module, backend="inductor")`` with its defaults (no mode, no
   fullgraph, inductor's on-disk caches as a user has them) and runs the compiled module.
   It starts with ``torch.compiler.reset()``: each case is a fresh program, as in a fresh
   process; without it the runner's long-lived child would re-guard the previous cases'
   graphs, recompile with dynamic shapes and, past dynamo's recompile limit, silently run
   eager torch.
3. What compiling refuses of a case eager torch answers is an ERROR with an expectation;
   a numeric difference where eager torch passes is the compiler's finding.
"""

from __future__ import annotations

import re
from typing import Any

from ..case import Case
from .base import NativeCall
from .torch_api import TorchConvModule, TorchConvTransposeModule

DOCS_TORCH_COMPILE = "https://pytorch.org/docs/stable/generated/torch.compile.html"

# Where the eager module's rendered text calls the module; the compiled module is called there instead.
EAGER_FORWARD = "with torch.no_grad():\n    out = module("
COMPILED_FORWARD = (
    "torch.compiler.reset()  # a fresh program per case, as in a new process (no earlier graphs or recompiles)\n"
    'compiled = torch.compile(module, backend="inductor")\n'
    "with torch.no_grad():\n"
    "    out = compiled("
)


def compiled_source(eager_source: str) -> str:
    """The eager module's rendered text with the module compiled by inductor before its call."""
    head, found, tail = eager_source.partition(EAGER_FORWARD)
    if not found:
        raise ValueError(f"the eager module's text no longer calls {EAGER_FORWARD!r}")
    return head + COMPILED_FORWARD + tail


def compiler_version(version_text: str) -> str:
    """``gcc version 12.2.0 (Debian ...)`` (a compiler's ``-v`` text) -> ``12.2.0``; '' if absent."""
    found = re.search(r"\bversion (\d+(?:\.\d+)*)", version_text)
    return found.group(1) if found else ""


class _InductorModule:
    """Mixin over a torch_api module adapter: the same module, compiled by inductor on the CPU."""

    framework = "torch_compile"
    # One inductor compile per case (seconds each, ~20 minutes for the corpus on 2 cores):
    # the `compilers` label, not the main job.
    run_label = "compilers"
    module = "torch"
    # dynamo (torch._dynamo), inductor (torch._inductor) and the C++ build all raise from torch.
    framework_modules = ("torch",)
    docs = DOCS_TORCH_COMPILE

    def translate(self, case: Case):
        call = super().translate(case)
        if not isinstance(call, NativeCall):  # the source API cannot say it: the same Unsupported
            return call
        note = f"{call.note}; " if call.note else ""
        return NativeCall(
            call.api,
            call.kwargs,
            call.input_layout,
            call.kernel_layout,
            note + 'compiled by torch.compile(module, backend="inductor") on the CPU',
        )

    def repro_source(self, case: Case, call: NativeCall) -> str:
        return compiled_source(super().repro_source(case, call))

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """torch's (oneDNN, the ATen capability) and what changes inductor's generated C++:
        the vector ISA it picked (``ATEN_CPU_CAPABILITY`` lowers it; 'INVALID_VEC_ISA' is
        scalar code), ``cpp.simdlen``, freezing (oneDNN weight prepacking), layout
        optimization (channels-last convolutions), and the C++ compiler."""
        from torch._inductor import config, cpp_builder, cpu_vec_isa

        compiler = cpp_builder.get_cpp_compiler()
        return {
            **super().build_properties(),
            "vec_isa": str(cpu_vec_isa.pick_vec_isa()),
            "simdlen": config.cpp.simdlen,
            "freezing": bool(config.freezing),
            "layout_optimization": bool(config.layout_optimization),
            "cpp_compiler": f"{compiler} {compiler_version(cpp_builder.get_compiler_version_info(compiler))}".strip(),
        }


class InductorConvTransposeModule(_InductorModule, TorchConvTransposeModule):
    """``torch.compile(torch.nn.ConvTranspose{1,2,3}d(...))``; output_shape via ``forward(output_size=...)``."""

    name = "torch.nn.ConvTranspose@inductor"


class InductorConvModule(_InductorModule, TorchConvModule):
    """``torch.compile(torch.nn.Conv{1,2,3}d(...))``."""

    name = "torch.nn.Conv@inductor"


ADAPTERS = [InductorConvTransposeModule, InductorConvModule]
