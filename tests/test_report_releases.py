"""The release view (conformance/report/releases.py): series of one adapter over releases and
devices, changed rows first, findings with the first and last release seen; the page's matrix
keeps each adapter's newest release only; and the section in headless Chromium.

The browser test needs Debian's chromium and chromedriver and pip's selenium (the ``test``
extra); without them it skips and says why, except under CI, where it fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import chromium
from conformance.report.html import write_html
from conformance.report.merge import merge_files
from conformance.report.releases import Release, release_series, split_older_releases, version_order, ReadFile
from conformance.results import Result, write_results_file

REASON_OLD_BUG = "old releases accept a zero stride"
REASON_NEW_CHECK = "the new consistency check refuses output_padding >= stride"
REASON_ALWAYS = "no float64 kernel"


def result(case: str, status: str, line: int, **fields) -> Result:
    return Result(case=case, file="cases/x.yaml", line=line, op="conv_transpose", status=status, expected_status=status, **fields)


def finding(case: str, status: str, line: int, kind: str, reason: str, **fields) -> Result:
    return result(case, status, line, expectation_kind=kind, expectation_reason=reason, expectation_where=f"expectations/x.yaml:{line}", **fields)


def outcomes(version: str) -> list[Result]:
    """ort.ConvTranspose at one release: 'zero-stride' accepted (FAIL) before 1.22, then PASS;
    'opad' PASS before 1.28, then ERROR; 'f64' ERROR in all; 'basic' PASS in all."""
    old, new = version_order(version) < version_order("1.22.0"), version_order(version) >= version_order("1.28.0")
    return [
        result("basic", "PASS", 1),
        finding("zero-stride", "FAIL", 2, "bug", REASON_OLD_BUG, diagnosis="accepted-invalid") if old else result("zero-stride", "PASS", 2),
        finding("opad", "ERROR", 3, "limitation", REASON_NEW_CHECK, message="Computed output shape is inconsistent") if new else result("opad", "PASS", 3),
        finding("f64", "ERROR", 4, "limitation", REASON_ALWAYS, message="Could not find an implementation"),
    ]


def info(version: str, device: str = "cpu", adapter: str = "ort.ConvTranspose") -> dict:
    return {"adapter": adapter, "framework": "ort", "framework_version": version, "device": device, "env": {"OMP_NUM_THREADS": "1"}}


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> Path:
    """reports/results (the newest, 1.32.0), reports/releases/<env>/ (three older), one CUDA column."""
    root = tmp_path_factory.mktemp("releases")
    write_results_file(root / "results" / "ort.ConvTranspose.json", info("1.32.0"), outcomes("1.32.0"))
    for version in ("1.28.0", "1.20.1", "1.24.4"):  # written out of order: the view sorts
        write_results_file(root / "releases" / f"ort-r{version[:4]}" / "ort.ConvTranspose.json", info(version), outcomes(version))
    write_results_file(root / "cuda" / "ort.ConvTranspose_cuda.json", info("1.32.0 (H100)", "cuda", "ort.ConvTranspose@cuda"), outcomes("1.32.0"))
    return root


def test_version_order_reads_every_number_of_the_text():
    assert version_order("1.20.1") < version_order("1.28.0") < version_order("1.32.0")
    assert version_order("keras 3.15.1 (tensorflow 2.16.2)") < version_order("keras 3.15.1 (tensorflow 2.21.0)")
    assert version_order("2.11.0+cu130 (NVIDIA H100)")[0] == (2, 11, 0)


def test_the_matrix_keeps_each_adapters_newest_release_and_the_view_gets_every_file(folders):
    merged = merge_files([folders / "results", folders / "releases", folders / "cuda"])
    assert merged.conflicts == [] and len(merged.release_files) == 5
    assert sorted(run.run_info["framework_version"] for run in merged.runs) == ["1.32.0", "1.32.0 (H100)"]
    assert merged.cell("opad", "ort.ConvTranspose").status == "ERROR"  # 1.32's, not 1.20's PASS
    current, older = split_older_releases(merged.release_files)
    assert sorted(r.run_info["framework_version"] for r in older) == ["1.20.1", "1.24.4", "1.28.0"]


def test_a_series_orders_releases_puts_changed_rows_first_and_the_device_last(folders):
    merged = merge_files([folders / "results", folders / "releases", folders / "cuda"])
    (series,) = release_series(merged.release_files)
    assert series.family == "ort.ConvTranspose" and series.framework == "ort"
    assert [c.label for c in series.columns] == ["1.20.1", "1.24.4", "1.28.0", "1.32.0", "1.32.0 (H100) cuda"]
    assert [row.case for row in series.rows] == ["zero-stride", "opad", "basic", "f64"]
    assert [row.changed for row in series.rows] == [True, True, False, False]
    assert [o.label for o in series.rows[0].outcomes] == ["FAIL accepted-invalid", "PASS", "PASS", "PASS", "PASS"]
    assert [row.case for row in series.steady_problems] == ["f64"] and series.n_steady_pass == 1


def test_a_finding_shows_the_first_and_last_release_it_was_seen_in(folders):
    merged = merge_files([folders / "results", folders / "releases", folders / "cuda"])
    (series,) = release_series(merged.release_files)
    by_reason = {f.reason: f for f in series.findings}
    old = by_reason[REASON_OLD_BUG]
    assert (old.first, old.last, old.introduced_in, old.fixed_in) == ("1.20.1", "1.20.1", "", "1.24.4")
    new = by_reason[REASON_NEW_CHECK]
    # seen on the CUDA column too, which is another machine: it neither introduces nor fixes
    assert (new.first, new.last, new.introduced_in, new.fixed_in) == ("1.28.0", "1.32.0", "1.28.0", "")
    always = by_reason[REASON_ALWAYS]
    assert (always.first, always.last, always.introduced_in, always.fixed_in) == ("1.20.1", "1.32.0", "", "")


def test_one_release_alone_is_no_series():
    files = [ReadFile("a.json", info("1.32.0"), outcomes("1.32.0"))]
    assert release_series(files) == []
    assert Release("1.32.0", "cuda").label == "1.32.0 cuda"


driver = pytest.fixture(scope="module", name="driver")(chromium.module_driver)


def test_the_release_view_in_the_browser(driver, folders):
    page = write_html(merge_files([folders / "results", folders / "releases", folders / "cuda"]), folders / "index.html")
    driver.get(page.as_uri())
    assert chromium.console_errors(driver) == []
    section = driver.find_element("css selector", "#releases")
    assert section.is_displayed() and "Across releases" in section.text
    # the family with changes is open; its table reads oldest release first, changed rows first
    assert driver.execute_script("return document.querySelector('details.rel').open") is True
    headers = driver.execute_script("return Array.from(document.querySelectorAll('.rel-table thead th')).map(th => th.textContent)")
    assert headers == ["case", "1.20.1", "1.24.4", "1.28.0", "1.32.0", "1.32.0 (H100) cuda"]
    rows = driver.execute_script(
        "return Array.from(document.querySelectorAll('.rel-table tbody tr')).map(tr => [tr.className, tr.querySelector('th').textContent])"
    )
    assert rows == [["rel-changed", "zero-stride"], ["rel-changed", "opad"], ["rel-steady", "f64"]]
    cells = driver.execute_script("return Array.from(document.querySelectorAll('.rel-table tbody tr:nth-child(2) td')).map(td => [td.textContent, getComputedStyle(td).backgroundColor])")
    assert [text for text, _ in cells] == ["PASS", "PASS", "ERROR", "ERROR", "ERROR"]
    assert cells[0][1] != cells[2][1]  # a status has its colour
    first_last = driver.execute_script(
        "return Array.from(document.querySelectorAll('.rel-findings tbody tr')).map(tr => [tr.cells[1].firstChild.textContent.trim(), tr.querySelector('.rel-first').textContent, tr.querySelector('.rel-last').textContent, tr.cells[5].textContent])"
    )
    assert [REASON_OLD_BUG, "1.20.1", "1.20.1", "1.24.4"] in first_last
    assert [REASON_NEW_CHECK, "1.28.0", "1.32.0", ""] in first_last
    # the summary closes the family, native <details>: no script needed
    summary = driver.find_element("css selector", "details.rel > summary")
    # to the middle first: the page's sticky header must not cover it
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", summary)
    summary.click()
    assert driver.execute_script("return document.querySelector('details.rel').open") is False
    assert not driver.find_element("css selector", ".rel-table").is_displayed()


def test_an_archived_file_keeps_what_the_view_reads_and_cuts_an_expected_pass_to_its_place():
    from conformance.report.releases import archived

    data = {"format": "conformance-results/1", "run_info": info("1.20.1"), "results": [r.to_json() for r in outcomes("1.20.1")]}
    data["results"][0].update(details={"repro": "x" * 1000}, params={"stride": [2]})
    data["results"].append({**result("elsewhere", "PASS", 9).to_json(), "file": "cases/untracked.yaml"})
    cut = archived(data, {"cases/x.yaml"})
    assert [r["case"] for r in cut["results"]] == ["basic", "zero-stride", "opad", "f64"]
    assert cut["results"][0] == {"case": "basic", "file": "cases/x.yaml", "line": 1, "op": "conv_transpose", "status": "PASS", "quantity": "output"}
    kept = cut["results"][1]
    assert (kept["status"], kept["diagnosis"], kept["expectation_reason"]) == ("FAIL", "accepted-invalid", REASON_OLD_BUG)
    assert "details" not in kept and "params" not in kept
    # what the view builds from the archive is what it builds from the full files
    full = release_series([ReadFile("a", info("1.20.1"), outcomes("1.20.1")), ReadFile("b", info("1.32.0"), outcomes("1.32.0"))])
    short = release_series([ReadFile("a", info("1.20.1"), [Result.from_json(r) for r in cut["results"]]), ReadFile("b", info("1.32.0"), outcomes("1.32.0"))])
    assert [(r.case, [o.label for o in r.outcomes]) for r in full[0].rows] == [(r.case, [o.label for o in r.outcomes]) for r in short[0].rows]
