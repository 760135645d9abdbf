"""The gradient adapters on their framework: every gradient they offer matches the oracle on
a strided, padded, grouped or dilated layer, and its repro script, run on its own, computes
the same gradient and prints PASS. Each framework's tests skip where it is not installed
(run them with its tox env: ``.tox/<env>/bin/python -m pytest tests/test_gradient_adapters.py``)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from adapter_checks import assert_ran, run_scripts  # noqa: E402

from conformance import bound, compare  # noqa: E402
from conformance.adapters import (  # noqa: E402
    flax_grad_api, jax_grad_api, keras_grad_api, mindspore_grad_api, mlx_grad_api, mxnet_grad_api, paddle_grad_api,
    tensorflow_grad_api, torch_grad_api,
)
from conformance.adapters.base import NativeCall  # noqa: E402
from conformance.case import Case  # noqa: E402
from conformance.oracle import geometry  # noqa: E402
from conformance.repro import build_repro  # noqa: E402

MODULES = {
    "torch": torch_grad_api, "tensorflow": tensorflow_grad_api, "jax": jax_grad_api, "mxnet": mxnet_grad_api,
    "paddle": paddle_grad_api, "flax": flax_grad_api, "mlx": mlx_grad_api,
    "keras": keras_grad_api, "mindspore": mindspore_grad_api,
}
ADAPTERS = [(framework, cls) for framework, module in MODULES.items() for cls in module.ADAPTERS]
# Flax's ConvTranspose with its default transpose_kernel=False does not flip the kernel (the
# forward's convention): its gradients are those of the flipped kernel, tested on their own.
UNFLIPPED = [cls for _, cls in ADAPTERS if getattr(cls, "TRANSPOSE_KERNEL", None) is False]
ADAPTERS = [(framework, cls) for framework, cls in ADAPTERS if cls not in UNFLIPPED]


def layer(op: str, bias: bool, dtype: str = "float32", padding=None) -> Case:
    """A stride-2 layer, batch 2, C_in 3 != C_out 2; conv pads 'same' (an even total, which
    tf.nn.convolution needs as a mode and torch as symmetric pads), conv_transpose crops 1
    (``padding`` overrides both: Keras has no explicit crop)."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 5, 5))
    w = rng.standard_normal((2, 3, 3, 3) if op == "conv" else (3, 2, 3, 3))
    b = rng.standard_normal(2) if bias else None
    padding = padding if padding is not None else "same" if op == "conv" else 1
    params = dict(stride=2, padding=padding, dtype=dtype)
    shape = geometry.output_shape(Case.make("shape", op, x, w, b, **params))
    checks = ("grad_input", "grad_weight") + (("grad_bias",) if bias else ())
    return Case.make(f"grad-{op}", op, x, w, b, grad_output=rng.standard_normal(shape), check=checks, **params)


def skip_on_another_keras_backend(cls) -> None:
    """Keras fixes its backend at import: each keras env runs only its backend's adapters."""
    if framework_of(cls) == "keras":
        try:
            cls.framework_version()
        except ImportError as error:
            pytest.skip(str(error))


def framework_of(cls) -> str:
    return next(framework for framework, module in MODULES.items() if cls in module.ADAPTERS)


def gradient_checks(adapter) -> list[tuple[str, Case, object]]:
    """Each gradient the adapter offers on a layer it expresses: (quantity, the case judging it,
    the adapter's call), the first layer it expresses of bias / no bias / Keras' 'valid'."""
    cls = type(adapter)
    case = layer(cls.op, bias="grad_bias" in adapter.quantities)
    if not isinstance(adapter.express(case), NativeCall):  # tf.nn / lax take no bias
        case = layer(cls.op, bias=False)
    if not isinstance(adapter.express(case), NativeCall):  # Keras: 'same' / 'valid' only
        case = layer(cls.op, bias="grad_bias" in adapter.quantities, padding="valid")
    checks = []
    for quantity in (q for q in adapter.quantities if q in case.check):
        judged = case.judging(quantity)
        checks.append((quantity, judged, adapter.express(judged)))
    return checks


def runs_here(cls) -> bool:
    """Its framework is installed and, for Keras, is the running backend."""
    try:
        with warnings.catch_warnings():  # as pytest.importorskip: an import's own deprecations
            warnings.simplefilter("ignore")
            __import__(cls.module)
        if framework_of(cls) == "keras":
            cls.framework_version()
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def repro_outputs(tmp_path_factory) -> dict[str, list[str]]:
    """Every runnable adapter's repro scripts (one per quantity), each framework's run in ONE
    fresh isolated interpreter of its own (a jax script's jax_enable_x64 never reaches Keras'),
    each as its own __main__: one cold import per framework instead of one per adapter
    (tensorflow's five adapters took ~9 s each, nearly all of it importing TensorFlow). An adapter whose checks do not render here (a refused quantity, an
    error) has no entry: its test fails on its own checks first."""
    rendered_by_framework: dict[str, list[tuple[str, str]]] = {}
    for framework, cls in ADAPTERS:
        if not runs_here(cls):
            continue
        adapter = cls()
        try:
            checks = gradient_checks(adapter)
            if not all(isinstance(call, NativeCall) for _, _, call in checks):
                continue
            rendered = [
                build_repro(judged, adapter, call, bound.oracle_quantity(judged, quantity), quantity=quantity)
                for quantity, judged, call in checks
            ]
        except Exception:  # noqa: BLE001 - the adapter's own test raises it again, as its failure
            continue
        rendered_by_framework.setdefault(framework, []).extend((cls.name, script) for script in rendered)
    outputs: dict[str, list[str]] = {}
    for framework, rendered in rendered_by_framework.items():
        names, scripts = zip(*rendered, strict=True)
        for name, out in zip(names, run_scripts(list(scripts), tmp_path_factory.mktemp(framework)), strict=True):
            outputs.setdefault(name, []).append(out)
    return outputs


@pytest.mark.parametrize("framework, cls", ADAPTERS, ids=[cls.name for _, cls in ADAPTERS])
def test_every_offered_gradient_matches_the_oracle_and_its_repro_passes(framework, cls, repro_outputs):
    pytest.importorskip(cls.module)
    skip_on_another_keras_backend(cls)
    adapter = cls()
    shapes = []
    for quantity, judged, call in gradient_checks(adapter):
        assert isinstance(call, NativeCall), f"{cls.name} refused {quantity}: {call}"
        value = adapter.execute(judged, call)
        reference = bound.oracle_quantity(judged, quantity)
        verdict = compare.judge(judged, value, reference, quantity=quantity)
        assert verdict.status == "PASS", f"{cls.name} {quantity}: {verdict.message}"
        shapes.append(value.shape)
    assert cls.name in repro_outputs, f"{cls.name}: its repro scripts did not render"
    for shape, out in zip(shapes, repro_outputs[cls.name], strict=True):
        assert f"framework output shape: {shape}" in assert_ran(out)
        assert "verdict: PASS" in out, out[-2000:]


def test_every_gradient_adapter_offers_only_gradients_of_its_op():
    for _, cls in ADAPTERS:
        assert cls.quantities and set(cls.quantities) <= {"grad_input", "grad_weight", "grad_bias"}
        assert cls.op in ("conv", "conv_transpose") and cls.name.count(".") >= 2


@pytest.mark.parametrize("cls", UNFLIPPED, ids=[cls.name for cls in UNFLIPPED])
def test_unflipped_conv_transpose_gradients_are_diagnosed_as_the_flipped_kernel(cls):
    pytest.importorskip(cls.module)
    adapter = cls()
    case = layer(cls.op, bias=False)
    for quantity in ("grad_input", "grad_weight"):
        judged = case.judging(quantity)
        value = adapter.execute(judged, adapter.express(judged))
        verdict = compare.judge(judged, value, bound.oracle_quantity(judged, quantity), quantity=quantity)
        assert (verdict.status, verdict.diagnosis) == ("FAIL", "kernel-flipped"), f"{quantity}: {verdict.message}"
