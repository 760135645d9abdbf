"""torch.compile (inductor, CPU): the torch.nn Conv modules compiled as a porter compiles a model.

1. The source is the torch adapter's own module call: ``TorchConvTransposeModule`` and
   ``TorchConvModule`` (torch_api) translate the case and render the module (subclassed,
   not copied), so what inductor is given is exactly what eager ``torch.nn.ConvTranspose*``
   / ``torch.nn.Conv*`` are asked, and what that API cannot say is UNSUPPORTED here for the
   same documented reason.
2. The rendered call builds and loads the module as the eager adapter does, then calls
   ``torch.compile(module, backend="inductor")`` with its defaults (no mode, no
   fullgraph, no dynamic) and runs the compiled module. It starts with
   ``torch.compiler.reset()``: each case is a fresh program, as in a fresh process; without
   it the runner's long-lived child would re-guard the previous cases' graphs, recompile
   with dynamic shapes and, past dynamo's recompile limit, silently run eager torch. After
   a fresh reset the first compile is static (``automatic_dynamic_shapes`` acts only on a
   recompile), so the defaults are ``dynamic=False`` here.
3. A silent fallback is detected, not hidden: dynamo's counters must show the module's
   forward captured as exactly one graph (given to inductor); none (the frame skipped, run
   eager) or several (graph breaks, the gaps run eager) raises. ``fullgraph=True`` would
   also refuse graph breaks, but it turns the module's own exceptions (forward's
   ``ValueError`` for an output_size out of range) into dynamo's "Observed exception",
   changing what a porter sees; so the defaults stay and the count is checked.
4. Run settings that change no generated code (``configure_inductor``) and a process-wide
   warm-up (``warm_up``) keep the corpus fast; the compiled code is what a porter's
   ``torch.compile`` generates.
5. What compiling refuses of a case eager torch answers is an ERROR with an expectation;
   a numeric difference where eager torch passes is the compiler's finding.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from ..case import Case
from .base import NativeCall
from .torch_api import TorchConvModule, TorchConvTransposeModule

DOCS_TORCH_COMPILE = "https://pytorch.org/docs/stable/generated/torch.compile.html"

# Where the eager module's rendered text calls the module; the compiled module is called there instead.
EAGER_FORWARD = "with torch.no_grad():\n    out = module("
COMPILED_FORWARD = (
    "from torch._dynamo.utils import counters  # dynamo's and inductor's event counts\n"
    "torch.compiler.reset()  # a fresh program per case, as in a new process (no earlier graphs or recompiles)\n"
    "counters.clear()\n"
    'compiled = torch.compile(module, backend="inductor")\n'
    "with torch.no_grad():\n"
    "    out = compiled("
)
# After the compiled call: the forward must have been one graph, compiled by inductor.
ONE_GRAPH_CHECK = (
    'graphs = counters["stats"]["unique_graphs"]\n'
    "if graphs != 1:  # 0: dynamo skipped the frame; 2+: graph breaks; either way (part) ran eager\n"
    '    raise RuntimeError(f"torch.compile did not run the module as one inductor graph ({graphs} graphs '
    'captured): it ran eager torch in part or whole")\n'
)


def compiled_source(eager_source: str) -> str:
    """The eager module's rendered text with the module compiled by inductor before its call,
    and the one-graph check after it."""
    head, found, tail = eager_source.partition(EAGER_FORWARD)
    if not found:
        raise ValueError(f"the eager module's text no longer calls {EAGER_FORWARD!r}")
    call_rest, newline, after = tail.partition("\n")
    return head + COMPILED_FORWARD + call_rest + newline + ONE_GRAPH_CHECK + after


def compiler_version(version_text: str) -> str:
    """``gcc version 12.2.0 (Debian ...)`` (a compiler's ``-v`` text) -> ``12.2.0``; '' if absent."""
    found = re.search(r"\bversion (\d+(?:\.\d+)*)", version_text)
    return found.group(1) if found else ""


def configure_inductor() -> None:
    """The run's inductor settings, set once per process before its first compile. None
    changes the code inductor generates or what a case asks; they change how it gets built:

    - ``compile_threads = 1``: a case's C++ kernels are compiled by g++ in this process, one
      after another. inductor's default is a thread pool as wide as the machine, but the
      runner already runs one worker per core (``-n auto``: 2 on CI), so a pool per worker
      only oversubscribes the cores.
    - the FX graph cache stays on (inductor's default), in the directory
      ``TORCHINDUCTOR_CACHE_DIR`` names: tox gives each run a fresh one
      (``{env_tmp_dir}/inductor``), so every graph is compiled once per run and a case whose
      graph (module, shapes, dtype) an earlier case of the same run already compiled loads
      that run's code; nothing from an earlier run or torch is reused.
    - dynamo's recompile limit and ``dynamic`` stay at their defaults: the per-case
      ``torch.compiler.reset()`` makes every compile a first, static one, and the one-graph
      check after the call (``ONE_GRAPH_CHECK``) refuses any fallback to eager.
    """
    from torch._inductor import config

    config.compile_threads = 1


@functools.cache  # once per process, whichever adapter of the two loads first
def warm_up() -> None:
    """One tiny module compiled and run, and forgotten: inductor's one-time costs of a process
    (its lazy imports, the C++ compiler and vector-ISA probes, preprocessing and precompiling
    cpp_prefix.h: 15-45 s on 2 loaded cores) fall when the runner's child loads the adapter,
    under its import timeout, not on the first case's clock."""
    import torch

    configure_inductor()
    torch.compiler.reset()
    # 2 -> 3 channels: inductor converts the layouts around the convolution with C++ kernels,
    # so the warm-up runs g++ as every case does
    compiled = torch.compile(torch.nn.ConvTranspose2d(2, 3, 3), backend="inductor")
    with torch.no_grad():
        compiled(torch.ones(1, 2, 4, 4))
    torch.compiler.reset()


def inductor_choices() -> dict[str, Any]:
    """What changes inductor's generated C++: the vector ISA it picked (``ATEN_CPU_CAPABILITY``
    lowers it; 'INVALID_VEC_ISA' is scalar code), ``cpp.simdlen``, freezing (oneDNN weight
    prepacking), layout optimization (channels-last convolutions), and the C++ compiler."""
    from torch._inductor import config, cpp_builder, cpu_vec_isa

    compiler = cpp_builder.get_cpp_compiler()
    return {
        "vec_isa": str(cpu_vec_isa.pick_vec_isa()),
        "simdlen": config.cpp.simdlen,
        "freezing": bool(config.freezing),
        "layout_optimization": bool(config.layout_optimization),
        "cpp_compiler": f"{compiler} {compiler_version(cpp_builder.get_compiler_version_info(compiler))}".strip(),
    }


class _InductorModule:
    """Mixin over a torch_api module adapter: the same module, compiled by inductor on the CPU."""

    framework = "torch_compile"
    # One inductor compile per case (about 0.45 s of CPU a result over the corpus, up to ~1.5 s
    # for a graph with two new C++ kernels; 514 s for the environment in .ci/run's one tox p):
    # in the main job all the same
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
        """torch's (oneDNN, the ATen capability) and inductor's (``inductor_choices``). The
        runner's child calls it once, when it loads the adapter: the process's inductor
        settings and warm-up happen here, before any case."""
        warm_up()
        return {**super().build_properties(), **inductor_choices()}


class InductorConvTransposeModule(_InductorModule, TorchConvTransposeModule):
    """``torch.compile(torch.nn.ConvTranspose{1,2,3}d(...))``; output_shape via ``forward(output_size=...)``."""

    name = "torch.nn.ConvTranspose@inductor"


class InductorConvModule(_InductorModule, TorchConvModule):
    """``torch.compile(torch.nn.Conv{1,2,3}d(...))``."""

    name = "torch.nn.Conv@inductor"


ADAPTERS = [InductorConvTransposeModule, InductorConvModule]
