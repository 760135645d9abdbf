"""torch.nn.*@inductor translation and rendering, with no torch installed.

The inductor adapters compile the module the eager torch adapters build: these tests pin that
they ask exactly what torch_api asks (subclassed, not copied), inherit its UNSUPPORTED answers,
and render the compile step between loading the module and calling it.
"""

from __future__ import annotations

import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.torch_api import TorchConvModule, TorchConvTransposeModule
from conformance.adapters.torch_compile_api import (
    EAGER_FORWARD,
    ONE_GRAPH_CHECK,
    InductorConvModule,
    InductorConvTransposeModule,
    compiled_source,
    compiler_version,
)

PAIRS = [
    (InductorConvTransposeModule, TorchConvTransposeModule, transpose_case(stride=2, padding=1, output_padding=1)),
    (InductorConvTransposeModule, TorchConvTransposeModule, transpose_case(dims=1, stride=2, output_shape=[10])),
    (InductorConvTransposeModule, TorchConvTransposeModule, transpose_case(dims=3, padding="same_lower")),
    (InductorConvModule, TorchConvModule, conv_case(length=5, stride=2, padding="same")),
    (InductorConvModule, TorchConvModule, conv_case(dims=1, padding="same", dilation=2)),
]


@pytest.mark.parametrize("cls, source, case", PAIRS, ids=lambda v: getattr(v, "name", None))
def test_asks_what_the_eager_module_asks(cls, source, case):
    call, eager = cls().express(case), source().express(case)
    assert isinstance(call, NativeCall)
    assert (call.api, call.kwargs, call.input_layout, call.kernel_layout) == (
        eager.api, eager.kwargs, eager.input_layout, eager.kernel_layout,
    )  # fmt: skip
    assert "inductor" in call.note


def test_conv_transpose_values():
    call = InductorConvTransposeModule().express(transpose_case(dims=1, stride=2, output_shape=[10]))
    assert call.api == "torch.nn.ConvTranspose1d"
    assert call.kwargs["output_size"] == [10] and call.kwargs["output_padding"] == [0]
    assert call.note.startswith("output_size is an argument of forward()")


@pytest.mark.parametrize(
    "cls, case, reason",
    [
        (InductorConvTransposeModule, transpose_case(padding=[[0, 1], [0, 1]]), "asymmetric-padding"),
        (InductorConvTransposeModule, transpose_case(padding="same", output_padding=[1, 1]),
         "output-padding-with-padding-mode"),
        (InductorConvModule, conv_case(padding=[[1, 0], [1, 0]]), "asymmetric-padding"),
        (InductorConvModule, conv_case(stride=2, padding="same_lower"), "asymmetric-padding"),
    ],
)  # fmt: skip
def test_inherits_what_the_source_api_cannot_say(cls, case, reason):
    answer = cls().express(case)
    assert isinstance(answer, Unsupported) and answer.reason == reason


@pytest.mark.parametrize("cls, _, case", PAIRS, ids=lambda v: getattr(v, "name", None))
def test_the_module_is_compiled_between_loading_and_calling(cls, _, case):
    call = cls().express(case)
    source = cls().repro_source(case, call)
    lines = source.splitlines()
    compile_line = lines.index('compiled = torch.compile(module, backend="inductor")')
    load_line = next(i for i, line in enumerate(lines) if line.startswith("module.load_state_dict("))
    reset_line = next(i for i, line in enumerate(lines) if line.startswith("torch.compiler.reset()"))
    call_line = next(i for i, line in enumerate(lines) if line.startswith("    out = compiled(xt"))
    assert load_line < reset_line < compile_line < call_line
    assert "module(xt" not in source and "conformance" not in source
    if "output_size" in call.kwargs:
        assert f"compiled(xt, output_size={call.kwargs['output_size']!r})" in source
    compile(source, "<rendered>", "exec")


def test_compiled_source_refuses_a_text_without_the_eager_call():
    assert compiled_source("a\n" + EAGER_FORWARD + "xt)\ny = out\n") == (
        "a\nfrom torch._dynamo.utils import counters  # dynamo's and inductor's event counts\n"
        "torch.compiler.reset()  # a fresh program per case, as in a new process (no earlier graphs or"
        ' recompiles)\ncounters.clear()\ncompiled = torch.compile(module, backend="inductor")\n'
        "with torch.no_grad():\n    out = compiled(xt)\n" + ONE_GRAPH_CHECK + "y = out\n"
    )
    with pytest.raises(ValueError, match="no longer calls"):
        compiled_source("out = module(xt)\n")


def test_the_one_graph_check_follows_the_call_and_raises_unless_one_graph():
    """Rendered with the counters dynamo would leave: one graph passes, none or two raise."""
    source = compiled_source("a\n" + EAGER_FORWARD + "xt)\ny = out\n")
    lines = source.splitlines()
    assert lines.index("    out = compiled(xt)") + 1 == lines.index(ONE_GRAPH_CHECK.splitlines()[0])
    for graphs in (0, 1, 2):
        namespace = {"counters": {"stats": {"unique_graphs": graphs}}}
        if graphs == 1:
            exec(ONE_GRAPH_CHECK, namespace)  # noqa: S102 - our own rendering
        else:
            with pytest.raises(RuntimeError, match=f"did not run the module as one inductor graph \\({graphs} graphs"):
                exec(ONE_GRAPH_CHECK, namespace)  # noqa: S102


@pytest.mark.parametrize(
    "text, version",
    [
        ("Target: x86_64-linux-gnu\nThread model: posix\ngcc version 12.2.0 (Debian 12.2.0-14+deb12u1) ", "12.2.0"),
        ("Debian clang version 14.0.6\nTarget: x86_64-pc-linux-gnu", "14.0.6"),
        ("no compiler here", ""),
    ],
)
def test_compiler_version(text, version):
    assert compiler_version(text) == version


def test_names_and_framework():
    assert InductorConvTransposeModule.name == "torch.nn.ConvTranspose@inductor"
    assert InductorConvModule.name == "torch.nn.Conv@inductor"
    assert {InductorConvModule.framework, InductorConvTransposeModule.framework} == {"torch_compile"}
