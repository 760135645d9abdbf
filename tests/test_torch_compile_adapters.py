"""torch.nn.*@inductor against the oracle, on torch.compile's inductor backend (needs a C++ compiler).

Also pins what the adapters rely on: every case is compiled by inductor (no silent eager
fallback after earlier cases' graphs), and the vector ISA inductor generates for follows
ATEN_CPU_CAPABILITY, the switch build_properties records.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from adapter_checks import assert_matches_oracle, assert_repro_reproduces, make_case, run  # noqa: E402

from conformance.adapters.torch_compile_api import (  # noqa: E402
    InductorConvModule,
    InductorConvTransposeModule,
    inductor_choices,
)
from conformance.properties import machine_properties  # noqa: E402


@pytest.mark.parametrize(
    "dims, length, kernel, dtype, params",
    [
        (2, 4, 4, "float32", {"stride": 2, "padding": "same", "bias": True}),
        (1, 5, 3, "float64", {"stride": 2, "padding": [[1, 1]], "output_shape": [10]}),  # forward(output_size=...)
        (3, 3, 2, "bfloat16", {"stride": 2, "groups": 2, "c_in": 4, "c_out": 6, "bias": True}),
    ],
)
def test_conv_transpose_matches_oracle(dims, length, kernel, dtype, params):
    case = make_case("conv_transpose", dims, length, kernel, dtype=dtype, **params)
    assert_matches_oracle(InductorConvTransposeModule(), case)


@pytest.mark.parametrize(
    "dims, dtype, params",
    [
        (2, "float32", {"padding": "same", "dilation": 2, "bias": True}),
        (1, "float16", {"stride": 2, "padding": [[1, 1]]}),
    ],
)
def test_conv_matches_oracle(dims, dtype, params):
    assert_matches_oracle(InductorConvModule(), make_case("conv", dims, 6, 3, dtype=dtype, **params))


def test_repro_reproduces():
    case = make_case("conv_transpose", 2, 4, 3, stride=2, padding=[[1, 1], [1, 1]], output_padding=[1, 1], bias=True)
    assert_repro_reproduces(InductorConvTransposeModule(), case)


def test_every_case_is_compiled_by_inductor_on_its_own():
    """The runner's child runs many cases in one process: each must compile its own graph with
    inductor (one graph captured, one FX graph looked up), not reuse or give up on earlier ones.
    The rendered call clears dynamo's counters, so they count that case alone."""
    from torch._dynamo.utils import counters

    adapter = InductorConvModule()
    for length in (5, 6, 7):  # the same module with another input shape: a recompile without the reset
        run(adapter, make_case("conv", 1, length, 3, stride=2))
        inductor = counters["inductor"]
        assert counters["stats"]["unique_graphs"] == 1
        assert inductor["fxgraph_cache_miss"] + inductor["fxgraph_cache_hit"] == 1


@pytest.mark.parametrize("fallback", ["disabled", "graph-break"])
def test_a_fallback_to_eager_is_an_error_not_a_pass(fallback):
    """A forward dynamo runs eager (a frame it skips: no graph; a graph break between ops: two
    graphs, the gap run eager) is refused by the one-graph check the rendered call ends with."""
    import torch

    def disabled(forward):
        return torch._dynamo.disable(forward)

    def graph_break(forward):
        def with_a_graph_break(x):
            y = forward(x)
            torch._dynamo.graph_break()
            return y * 1

        return with_a_graph_break

    case = make_case("conv", 1, 6, 3)
    adapter = InductorConvModule()
    source = adapter.repro_source(case, adapter.express(case)).replace(
        "module.load_state_dict(", "module.forward = wrap(module.forward)\nmodule.load_state_dict("
    )
    wrap = disabled if fallback == "disabled" else graph_break
    namespace = {"np": np, "x": case.x, "w": case.w, "b": case.b, "dtype": case.dtype, "wrap": wrap}
    graphs = 0 if fallback == "disabled" else 2
    with pytest.raises(RuntimeError, match=f"did not run the module as one inductor graph \\({graphs} graphs"):
        exec(source, namespace)  # noqa: S102 - the adapter's own rendering


def test_build_properties_warms_up_and_configures_inductor():
    from torch._inductor import config

    properties = InductorConvTransposeModule.build_properties()
    assert config.compile_threads == 1
    assert {"vec_isa", "cpp_compiler", "layout_optimization"} <= set(properties)


@pytest.mark.parametrize("capability, isa", [("default", "INVALID_VEC_ISA"), ("avx2", "avx2"), (None, None)])
def test_aten_cpu_capability_picks_inductors_vector_isa(capability, isa):
    """ATEN_CPU_CAPABILITY lowers inductor's generated code as it lowers ATen's kernels
    ('default': scalar C++); build_properties records the ISA inductor picked."""
    if capability == "avx2" and "avx2" not in machine_properties()["cpu_flags"]:
        pytest.skip("this CPU has no AVX2")
    if capability is None and "ATEN_CPU_CAPABILITY" not in os.environ:
        # this process started without it, as the child below would: ask it here (a child costs
        # a cold torch import and inductor's ISA probes, ~5 s of CPU)
        picked = inductor_choices()["vec_isa"]
    else:
        env = {key: value for key, value in os.environ.items() if key != "ATEN_CPU_CAPABILITY"}
        if capability:
            env["ATEN_CPU_CAPABILITY"] = capability
        code = (
            "from conformance.adapters.torch_compile_api import inductor_choices\n"
            "print(inductor_choices()['vec_isa'])\n"
        )
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        picked = done.stdout.strip().splitlines()[-1]
    if isa is None:  # unset: the CPU's best (its widest vectors)
        flags = machine_properties()["cpu_flags"]
        best = "avx512" if "avx512f" in flags else "avx2" if "avx2" in flags else None
        assert picked != "INVALID_VEC_ISA" and (best is None or picked.split()[0] == best)
    else:
        assert picked == isa
