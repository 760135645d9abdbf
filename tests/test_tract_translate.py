"""tract.ConvTranspose / tract.Conv translation, with neither onnx nor tract installed.

The attributes come from onnxruntime_api's pure functions (one ONNX node, several runtimes):
these tests pin that the tract adapters ask exactly what the ORT ones ask (tests/test_onnx_node_family.py, over the corpus), render the
tract.onnx() load/run, and refuse bfloat16 (no DatumType for it) as UNSUPPORTED.
"""

from __future__ import annotations

import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters import default_run_frameworks, get_adapter
from conformance.adapters.base import Unsupported
from conformance.adapters.onnxruntime_api import OPSET
from conformance.adapters.tract_api import DOCS_DATUM_TYPES, TractConv, TractConvTranspose


def test_explicit_pads_and_output_padding_are_the_nodes_attributes():
    call = TractConvTranspose().express(transpose_case(stride=2, padding=[[1, 0], [2, 1]], output_padding=1))
    assert call.kwargs["auto_pad"] == "NOTSET"
    assert call.kwargs["pads"] == [1, 2, 0, 1]
    assert call.kwargs["output_padding"] == [1, 1]
    assert call.kwargs["strides"] == [2, 2]


@pytest.mark.parametrize("adapter, case", [(TractConvTranspose(), transpose_case(dtype="bfloat16")), (TractConv(), conv_case(dtype="bfloat16"))])
def test_bfloat16_is_unsupported_with_the_bindings_datum_types(adapter, case):
    verdict = adapter.express(case)
    assert isinstance(verdict, Unsupported)
    assert verdict.reason == "dtype:bfloat16"
    assert verdict.doc == DOCS_DATUM_TYPES


def test_repro_source_loads_the_model_from_a_file_and_runs_it():
    case = transpose_case(stride=2, padding="same", b=[0.5, 0.25, -1.0])
    adapter = TractConvTranspose()
    source = adapter.repro_source(case, adapter.express(case))
    assert f"helper.make_opsetid('', {OPSET})" in source
    assert "['X', 'W', 'B']" in source
    assert "tract.onnx().load(path)" in source
    assert "inference_model.into_model().into_runnable()" in source
    assert "conformance" not in source
    compile(source, "<tract>", "exec")


def test_registered_and_in_the_main_job():
    assert get_adapter("tract.ConvTranspose") is TractConvTranspose
    assert get_adapter("tract.Conv") is TractConv
    assert "tract" in default_run_frameworks()
