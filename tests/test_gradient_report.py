"""The report shows gradients as their own quantity: one row per (case, quantity), so the
three gradients of one case on one adapter are three cells (not conflicting claims), with
the quantity switch beside the op switch; results files without a quantity read as output."""

from __future__ import annotations

import json
import re

from conformance.report.html import render_html
from conformance.report.merge import merge_files
from conformance.results import Result, run_info, write_results_file


def result(case, quantity="output", status="PASS", **extra) -> Result:
    return Result(case=case, file="cases/g.yaml", line=3, op="conv", status=status, expected_status=status,
                  adapter="fake.grad", quantity=quantity, **extra)


def write(tmp_path, results):
    info = run_info("fake.grad", "fake", "1.0", properties={"os": "linux"})
    write_results_file(tmp_path / "fake.grad.json", info, results)


def test_each_gradient_is_its_own_row_and_the_switch_is_shown(tmp_path):
    write(tmp_path, [result("c", "grad_input"), result("c", "grad_weight", "FAIL", diagnosis="kernel-flipped"),
                     result("c", "grad_bias"), result("c")])
    merged = merge_files([tmp_path])
    assert list(merged.cases) == ["c", "c::grad_input", "c::grad_weight", "c::grad_bias"]
    assert [merged.cases[k].quantity for k in merged.cases] == ["output", "grad_input", "grad_weight", "grad_bias"]
    assert all(len(cell.claims) == 1 for cell in merged.cells.values())  # no conflicting claims
    page = render_html(merged)
    assert 'id="quantity-switch"' in page
    # the matrix's rows, which the page's script draws (html.matrix_rows): [id, ..., op, quantity, first result]
    rows = json.loads(re.search(r'<script type="application/json" id="matrix-rows">(.*?)</script>', page, re.S).group(1))
    quantities = {row[0]: row[6] for group in rows["groups"] for row in group["rows"]}
    assert quantities["c::grad_weight"] == "grad_weight" and quantities["c"] == "output"


def test_a_results_file_without_quantities_has_no_switch(tmp_path):
    write(tmp_path, [result("c")])
    payload = (tmp_path / "fake.grad.json").read_text().replace(',"quantity":"output"', "")
    assert '"quantity"' not in payload  # as a file written before gradients
    (tmp_path / "fake.grad.json").write_text(payload)
    merged = merge_files([tmp_path])
    assert list(merged.cases) == ["c"] and merged.cases["c"].quantity == "output"
    assert 'id="quantity-switch"' not in render_html(merged)
