"""Gradients through the suite without a framework: cases, bound, judging, diagnosis,
expectations keyed by quantity, and the pytest plugin's one test id per (case, adapter,
quantity) with a loop-written NumPy gradient adapter (``LoopGradient`` below, loaded in
the runner's child as ``tests.test_gradient_runner:LoopGradient``)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from conformance import bound, compare
from conformance.adapters.base import Adapter, NativeCall, Unsupported
from conformance.adapters.gradient import GradientMixin
from conformance.case import Case
from conformance.dtypes import round_to_dtype
from conformance.gradient_diagnosis import diagnose_quantity
from conformance.loader import load_file
from conformance.oracle import geometry, gradients
from conformance.runner.expectations import Expectation, Expectations

ROOT = Path(__file__).resolve().parents[1]


def gradient_case(op="conv", groups=1, c_in=2, c_out=2, seed=0, dtype="float32", **params) -> Case:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, c_in, 5, 4))
    w = rng.standard_normal((c_out, c_in // groups, 3, 2) if op == "conv" else (c_in, c_out // groups, 3, 2))
    case = Case.make("g", op, x, w, rng.standard_normal(c_out), groups=groups, dtype=dtype,
                     check=("grad_input", "grad_weight", "grad_bias"), **params)
    g = rng.standard_normal(geometry.output_shape(case))
    return Case.make("g", op, x, w, case.b, groups=groups, dtype=dtype, grad_output=g,
                     check=("grad_input", "grad_weight", "grad_bias"), **params)


# -- loading -----------------------------------------------------------------------------------
def test_the_default_upstream_gradient_is_fixed_per_case_and_rounded(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text(
        "cases:\n"
        "  - {id: a, op: conv, dtype: float16, check: [grad_input], input: {shape: [1, 1, 4], random: {seed: 1}},"
        " kernel: {shape: [1, 1, 2], random: {seed: 2}}}\n"
        "  - {id: b, op: conv, check: [grad_input], input: {shape: [1, 1, 4], values: [[[1, 2, 3, 4]]]},"
        " kernel: {shape: [1, 1, 2], fill: 1}}\n"
    )
    a, b = load_file(path).cases
    assert a.grad_output.shape == (1, 1, 3)
    assert np.array_equal(a.grad_output, a.grad_output.astype(np.float16))  # rounded to the dtype
    assert np.array_equal(a.grad_output, load_file(path).cases[0].grad_output)  # the same every load
    assert np.array_equal(b.grad_output, np.round(b.grad_output))  # whole inputs: whole numbers
    assert a.check == ("grad_input",) and a.quantity == "grad_input"


# -- bound and judging -------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["conv", "conv_transpose"])
def test_n_per_gradient_element(op):
    case = gradient_case(op, stride=2, padding=1)
    axes = geometry.resolve(case)
    assert bound.products_per_element(case, "grad_input") == case.out_channels * 3 * 2
    positions = [a.out for a in axes] if op == "conv" else [a.length for a in axes]
    assert bound.products_per_element(case, "grad_weight") == 2 * int(np.prod(positions))
    assert bound.products_per_element(case, "grad_bias") == 2 * int(np.prod([a.out for a in axes]))


@pytest.mark.parametrize("quantity", ["grad_input", "grad_weight", "grad_bias"])
def test_a_gradient_within_its_bound_passes_and_one_off_fails(quantity):
    case = gradient_case("conv_transpose", stride=2)
    reference = bound.oracle_quantity(case, quantity)
    assert compare.judge(case, reference, reference, quantity=quantity).status == "PASS"
    limit = bound.error_bound(case, quantity=quantity)
    off = reference.copy()
    off.flat[0] += 4 * limit.flat[0]
    verdict = compare.judge(case, off, reference, quantity=quantity)
    assert verdict.status == "FAIL" and verdict.err_ratio == pytest.approx(4.0)


# -- diagnosis ---------------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["conv", "conv_transpose"])
def test_a_flipped_kernel_gradient_is_named(op):
    case = gradient_case(op, stride=2)
    reference = gradients.grad_weight(case, case.grad_output)
    flipped = np.flip(reference, axis=(2, 3))
    assert diagnose_quantity(case, "grad_weight", flipped, reference) == "kernel-flipped"
    # A forward that flips the kernel: its grad_input is the oracle's for the flipped kernel.
    flipped_case = replace(case, w=np.ascontiguousarray(np.flip(case.w, axis=(2, 3))))
    wrong_input = gradients.grad_input(flipped_case, case.grad_output)
    assert diagnose_quantity(case, "grad_input", wrong_input, gradients.grad_input(case, case.grad_output)) == "kernel-flipped"


def test_a_swapped_kernel_gradient_is_named_and_noise_is_not():
    case = gradient_case("conv_transpose", c_in=2, c_out=2)
    reference = gradients.grad_weight(case, case.grad_output)
    assert diagnose_quantity(case, "grad_weight", np.swapaxes(reference, 0, 1), reference) == "kernel-in-out-swapped"
    noise = reference + np.random.default_rng(5).standard_normal(reference.shape)
    assert diagnose_quantity(case, "grad_weight", noise, reference) == "unexplained"


# -- expectations ------------------------------------------------------------------------------
def test_expectations_target_a_quantity_by_suffix_and_a_bare_id_covers_all():
    def entry(pattern):
        return Expectation(pattern=pattern, kind="bug", reason="r", outcomes=[], file="f", line=1)

    table = Expectations("a", [entry("c1::grad_weight"), entry("c2"), entry("c3*::grad_bias")])
    assert table.match("c1", "grad_weight").pattern == "c1::grad_weight"
    assert table.match("c1", "grad_input") is None
    assert table.match("c1") is None
    assert table.match("c2", "grad_input").pattern == "c2"
    assert table.match("c3[stride=2]", "grad_bias").pattern == "c3*::grad_bias"
    assert table.match("c3[stride=2]", "grad_input") is None


# -- the plugin, end to end --------------------------------------------------------------------
class LoopGradient(GradientMixin, Adapter):
    """conv's three gradients written as plain loops from the definition (no oracle code)."""

    name = "fake.loop-gradient"
    framework = "fake"
    module = "numpy"
    op = "conv"

    def translate(self, case):
        if isinstance(case.padding, str):
            return Unsupported(f"padding-mode:{case.padding}", "the loops take explicit padding")
        if case.groups != 1:
            return Unsupported("groups", "the loops take groups=1")
        if any(d != 1 for d in case.dilation):
            return Unsupported("dilation", "the loops take dilation 1")
        return NativeCall("loops", {"stride": list(case.stride), "padding": [list(p) for p in case.padding]})

    def repro_source(self, case, call):
        return f"y = loop_gradient(x, w, g, {call.kwargs['stride']!r}, {call.kwargs['padding']!r}, {case.quantity!r})\n"

    def execute(self, case, call):
        kw = call.kwargs
        value = loop_gradient(case.x, case.w, case.grad_output, kw["stride"], kw["padding"], case.quantity)
        return round_to_dtype(value, case.dtype)


class FlippedLoopGradient(LoopGradient):
    """A backward bug on purpose: the kernel gradient flipped along every spatial axis."""

    name = "fake.flipped-loop-gradient"

    def execute(self, case, call):
        value = super().execute(case, call)
        return np.flip(value, axis=tuple(range(2, value.ndim))).copy() if case.quantity == "grad_weight" else value


def loop_gradient(x, w, g, stride, padding, quantity):
    gx, gw = np.zeros_like(x), np.zeros_like(w)
    n, c_in = x.shape[:2]
    for b, o, c in itertools.product(range(n), range(w.shape[0]), range(c_in)):
        for p in itertools.product(*(range(s) for s in g.shape[2:])):
            for t in itertools.product(*(range(s) for s in w.shape[2:])):
                i = tuple(pi * s + ti - pad[0] for pi, ti, s, pad in zip(p, t, stride, padding))
                if all(0 <= ii < size for ii, size in zip(i, x.shape[2:])):
                    gx[(b, c) + i] += w[(o, c) + t] * g[(b, o) + p]
                    gw[(o, c) + t] += x[(b, c) + i] * g[(b, o) + p]
    return {"grad_input": gx, "grad_weight": gw, "grad_bias": g.sum(axis=(0, *range(2, g.ndim)))}[quantity]


def test_one_test_id_and_one_result_per_case_adapter_and_quantity(tmp_path):
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "defaults: {op: conv, dtype: float32}\n"
        "cases:\n"
        "  - {id: gr, check: [grad_input, grad_weight, grad_bias], stride: 2, padding: 1,"
        " input: {shape: [2, 2, 5, 5], random: {seed: 1}}, kernel: {shape: [3, 2, 3, 3], random: {seed: 2}},"
        " bias: {shape: [3], random: {seed: 3}}}\n"
        "  - {id: fwd, input: {shape: [1, 2, 5, 5], random: {seed: 1}}, kernel: {shape: [3, 2, 3, 3], random: {seed: 2}}}\n"
    )
    results = tmp_path / "results"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", str(cases), "--adapter", "tests.test_gradient_runner:LoopGradient",
         "--results", str(results), "-n", "0", "-p", "no:cacheprovider", "-v", "--rootdir", str(ROOT)],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    for quantity in ("grad_input", "grad_weight", "grad_bias"):
        assert f"gr[fake.loop-gradient:{quantity}] PASSED" in run.stdout
    assert "fwd[" not in run.stdout  # a forward case: nothing for a gradient-only adapter
    data = json.loads((results / "fake.loop-gradient.json").read_text())
    assert [(r["case"], r["quantity"], r["status"]) for r in data["results"]] == [
        ("gr", "grad_input", "PASS"), ("gr", "grad_weight", "PASS"), ("gr", "grad_bias", "PASS")
    ]


def test_fuzz_searches_gradients_and_names_a_flipped_kernel_gradient(tmp_path, capsys):
    from conformance import cli

    out_dir = tmp_path / "out"
    code = cli.main(["fuzz", "--adapter", "test_gradient_runner:FlippedLoopGradient", "--examples", "25", "--seed", "1",
                     "--shrink-calls", "20", "--out", str(out_dir), "--expectations", str(tmp_path / "none")])
    out = capsys.readouterr().out
    assert "FAIL values kernel-flipped::grad_weight" in out, out
    assert "::grad_input" not in out and "::grad_bias" not in out  # those are right
    (written,) = out_dir.rglob("*.yaml")
    (case,) = load_file(written).cases
    assert "grad_weight" in case.check


def test_the_gradient_of_a_forward_with_another_window_is_named():
    """A framework whose 'same' crops the odd position first: its gradients are those of the
    case cropped one position later, found as window-shifted like the forward's."""
    case = gradient_case("conv_transpose", stride=2, padding="same", output_shape=(10, 8))
    axes = geometry.resolve(case)
    assert (axes[0].before, axes[0].after) == (0, 1)  # H: an odd total (k=3), the odd one after
    shifted = replace(case, padding=((1, 0), (axes[1].before, axes[1].after)), output_shape=(10, 8))
    for quantity in ("grad_input", "grad_weight"):
        actual = bound.oracle_quantity(shifted, quantity)
        assert diagnose_quantity(case, quantity, actual, bound.oracle_quantity(case, quantity)) == "window-shifted(1,0)"
