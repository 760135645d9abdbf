"""Precision (issue 16): planted reduced-precision kernels are caught and named on the probes,
an honest kernel passes them all, and the per-adapter profile says how each computes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import fake_adapters
import numpy as np
import pytest

from conformance import precision
from conformance.bound import products_per_output
from conformance.case import Case
from conformance.coverage import tally
from conformance.loader import load_paths
from conformance.results import Result
from conformance.runner.check import check
from conformance.runner.executor import Executor

PROBES = Path(__file__).resolve().parents[1] / "cases" / "precision.yaml"


@pytest.fixture(scope="module")
def probes():
    loaded = load_paths([PROBES])
    assert not loaded.errors
    return loaded.cases


@pytest.fixture(scope="module")
def executor():
    with Executor(case_timeout=30) as ex:
        yield ex


def test_probes_cover_every_dtype_op_and_rank_with_few_products(probes):
    covered = {(c.dtype, c.op, c.spatial_dims) for c in probes if products_per_output(c) <= 2}
    assert covered == {(d, op, r) for d in precision.MANTISSA_BITS if d != "tf32" for op in ("conv", "conv_transpose") for r in (1, 2, 3)}
    assert {products_per_output(c) for c in probes} >= {1, 2, 4, 8, 16, 32, 64}
    assert all("precision" in c.tags for c in probes)


@pytest.fixture(scope="module")
def honest_results(probes, executor):
    return [check(case, fake_adapters.Taps(), executor) for case in probes]


def test_an_honest_kernel_passes_every_probe(honest_results):
    failed = [(r.case, r.status, r.message) for r in honest_results if r.status != "PASS"]
    assert failed == []
    # One rounding of the exact result (float64: the oracle's own rounding is of the same size).
    measured = [r.precision for r in honest_results if r.precision and r.precision["dtype"] != "float64"]
    assert len(measured) == sum(1 for r in honest_results if "float64" not in r.case) and all(p["err_u_value"] <= 1 for p in measured)


@pytest.mark.parametrize("planted", list(fake_adapters.PLANTED_REDUCED_PRECISION), ids=lambda cls: cls.name)
def test_a_planted_reduced_precision_kernel_fails_every_probe_with_few_products(probes, executor, planted):
    dtype, narrow = fake_adapters.PLANTED_REDUCED_PRECISION[planted]
    few = [c for c in probes if c.dtype == dtype and products_per_output(c) <= 4]
    assert len(few) >= 28
    results = [check(case, planted(), executor) for case in few]
    missed = [(r.case, r.status, r.diagnosis) for r in results if (r.status, r.diagnosis) != ("FAIL", "reduced-precision")]
    assert missed == []
    assert {r.precision["format"] for r in results} == {narrow}
    # Its other dtypes are computed honestly and pass.
    other = [c for c in probes if c.dtype != dtype and products_per_output(c) <= 2][:12]
    assert {check(case, planted(), executor).status for case in other} == {"PASS"}


@pytest.mark.parametrize("planted", list(fake_adapters.PLANTED_REDUCED_PRECISION), ids=lambda cls: cls.name)
def test_the_profile_names_the_bits_a_planted_kernel_keeps(probes, executor, planted):
    dtype, narrow = fake_adapters.PLANTED_REDUCED_PRECISION[planted]
    cases = [c for c in probes if c.dtype == dtype and products_per_output(c) <= 2][:8]
    (profile,) = precision.summarise(check(case, planted(), executor) for case in cases)
    assert (profile.adapter, profile.dtype, profile.verdict, profile.formats) == (planted.name, dtype, precision.BELOW, (narrow,))
    assert abs(profile.bits - precision.MANTISSA_BITS[narrow]) <= 1
    assert f"about {profile.bits} mantissa bits" in precision.describe(profile)


def test_the_profile_of_an_honest_kernel_rounds_once(honest_results):
    profiles = {p.dtype: p for p in precision.summarise(honest_results)}
    assert {d: p.verdict for d, p in profiles.items()} == {
        "float64": precision.FLOAT64_WITHIN,
        "float32": precision.ROUNDS_ONCE,
        "float16": precision.ROUNDS_ONCE,
        "bfloat16": precision.ROUNDS_ONCE,
    }
    assert profiles["float16"].max_n == 432 and profiles["float16"].cases


def _result(case, dtype, n, accumulation, status="PASS", diagnosis=None):
    profile = {"dtype": dtype, "n": n, "err_u_magnitude": accumulation + 0.5, "err_u_value": 1.0, "accumulation_u": accumulation, "format": None}
    return Result(case=case, file="f", line=1, op="conv", status=status, adapter="a", precision=profile, diagnosis=diagnosis)


def test_a_kernel_that_accumulates_in_the_dtype_is_told_apart_by_its_n_ge_2_cases():
    results = [_result("one", "float16", 1, 0.0), _result("two", "float16", 2, 0.6), _result("big", "float16", 64, 3.0)]
    (profile,) = precision.summarise(results)
    assert (profile.verdict, profile.cases) == (precision.ACCUMULATES, ("big", "two"))
    # A geometry FAIL says nothing about rounding; n = 1 alone cannot tell accumulation apart.
    results = [_result("one", "float16", 1, 0.0), _result("flip", "float16", 4, 900.0, "FAIL", "kernel-flipped")]
    (profile,) = precision.summarise(results)
    assert profile.verdict == precision.ROUNDS_ONCE and precision.describe(profile).endswith("only n = 1 measured")


def test_tf32_rounds_the_mantissa_to_10_bits_to_nearest_even():
    one_ulp = 2.0**-10
    values = np.array([1 + one_ulp / 2, 1 + 3 * one_ulp / 2, 1 + one_ulp / 2 + 2.0**-20, 3.0e38, -1.5, np.inf])
    expected = np.array([1.0, 1 + 2 * one_ulp, 1 + one_ulp, precision.round_to_format(3.0e38, "tf32"), -1.5, np.inf])
    rounded = precision.round_to_format(values, "tf32")
    assert np.array_equal(rounded, expected)
    assert rounded[3] != 3.0e38 and np.isfinite(rounded[3])


def test_integer_data_cannot_be_diagnosed_reduced_precision(probes):
    case = next(c for c in probes if c.dtype == "float32" and products_per_output(c) == 1)
    integers = dataclasses.replace(case, x=np.round(case.x * 4), w=np.round(case.w * 4))
    from conformance import oracle

    wrong = oracle.evaluate(integers) * (1 + 2.0**-12)
    assert precision.matching_format(integers, wrong) is None


def test_coverage_shows_the_precision_probes_as_an_axis(probes):
    coverage = tally(probes)
    assert coverage.count("precision probe", "n = 1", "conv") > 0 and coverage.count("precision probe", "no") == 0
    assert coverage.uncovered_pairs(("precision probe", "dtype")) == [(label, d) for label in ["no"] for d in coverage.labels("dtype")]


def test_conformance_diff_shows_a_precision_change(tmp_path):
    from conformance.diff import diff_runs, format_terminal, to_json
    from conformance.results import run_info, write_results_file

    def side(name, accumulation):
        results = [_result("one", "float16", 1, 0.0), _result("big", "float16", 64, accumulation)]
        info = run_info("a", "fake", "1.0", properties={"os": "linux"})
        return str(write_results_file(tmp_path / name / "a.json", info, results))

    diff = diff_runs([side("before", 0.0)], [side("after", 3.0)])
    assert diff.precision_changes() == [("a", "float16", precision.ROUNDS_ONCE, precision.ACCUMULATES)]
    assert "precision a float16: rounds once (accumulates wider) -> accumulates in the dtype" in format_terminal(diff)
    assert to_json(diff)["precision"][0]["after"] == precision.ACCUMULATES and diff.changes == []


def test_the_report_has_a_precision_profile_section(honest_results):
    from conformance.report.html import render_html
    from conformance.report.merge import Merged, add_run, finish

    merged = Merged()
    add_run(merged, "fake.taps.json", {"adapter": "fake.taps", "framework": "fake"}, honest_results)
    page = render_html(finish(merged))
    assert 'id="precision"' in page and "rounds once (accumulates wider)" in page


def test_the_bits_come_from_the_typical_error_not_a_range_probe():
    """float64 run in float32: the normal-range probes err by about 2**30 float64 units (23 bits
    kept); a probe below float32's smallest normal errs far more (its range, not its mantissa),
    and the worst case alone read "about 0 mantissa bits"."""

    def below(case, err_u):
        profile = {"dtype": "float64", "n": 1, "err_u_magnitude": err_u, "err_u_value": err_u, "accumulation_u": 0.0, "format": "float32"}
        return Result(case=case, file="f", line=1, op="conv", status="FAIL", adapter="a", precision=profile, diagnosis="reduced-precision")

    results = [below(f"normal-{i}", 2.0**30 * (1 + i / 10)) for i in range(4)] + [below("subnormal", 2.0**60)]
    (profile,) = precision.summarise(results)
    assert profile.bits == 23 and profile.cases[0] == "subnormal"


# TF32 keeps float16's 10 bits: inside float16's range the two round alike and the tie goes to
# the first in NARROWER_FORMATS' order (float16), so TF32 is not a parameter here.
@pytest.mark.parametrize("narrow", ["bfloat16", "float16"])
def test_the_format_named_is_the_closest_of_those_that_explain_the_output(narrow):
    """A float32 layer computed from bfloat16-rounded inputs with 16 products per output is
    within float16's wider bound too; the format named is the one it was computed in
    (bfloat16 was named float16 before)."""
    from conformance.precision import _rounded_case
    from conformance.oracle import evaluate

    rng = np.random.default_rng(7)
    case = Case.make("bf16-n16", "conv", rng.normal(size=(1, 1, 9, 9)), rng.normal(size=(2, 1, 4, 4)), dtype="float32")
    actual = evaluate(_rounded_case(case, narrow)).astype(np.float32).astype(np.float64)
    assert precision.matching_format(case, actual) == narrow
